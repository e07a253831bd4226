"""Glasses' temple arms: straight, clear of the skull, and reaching back to the ears."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.render.accessories.glasses import (
    ARM_CLEARANCE_MM,
    ARM_POINTS,
    ARM_REACH_MM,
    glasses_layers,
    skull_vertices,
)
from morphgen.render.hair.head import HeadFit, build_head
from morphgen.render.normals import vertex_normals

SPEC = {"kind": "rectangular", "rim_mm": 2.0, "color": [0.05, 0.05, 0.05]}


@pytest.fixture(scope="module")
def model():
    return load_model()


def _arms(model, shape):
    """The two arms' centre lines (ARM_POINTS, 3) of the frame fitted to ``shape``."""
    fit = HeadFit.of(model.mean_vertices(), model.triangles, model.regions)
    head = build_head(fit, shape, vertex_normals(shape, model.triangles))
    skull = skull_vertices(model.regions)
    frame = glasses_layers(head, shape, skull, model.landmarks, SPEC)[0].vertices
    # the frame's parts in order: right rim, right arm, left rim, left arm, bridge; an arm
    # is its top edge's points, then its bottom edge's
    rim = 3 * 40
    arms = []
    for first in (rim, 2 * rim + 2 * ARM_POINTS):
        edges = frame[first : first + 2 * ARM_POINTS].astype(np.float64)
        arms.append((edges[:ARM_POINTS] + edges[ARM_POINTS:]) / 2)
    return head, arms


@pytest.mark.parametrize("spread", [0.0, 1.5])
def test_temple_arms_are_straight_and_clear_the_skull(model, spread):
    """Each arm is one straight segment from its hinge: every point within 0.01 mm of the
    line through its ends (pushing each point onto the head's binned collision map made it
    bend and zigzag, 4-7 mm off that line). Every point is at least ``ARM_CLEARANCE_MM``
    out from the skull beside it and the nearest is that close (it rests on the head); its
    end lies behind the front of the ears, above their lowest point."""
    rng = np.random.default_rng(3)
    coeffs = rng.standard_normal(model.shape.n_components) * spread
    shape = model.mean_vertices() + (
        model.shape.basis @ (coeffs * np.sqrt(model.shape.variance))
    ).reshape(-1, 3)
    head, arms = _arms(model, shape.astype(np.float32))
    skull = shape[skull_vertices(model.regions)]
    for arm, outer, ear in zip(arms, (-1.0, 1.0), ("right_ear", "left_ear"), strict=True):
        a, b = arm[0], arm[-1]
        u = (b - a) / np.linalg.norm(b - a)
        off = arm - a - np.outer((arm - a) @ u, u)
        assert np.abs(off).max() < 0.01
        side = skull[outer * (skull[:, 0] - head.centre[0]) > 0]
        gaps = []
        for point in arm[1:]:
            near = (np.abs(side[:, 1] - point[1]) < ARM_REACH_MM) & (
                np.abs(side[:, 2] - point[2]) < ARM_REACH_MM
            )
            if near.any():
                gaps.append(outer * point[0] - (outer * side[near, 0]).max())
        assert len(gaps) > ARM_POINTS // 2
        assert min(gaps) > ARM_CLEARANCE_MM - 1e-3
        assert min(gaps) < ARM_CLEARANCE_MM + 1e-3
        ears = shape[model.regions == LABEL_IDS[ear]]
        assert b[2] < ears[:, 2].max() and b[1] > ears[:, 1].min()
