"""The torso covers the neck below its collar, for every kind of top and many identities."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.config import parse_config
from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.render.accessories.clothing import (
    AROUND,
    COLLAR_DROP_MM,
    RINGS,
    clothing_layer,
    collar_height,
)
from morphgen.render.hair.head import HeadFit, build_head
from morphgen.render.instance import pca_instances
from morphgen.render.normals import vertex_normals
from morphgen.sampling.sampler import Sampler


@pytest.fixture(scope="module")
def heads():
    """(head, neck vertices) of 16 identities of the default model and config."""
    model = load_model()
    fit = HeadFit.of(model.mean_vertices(), model.triangles, model.regions)
    sampler = Sampler(parse_config({"identities": {"count": 16}}), model)
    out = []
    for i in range(16):
        shape = pca_instances(model.shape, sampler.scene(i, 0).shape[None])[0]
        head = build_head(fit, shape, vertex_normals(shape, model.triangles))
        out.append((head, shape[model.regions == LABEL_IDS["neck"]].astype(np.float64)))
    return out


def poking_out(vertices: np.ndarray, points: np.ndarray) -> np.ndarray:
    """How far (mm) each point lies outside the torso tube, measured on its mesh: the
    tube's radius from the collar's centre at the point's angle and height, interpolated
    between the two columns of ring vertices around that angle (0 inside, above the
    column's top or below the tube)."""
    v = vertices.reshape(len(RINGS), AROUND, 3).astype(np.float64)
    centre = v[0].mean(axis=0)
    dx, dz = v[..., 0] - centre[0], v[..., 2] - centre[2]
    radius, angle = np.hypot(dx, dz), np.mod(np.arctan2(dx, dz), 2 * np.pi)
    out = np.zeros(len(points))
    for n, p in enumerate(points):
        a = np.mod(np.arctan2(p[0] - centre[0], p[2] - centre[2]), 2 * np.pi)
        k = int(np.searchsorted(angle[0], a) - 1) % AROUND  # columns run by angle from 0
        reach = []
        for col in (k, (k + 1) % AROUND):
            heights = v[:, col, 1]
            if not heights[-1] < p[1] < heights[0]:
                break
            reach.append(np.interp(-p[1], -heights, radius[:, col]))
        if len(reach) == 2:
            span = np.mod(angle[0, (k + 1) % AROUND] - angle[0, k], 2 * np.pi)
            f = np.mod(a - angle[0, k], 2 * np.pi) / span
            tube = (1 - f) * reach[0] + f * reach[1]
            out[n] = max(0.0, np.hypot(p[0] - centre[0], p[2] - centre[2]) - tube)
    return out


@pytest.mark.parametrize("kind", sorted(COLLAR_DROP_MM))
def test_no_neck_pokes_out_of_the_torso(heads, kind):
    worst = []
    for head, neck in heads:
        layer = clothing_layer(head, neck, {"kind": kind, "color": [0.3, 0.4, 0.5]})
        assert layer is not None
        below = neck[neck[:, 1] < collar_height(neck, head.chin_y, COLLAR_DROP_MM[kind]) - 1.0]
        worst.append(poking_out(layer.vertices, below).max())
    assert max(worst) < 0.5, f"neck up to {max(worst):.1f} mm outside a {kind}"


def test_the_tube_check_sees_a_neck_outside(heads):
    """The measure above is not vacuous: a neck scaled up around the collar's centre
    pokes out."""
    head, neck = heads[0]
    layer = clothing_layer(head, neck, {"kind": "tshirt", "color": [0.3, 0.4, 0.5]})
    below = neck[neck[:, 1] < collar_height(neck, head.chin_y, COLLAR_DROP_MM["tshirt"]) - 1.0]
    centre = layer.vertices[:AROUND].astype(np.float64).mean(axis=0)
    wider = below.copy()
    wider[:, [0, 2]] = centre[[0, 2]] + 1.4 * (below[:, [0, 2]] - centre[[0, 2]])
    assert poking_out(layer.vertices, wider).max() > 5.0


@pytest.mark.parametrize("kind", sorted(COLLAR_DROP_MM))
def test_the_collar_hugs_the_neck_not_the_shoulders(heads, kind):
    """On a short neck a band at the kind's depth below the chin holds the shoulders; the
    collar stays about as wide as the neck just under the chin."""
    ratios = []
    for head, neck in heads:
        layer = clothing_layer(head, neck, {"kind": kind, "color": [0.3, 0.4, 0.5]})
        collar = layer.vertices[:AROUND, 0]
        band = neck[np.abs(neck[:, 1] - head.chin_y) < 6.0, 0]
        ratios.append((collar.max() - collar.min()) / (band.max() - band.min()))
    assert max(ratios) < 1.5, f"a {kind} collar {max(ratios):.2f} times as wide as the neck"
