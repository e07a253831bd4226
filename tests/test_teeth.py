"""Teeth shading: the model's separate teeth, darkened only between neighbours of one arch."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from morphgen.config.presets import PRESETS
from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.model.synthetic import synthetic_model
from morphgen.render.renderer import Renderer
from morphgen.render.teeth import GAP_FLOOR, GAP_MM, tooth_parts, tooth_shading
from morphgen.sampling.illumination import frontal_sh
from morphgen.scene import CameraParams, Illumination, SceneParams


@pytest.fixture(scope="module")
def model():
    return load_model()


def test_parts_are_the_connected_teeth(model):
    teeth = np.flatnonzero(model.regions == LABEL_IDS["teeth"])
    part = tooth_parts(model.triangles, teeth, model.n_vertices)
    t = model.triangles[np.isin(model.triangles, teeth).all(axis=1)]
    rows = np.concatenate([t[:, 0], t[:, 1], t[:, 2]])
    cols = np.concatenate([t[:, 1], t[:, 2], t[:, 0]])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(model.n_vertices,) * 2)
    _, label = connected_components(graph, directed=False)
    # the same partition of the teeth vertices as scipy's
    pairs = set(zip(part.tolist(), label[teeth].tolist(), strict=True))
    assert len(pairs) == len(set(part.tolist())) == len(set(label[teeth].tolist())) == 32


def test_only_teeth_near_a_neighbour_of_their_arch_darken(model):
    factor = tooth_shading(model)
    teeth = np.flatnonzero(model.regions == LABEL_IDS["teeth"])
    off = np.ones(model.n_vertices, dtype=bool)
    off[teeth] = False
    assert np.all(factor[off] == 1.0)
    assert GAP_FLOOR <= factor[teeth].min() < GAP_FLOOR + 0.05
    # brute force: distance to the nearest vertex of another tooth whose centre lies on the
    # same side of the teeth's middle height
    part = tooth_parts(model.triangles, teeth, model.n_vertices)
    p = model.mean_vertices()[teeth].astype(np.float64)
    centre_y = np.array([p[part == k, 1].mean() for k in range(part.max() + 1)])
    upper = centre_y > np.median(centre_y)
    d = np.linalg.norm(p[:, None, :] - p[None, :, :], axis=2)
    d[part[:, None] == part[None, :]] = np.inf
    d[upper[part][:, None] != upper[part][None, :]] = np.inf
    nearest = d.min(axis=1)
    assert np.all(factor[teeth][nearest >= GAP_MM] == 1.0)
    assert np.all(factor[teeth][nearest < 0.5 * GAP_MM] < 0.8)
    assert 0.1 < np.mean(factor[teeth] < 1.0) < 0.6


def test_a_model_without_teeth_is_left_alone():
    assert tooth_shading(synthetic_model(n_lat=21, n_lon=41, components=(2, 2, 2))) is None


def test_rendered_teeth_show_gaps(model):
    """An open jaw at a three-quarter view: the darkest teeth pixels are darker with the
    shading, the typical tooth pixel about as bright."""
    names = model.blendshapes.names
    weights = np.zeros(len(names), dtype=np.float32)
    for name, w in PRESETS["jaw_open"].items():
        weights[names.index(name)] = w
    scene = SceneParams(
        identity=0, sample=0, shape=np.zeros(8, np.float32), color=np.zeros(8, np.float32),
        expression=np.zeros(0, np.float32), blendshapes=weights, yaw=20.0, pitch=0.0,
        roll=0.0, camera=CameraParams(width=512, height=512),
        illumination=Illumination(sh=frontal_sh(0.6, 0.2).astype(np.float32)),
    )  # fmt: skip
    luminance = []
    for shaded in (False, True):
        renderer = Renderer(model, "cpu", outputs=frozenset({"mask"}))
        if not shaded:
            renderer._tooth_shade = None
        sample = renderer.render(scene)
        renderer.close()
        teeth = sample.rgb[sample.mask == LABEL_IDS["teeth"]].astype(np.float64).mean(axis=1)
        assert len(teeth) > 500
        luminance.append((np.percentile(teeth, 10), np.median(teeth)))
    (dark_before, mid_before), (dark_after, mid_after) = luminance
    assert dark_after < dark_before - 10
    assert mid_after > 0.9 * mid_before
