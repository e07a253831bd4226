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
    DEPTH_MM,
    LENS_CLEARANCE_MM,
    LENS_GAP_MM,
    MAX_PUSH_MM,
    WRAP,
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


def _inside(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Crossing-number point-in-polygon test of ``points`` (N, 2) against ``polygon`` (M, 2)."""
    a, b = polygon, np.roll(polygon, -1, axis=0)
    x, y = points[:, 0:1], points[:, 1:2]
    spans = (a[None, :, 1] > y) != (b[None, :, 1] > y)
    at = a[None, :, 0] + (y - a[None, :, 1]) * (b[None, :, 0] - a[None, :, 0]) / (
        b[None, :, 1] - a[None, :, 1] + 1e-12
    )
    return (np.count_nonzero(spans & (x < at), axis=1) % 2) == 1


@pytest.mark.parametrize("kind", ["round", "aviator"])
def test_frames_stand_clear_of_brows_and_cheeks(model, kind):
    """Every skull point inside a rim's outer edge (seen from the front) lies at least
    LENS_CLEARANCE_MM behind the frame's back, the frame moving forward from its nominal
    plane where needed (at most MAX_PUSH_MM); at the nominal plane some faces of this spread
    reach into the frame, so the check is not vacuous."""
    fit = HeadFit.of(model.mean_vertices(), model.triangles, model.regions)
    skull_ids = skull_vertices(model.regions)
    eyes = [[model.landmarks[f"ibug{k:02d}"] for k in ks] for ks in (range(37, 43), range(43, 49))]
    rng = np.random.default_rng(5)
    spec = {**SPEC, "kind": kind, "rim_mm": 3.0}
    reached = 0
    for _ in range(10):
        coeffs = rng.standard_normal(model.shape.n_components) * 1.6
        shape = model.mean_vertices() + (
            model.shape.basis @ (coeffs * np.sqrt(model.shape.variance))
        ).reshape(-1, 3)
        shape = shape.astype(np.float32)
        head = build_head(fit, shape, vertex_normals(shape, model.triangles))
        frame = glasses_layers(head, shape, skull_ids, model.landmarks, spec)[0].vertices
        right, left = (shape[ids].astype(np.float64).mean(axis=0) for ids in eyes)
        mid, nominal = (right[0] + left[0]) / 2, max(right[2], left[2]) + LENS_GAP_MM
        points = shape[skull_ids].astype(np.float64)
        for first in (0, 120 + 2 * ARM_POINTS):  # right rim, then left rim
            rim = frame[first : first + 120].astype(np.float64)
            outer, back = rim[40:80], rim[80:]
            plane = np.mean(back[:, 2] + WRAP * (back[:, 0] - mid) ** 2) + DEPTH_MM
            inside = points[_inside(points[:, :2], outer[:, :2])]
            assert len(inside) > 50
            room = plane - DEPTH_MM - WRAP * (inside[:, 0] - mid) ** 2 - inside[:, 2]
            if plane < nominal + MAX_PUSH_MM - 1e-3:
                assert room.min() >= LENS_CLEARANCE_MM - 1e-3
            base_room = nominal - DEPTH_MM - WRAP * (inside[:, 0] - mid) ** 2 - inside[:, 2]
            reached += base_room.min() < 0
    assert reached > 0
