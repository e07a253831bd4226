"""The pyrender backend against independent expectations, and backend selection.

Geometry tests need EGL (Mesa's llvmpipe is enough); they skip with the probe's reason
where it does not work. Selection tests need no OpenGL.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from morphgen.errors import MorphgenError
from morphgen.render import gl_probe, select
from morphgen.render.backend import Frame
from morphgen.render.camera import Intrinsics
from tests.gl_helpers import egl_or_skip


@pytest.fixture(scope="module")
def backend():
    egl_or_skip()
    from morphgen.render.pyrender_backend import PyrenderBackend

    b = PyrenderBackend("egl")
    yield b
    b.close()


class Plane:
    """A tilted square plane split into an n x n grid of cells, two triangles per cell."""

    def __init__(self, n: int = 40, half: float = 100.0, origin=(8.0, -5.0, -500.0)):
        self.n, self.half = n, half
        self.origin = np.array(origin, dtype=np.float64)
        yaw, pitch = np.radians(25.0), np.radians(-15.0)
        e1 = np.array([np.cos(yaw), 0.0, -np.sin(yaw)])
        e2 = np.array([np.sin(yaw) * np.sin(pitch), np.cos(pitch), np.cos(yaw) * np.sin(pitch)])
        self.e1, self.e2 = e1, e2
        self.normal = np.cross(e1, e2)
        assert self.normal @ -self.origin > 0, "the grid must face the camera"
        s = np.linspace(-half, half, n + 1)
        a, b = np.meshgrid(s, s, indexing="ij")  # vertex (a, b) has index a * (n + 1) + b
        pts = self.origin + a[..., None] * e1 + b[..., None] * e2
        self.vertices = pts.reshape(-1, 3).astype(np.float32)
        idx = np.arange((n + 1) ** 2).reshape(n + 1, n + 1)
        v00, v10, v01, v11 = idx[:-1, :-1], idx[1:, :-1], idx[:-1, 1:], idx[1:, 1:]
        lower = np.stack([v00, v10, v11], -1)  # counter-clockwise about +normal
        upper = np.stack([v00, v11, v01], -1)
        self.triangles = np.stack([lower, upper], axis=2).reshape(-1, 3).astype(np.int32)
        ca, cb = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        cell_label = ((ca + 2 * cb) % 5 + 1).astype(np.uint8)
        self.labels = np.repeat(cell_label.reshape(-1), 2)
        self.labels[1::2] = (self.labels[1::2] % 5) + 6  # upper triangles get 6..10

    def frame(self, width=96, height=72, fx=150.0, fy=170.0, cx=41.3, cy=30.6, colors=None):
        if colors is None:
            colors = np.full((len(self.vertices), 3), 0.5, dtype=np.float32)
        k = Intrinsics(width, height, fx, fy, cx, cy)
        return Frame(self.vertices, self.triangles, colors, self.labels, k)

    def expected(self, f: Frame):
        """Per pixel centre, from the pinhole alone: depth, triangle id, and 'clear' pixels."""
        i, j = np.mgrid[0 : f.height, 0 : f.width]
        ray = np.stack(
            [(j + 0.5 - f.cx) / f.fx, -(i + 0.5 - f.cy) / f.fy, -np.ones(i.shape)], axis=-1
        )
        t = (self.normal @ self.origin) / (ray @ self.normal)  # ray-plane distance along -Z
        hit = t[..., None] * ray - self.origin
        s = (hit @ self.e1 + self.half) / (2 * self.half) * self.n
        u = (hit @ self.e2 + self.half) / (2 * self.half) * self.n
        inside = (s > 0) & (s < self.n) & (u > 0) & (u < self.n)
        ca, cb = np.floor(s).astype(int), np.floor(u).astype(int)
        fs, fu = s - ca, u - cb
        tri = 2 * (ca * self.n + cb) + (fu > fs)
        eps = 0.02  # keep clear of edges: GL snaps vertices to 1/256 px (or so)
        clear = inside & (np.minimum.reduce([fs, fu, 1 - fs, 1 - fu, np.abs(fs - fu)]) > eps)
        return t, np.where(inside, tri, -1), clear


def test_plane_depth_and_exact_triangle_ids(backend):
    plane = Plane()
    f = plane.frame()
    r = backend.draw(f)
    depth, tri, clear = plane.expected(f)
    interior = clear & (r.alpha == 1.0)
    assert interior.sum() > 2000
    np.testing.assert_array_equal(r.triangle_id[interior], tri[interior])
    np.testing.assert_array_equal(r.mask[interior], plane.labels[tri[interior]])
    np.testing.assert_allclose(r.depth[interior], depth[interior], atol=0.01)
    face = r.mask > 0
    np.testing.assert_allclose(r.depth[face], depth[face], atol=0.05)  # filled pixels too


def test_pixel_convention_follows_the_pinhole(backend):
    """A triangle whose corners project to chosen pixel coordinates covers exactly them."""
    w, h, fx, fy, cx, cy = 64, 48, 90.0, 120.0, 20.3, 30.7
    z = -300.0
    corners_uv = np.array([[10.0, 5.0], [50.0, 5.0], [10.0, 40.0]])
    # invert u = cx + fx X / -Z, v = cy - fy Y / -Z
    xs = (corners_uv[:, 0] - cx) * -z / fx
    ys = -(corners_uv[:, 1] - cy) * -z / fy
    verts = np.stack([xs, ys, np.full(3, z)], axis=1).astype(np.float32)
    tris = np.array([[0, 2, 1]], dtype=np.int32)  # counter-clockwise seen from the camera
    f = Frame(verts, tris, np.full((3, 3), 0.8, np.float32), np.array([3], np.uint8),
              Intrinsics(w, h, fx, fy, cx, cy))  # fmt: skip
    r = backend.draw(f)
    i, j = np.mgrid[0:h, 0:w]
    u, v = j + 0.5, i + 0.5
    # signed distance (pixels) of each centre inside the triangle u >= 10, v >= 5, hypotenuse
    hyp = (1.0 - (u - 10.0) / 40.0 - (v - 5.0) / 35.0) / np.hypot(1 / 40.0, 1 / 35.0)
    inside = np.minimum.reduce([u - 10.0, v - 5.0, hyp])
    assert (r.mask[inside > 0.75] == 3).all()
    assert (r.mask[inside < -0.75] == 0).all()
    np.testing.assert_allclose(r.depth[inside > 0.75], 300.0, atol=1e-3)


def test_mask_is_exactly_alpha_at_least_half(backend):
    plane = Plane(n=30)
    for cx, cy in ((41.3, 30.6), (60.0, 20.0)):
        r = backend.draw(plane.frame(cx=cx, cy=cy))
        face = r.alpha >= 0.5
        assert ((r.alpha > 0) & (r.alpha < 1)).any(), "silhouettes should be anti-aliased"
        np.testing.assert_array_equal(r.mask != 0, face)
        np.testing.assert_array_equal(r.triangle_id >= 0, face)
        np.testing.assert_array_equal(r.depth > 0, face)
        np.testing.assert_array_equal(r.mask[face], plane.labels[r.triangle_id[face]])


def test_colours_pass_through_and_attributes_interpolate(backend):
    plane = Plane()
    # a smooth colour field, linear in position
    rel = (plane.vertices - plane.vertices.min(0)) / np.ptp(plane.vertices, axis=0)
    colors = np.stack([0.05 + 0.9 * rel[:, 0], 0.3 + 0.4 * rel[:, 1], np.full(len(rel), 0.02)], 1)
    f = plane.frame(colors=colors.astype(np.float32))
    f.attributes = {"position": plane.vertices}
    r = backend.draw(f)
    depth, _, clear = plane.expected(f)
    interior = clear & (r.alpha == 1.0)
    i, j = np.nonzero(interior)
    ray = np.stack([(j + 0.5 - f.cx) / f.fx, -(i + 0.5 - f.cy) / f.fy, -np.ones(i.size)], 1)
    hit = depth[i, j][:, None] * ray
    np.testing.assert_allclose(r.attributes["position"][i, j], hit, atol=1e-3)
    lo, span = plane.vertices.min(0), np.ptp(plane.vertices, axis=0)
    rel_hit = (hit - lo) / span
    want = np.stack([0.05 + 0.9 * rel_hit[:, 0], 0.3 + 0.4 * rel_hit[:, 1], np.full(i.size, 0.02)])
    # 8-bit sRGB storage: one step is at most ~0.013 in linear terms near white
    np.testing.assert_allclose(r.color[i, j], want.T, atol=0.015)


def test_vertex_updates_sizes_and_topology_changes(backend):
    plane = Plane(n=20)
    first = backend.draw(plane.frame())
    moved = plane.frame()
    moved.vertices = plane.vertices + np.array([0, 0, -100], dtype=np.float32)
    r = backend.draw(moved)
    face = r.mask > 0
    assert 0 < face.sum() < (first.mask > 0).sum()  # further away: smaller
    assert r.depth[face].min() > first.depth[first.mask > 0].min() + 90
    small = backend.draw(plane.frame(width=40, height=64, cx=20.0, cy=32.0))
    assert small.mask.shape == (64, 40) and small.color.shape == (64, 40, 3)
    other = Plane(n=7)
    r7 = backend.draw(other.frame())
    assert r7.triangle_id.max() < len(other.triangles) and (r7.mask > 0).any()
    again = backend.draw(plane.frame())
    np.testing.assert_array_equal(again.mask, first.mask)
    np.testing.assert_array_equal(again.depth, first.depth)
    np.testing.assert_array_equal(again.color, first.color)


def test_importing_morphgen_loads_no_opengl():
    code = (
        "import os, sys, morphgen, morphgen.render.select, morphgen.render.pyrender_backend, "
        "morphgen.render.backgrounds; "
        "assert 'pyrender' not in sys.modules and 'OpenGL' not in sys.modules; "
        "assert 'PYOPENGL_PLATFORM' not in os.environ"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYOPENGL_PLATFORM"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def test_auto_follows_env_then_the_probe(monkeypatch):
    monkeypatch.setenv(select.ENV_VAR, "osmesa")
    assert select.resolve_backend_name("auto") == "osmesa"
    assert select.resolve_backend_name("cpu") == "cpu"  # an explicit name wins
    monkeypatch.setenv(select.ENV_VAR, "vulkan")
    with pytest.raises(MorphgenError, match="MORPHGEN_BACKEND"):
        select.resolve_backend_name("auto")
    monkeypatch.delenv(select.ENV_VAR)
    answers = {
        "llvmpipe (LLVM 15.0.6, 256 bits)": "cpu",
        "NVIDIA H100 80GB HBM3/PCIe/SSE2": "egl",
        "softpipe": "cpu",
    }
    for renderer, want in answers.items():
        info = gl_probe.GLInfo("egl", True, "vendor", renderer, "4.5")
        monkeypatch.setattr(gl_probe, "probe", lambda *a, info=info, **k: info)
        assert select.resolve_backend_name("auto") == want
    failed = gl_probe.GLInfo("egl", False, error="no EGL")
    monkeypatch.setattr(gl_probe, "probe", lambda *a, **k: failed)
    assert select.resolve_backend_name("auto") == "cpu"
    with pytest.raises(MorphgenError, match="directx"):
        select.resolve_backend_name("directx")


def test_unavailable_platform_says_what_to_install(monkeypatch):
    monkeypatch.setattr(gl_probe.ctypes.util, "find_library", lambda name: None)
    with pytest.raises(MorphgenError) as err:
        select.make_backend("osmesa")
    assert "libosmesa6" in str(err.value) and "apt-get install" in str(err.value)
    with pytest.raises(MorphgenError) as err:
        select.make_backend("egl")
    for package in ("libegl1", "libgl1", "libxrender1", "libegl-mesa0"):
        assert package in str(err.value)


def test_probe_reports_this_machine():
    info = gl_probe.probe("egl")
    if info.ok:
        assert info.renderer and info.version
        assert select.describe_gl()["renderer"] == info.renderer
    else:
        assert info.error


def test_two_backends_in_one_process(backend):
    """Closing one backend must not break another (they share the EGL display)."""
    from morphgen.render.pyrender_backend import PyrenderBackend

    plane = Plane(n=10)
    before = backend.draw(plane.frame())
    second = PyrenderBackend("egl")
    np.testing.assert_array_equal(second.draw(plane.frame()).mask, before.mask)
    second.close()
    np.testing.assert_array_equal(backend.draw(plane.frame()).mask, before.mask)


_OSMESA_CHILD = """
import sys
import numpy as np
sys.path.insert(0, {tests!r})
from test_pyrender_backend import Plane
from morphgen.render.pyrender_backend import PyrenderBackend
b = PyrenderBackend("osmesa")
r = b.draw(Plane().frame())
np.savez({out!r}, mask=r.mask, alpha=r.alpha, depth=r.depth, tid=r.triangle_id, color=r.color)
b.close()
"""


def test_osmesa_matches_egl(backend, tmp_path):
    """OSMesa (in a child: one OpenGL platform per process) draws what EGL draws."""
    missing = gl_probe.missing_requirements("osmesa")
    if missing:
        pytest.skip(f"OSMesa is not usable here: missing {'; '.join(missing)}")
    out = tmp_path / "osmesa.npz"
    code = _OSMESA_CHILD.format(tests=os.path.dirname(__file__), out=str(out))
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    got = np.load(out)
    want = backend.draw(Plane().frame())
    assert (got["mask"] == want.mask).mean() >= 0.999
    both = (got["tid"] >= 0) & (want.triangle_id >= 0)
    assert (got["tid"][both] == want.triangle_id[both]).mean() >= 0.999
    np.testing.assert_allclose(got["depth"][both], want.depth[both], atol=0.01)
    assert np.unique(got["alpha"]).size > 2, "OSMesa should anti-alias through pyrender's MSAA"
