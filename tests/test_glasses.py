"""Glasses' temple arms: straight, clear of the skull, and reaching back to the ears."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.model.outlines import inside_polygon
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
            inside = points[inside_polygon(points[:, :2], outer[:, :2])]
            assert len(inside) > 50
            room = plane - DEPTH_MM - WRAP * (inside[:, 0] - mid) ** 2 - inside[:, 2]
            if plane < nominal + MAX_PUSH_MM - 1e-3:
                assert room.min() >= LENS_CLEARANCE_MM - 1e-3
            base_room = nominal - DEPTH_MM - WRAP * (inside[:, 0] - mid) ** 2 - inside[:, 2]
            reached += base_room.min() < 0
    assert reached > 0


def test_a_clear_lens_is_tinted_by_itself_not_by_the_heads_texture():
    """The lens pass draws only the lenses, with the head's frame otherwise: it once kept the
    head's texture, whose UVs (by triangle index) then dressed the lens's first triangles
    with skin and brow texels (a dark wedge across a round lens). The result no longer
    depends on the head's texture, and the lens still tints what lies behind it."""
    import dataclasses

    from morphgen.model.synthetic import synthetic_model
    from morphgen.render.backend import Frame
    from morphgen.render.camera import Intrinsics
    from morphgen.render.cpu_backend import CpuBackend
    from morphgen.render.layers import Layer
    from morphgen.render.lenses import tint_lenses

    head = synthetic_model(n_lat=41, n_lon=81, components=(2, 2, 2), uv=True)
    verts = head.shape.mean.reshape(-1, 3).astype(np.float32) + [0.0, 0.0, -1000.0]
    colours = np.full((len(verts), 3), 0.6, np.float32)
    labels = head.regions[head.triangles].max(axis=1).astype(np.uint8)
    focal = 128 * 1000.0 / 260.0
    frame = Frame(
        verts, head.triangles, colours, labels, Intrinsics(128, 128, focal, focal, 64.0, 64.0),
    )  # fmt: skip
    frame.texture = np.random.default_rng(0).uniform(0.2, 1.5, (32, 32, 6)).astype(np.float32)
    frame.texture[..., 3:] = 0.0  # colour only, no drawn hair
    frame.uv = head.uv
    front = verts[:, 2].max() + 1000.0 + 20.0  # a square lens 20 mm before the face, model space
    square = np.array([[-40, -40, front], [40, -40, front], [40, 40, front], [-40, 40, front]])
    lens = Layer(
        vertices=square.astype(np.float32), triangles=np.array([[0, 1, 2], [0, 2, 3]], np.int32),
        normals=np.tile(np.float32([0, 0, 1]), (4, 1)), albedo=np.full((4, 3), 0.8, np.float32),
        label=LABEL_IDS["glasses"], two_sided=False, see_through=True,
    )  # fmt: skip
    to_camera = np.eye(4)
    to_camera[2, 3] = -1000.0
    backend = CpuBackend()
    raster = backend.draw(frame)
    tinted = tint_lenses(backend, frame, [lens], to_camera, raster)
    plain = tint_lenses(
        backend, dataclasses.replace(frame, texture=None, uv=None), [lens], to_camera, raster
    )
    assert np.array_equal(tinted, plain)
    assert np.abs(tinted - raster.color).max() > 0.05
