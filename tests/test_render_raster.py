"""The cpu backend against the pinhole model, on planes whose answers are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.render.backend import Frame
from morphgen.render.camera import Intrinsics
from morphgen.render.cpu_backend import CpuBackend

W, H, F = 64, 48, 80.0
CX, CY = W / 2 + 0.3, H / 2 - 0.2


def quad(corners: np.ndarray) -> np.ndarray:
    """Two counter-clockwise triangles (seen from the camera) over 4 corners in order."""
    return np.array([[0, 1, 2], [0, 2, 3]], dtype=np.int32) + 0 * corners.shape[0]


def frame(vertices, triangles, labels, colors=None, attributes=None) -> Frame:
    v = np.asarray(vertices, dtype=np.float32)
    c = np.full_like(v, 0.5) if colors is None else np.asarray(colors, dtype=np.float32)
    tris, labels = np.asarray(triangles, np.int32), np.asarray(labels, np.uint8)
    return Frame(v, tris, c, labels, Intrinsics(W, H, F, F, CX, CY), attributes=attributes or {})


def rays() -> np.ndarray:
    """Camera-space direction (with -Z = 1) through every pixel centre, (H, W, 3)."""
    j, i = np.meshgrid(np.arange(W) + 0.5, np.arange(H) + 0.5)
    return np.stack([(j - CX) / F, -(i - CY) / F, -np.ones_like(j)], axis=-1)


def unproject(u: float, v: float, depth: float) -> list[float]:
    return [(u - CX) / F * depth, -(v - CY) / F * depth, -depth]


def square(u0, v0, u1, v1, depth) -> np.ndarray:
    """A fronto-parallel rectangle covering pixels [u0, u1] x [v0, v1], CCW from the camera."""
    return np.array(
        [unproject(u0, v1, depth), unproject(u1, v1, depth), unproject(u1, v0, depth),
         unproject(u0, v0, depth)]
    )  # fmt: skip


@pytest.fixture(scope="module")
def backend() -> CpuBackend:
    return CpuBackend()


@pytest.fixture(scope="module", params=[None, 2, 3])
def any_backend(request) -> CpuBackend:
    """The default patterns (5-sample rotated grid up to 384 px, 2 x 2 above) and 3 x 3."""
    return CpuBackend(request.param)


def test_supersampling_follows_the_image_size():
    auto = CpuBackend()
    assert auto.pattern(256, 384).name == "rotated5" and auto.pattern(512, 300).name == "2x2"
    assert CpuBackend(4).pattern(64, 1024).name == "4x4"


def test_nearer_plane_wins_and_labels_are_exact(any_backend):
    backend = any_backend
    near = square(5.2, 4.7, 40.6, 30.1, 500.0)  # label 3
    far = square(20.3, 10.4, 60.2, 44.9, 800.0)  # label 7, partly behind `near`
    tris = np.concatenate([quad(near), quad(far) + 4])
    r = backend.draw(frame(np.concatenate([near, far]), tris, [3, 3, 7, 7]))
    assert set(np.unique(r.mask)) <= {0, 3, 7}
    seen = r.triangle_id >= 0
    # the mask is the label of the triangle seen at the pixel, and nothing else
    assert np.array_equal(r.mask[seen], np.array([3, 3, 7, 7], np.uint8)[r.triangle_id[seen]])
    # pixels whose centre is inside both rectangles show the nearer one
    assert (r.mask[12:29, 22:39] == 3).all()
    assert (r.mask[32:44, 42:59] == 7).all()
    assert np.allclose(r.depth[12:29, 22:39], 500.0, atol=1e-3)
    assert np.allclose(r.depth[32:44, 42:59], 800.0, atol=1e-3)


def test_mask_alpha_depth_and_ids_agree(any_backend):
    backend = any_backend
    tri = np.array(
        [unproject(3.3, 40.1, 300), unproject(58.7, 35.2, 300), unproject(20.1, 2.6, 300)]
    )
    r = backend.draw(frame(tri, [[0, 1, 2]], [5]))
    face = r.alpha >= 0.5
    assert np.array_equal(r.mask > 0, face)
    assert np.array_equal(r.triangle_id >= 0, face)
    assert np.array_equal(r.depth > 0, face)
    assert set(np.unique(r.mask)) == {0, 5}
    # anti-aliasing: the slanted edges leave fractional coverage
    edge = (r.alpha > 0) & (r.alpha < 1)
    assert edge.sum() > 50


def test_coverage_matches_the_area_inside_the_edge(backend):
    """alpha of edge pixels approximates the pixel's area inside the triangle (9 samples)."""
    a, b, c = (4.0, 44.0), (60.0, 41.0), (10.0, 3.0)
    tri = np.array([unproject(*a, 250), unproject(*b, 250), unproject(*c, 250)])
    r = backend.draw(frame(tri, [[0, 1, 2]], [1]))
    n = 32  # reference: 32 x 32 samples per pixel
    jj, ii = np.meshgrid((np.arange(W * n) + 0.5) / n, (np.arange(H * n) + 0.5) / n)

    def side(p, q):
        return (q[0] - p[0]) * (ii - p[1]) - (q[1] - p[1]) * (jj - p[0])

    inside = (side(a, b) <= 0) & (side(b, c) <= 0) & (side(c, a) <= 0)
    exact = inside.reshape(H, n, W, n).mean(axis=(1, 3))
    assert np.abs(r.alpha - exact).max() <= 1 / 3 + 1e-6
    assert np.abs(r.alpha - exact).mean() < 0.01


def test_depth_is_the_ray_plane_distance_on_a_tilted_plane(backend):
    corners = np.array(
        [[-300, -250, -900], [300, -250, -700], [300, 250, -650], [-300, 250, -850.0]]
    )
    # make the 4 corners coplanar: z from a plane through the first three
    n = np.cross(corners[1] - corners[0], corners[2] - corners[0])
    corners[3, 2] = corners[0, 2] - (n[0] * (corners[3, 0] - corners[0, 0]) + n[1] * (
        corners[3, 1] - corners[0, 1])) / n[2]  # fmt: skip
    r = backend.draw(frame(corners, quad(corners), [2, 2]))
    d = rays()
    t = (n @ corners[0]) / (d @ n)  # ray p = t d meets n.p = n.c0; -Z = t
    seen = r.triangle_id >= 0
    assert seen.sum() > 500
    assert np.abs(r.depth[seen] - t[seen]).max() < 1e-3


def test_attributes_are_perspective_correct(backend):
    corners = np.array([[-80, -60, -400], [80, -60, -900], [80, 60, -900], [-80, 60, -400.0]])
    r = backend.draw(frame(corners, quad(corners), [1, 1], attributes={"xyz": corners}))
    seen = r.triangle_id >= 0
    # the camera-space point seen at the pixel centre, from the ray-plane distance
    expected = rays() * r.depth[..., None]
    interior = seen & (r.alpha == 1.0)
    got = r.attributes["xyz"]
    assert np.abs(got[interior] - expected[interior]).max() < 0.01
    assert (got[~seen] == 0).all()


def test_shared_edges_leave_no_gaps_and_back_faces_are_culled(any_backend):
    backend = any_backend
    corners = square(8.0, 6.0, 56.0, 42.0, 600.0)
    r = backend.draw(frame(corners, quad(corners), [1, 1]))
    assert (r.alpha[7:41, 9:55] == 1.0).all()  # the diagonal is covered exactly once
    flipped = quad(corners)[:, ::-1]
    r = backend.draw(frame(corners, flipped, [1, 1]))
    assert (r.alpha == 0).all() and (r.mask == 0).all() and (r.triangle_id == -1).all()


def test_colour_is_resolved_from_the_covered_samples(backend):
    corners = square(8.0, 6.0, 56.0, 42.0, 600.0)
    colors = np.tile([0.2, 0.4, 0.8], (4, 1))
    r = backend.draw(frame(corners, quad(corners), [1, 1], colors=colors))
    covered = r.alpha > 0
    assert np.allclose(r.color[covered], [0.2, 0.4, 0.8], atol=1e-5)
    assert (r.color[~covered] == 0).all()


def test_geometry_behind_the_near_plane_is_dropped(backend):
    tri = np.array([[-10, -10, -5.0], [10, -10, -5.0], [0, 10, -5.0]])
    r = backend.draw(frame(tri, [[0, 1, 2]], [1]))
    assert (r.alpha == 0).all()
