"""Pose, camera, normals, shading and compositing against independent formulas."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from morphgen.errors import MorphgenError
from morphgen.render import camera, compose, pose, shading
from morphgen.render.instance import combine
from morphgen.render.normals import vertex_normals
from morphgen.sampling.illumination import directional_sh, irradiance
from morphgen.scene import CameraParams, Illumination


def test_rotation_order_and_signs():
    yaw, pitch, roll = 25.0, -12.0, 7.0
    expected = Rotation.from_euler("YXZ", [yaw, pitch, roll], degrees=True).as_matrix()
    assert np.allclose(pose.rotation(yaw, pitch, roll), expected)
    face = np.array([0.0, 0.0, 1.0])
    assert pose.rotation(90, 0, 0) @ face == pytest.approx([1, 0, 0], abs=1e-12)  # subject's left
    assert (pose.rotation(0, 20, 0) @ face)[1] < 0  # positive pitch looks down
    assert (pose.rotation(0, 0, 20) @ np.array([1.0, 0, 0]))[1] > 0  # +roll lifts the left side


def test_extrinsics_place_the_pivot_in_front_of_the_camera():
    pivot = np.array([3.0, -4.0, 20.0])
    m = pose.extrinsics(30, 10, -5, (5.0, -2.0, 1.0), 1000.0, pivot)
    assert m[:3, :3] @ pivot + m[:3, 3] == pytest.approx([5.0, -2.0, -999.0])
    pts = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float32) * 50
    assert np.allclose(pose.transform(pts, m), pts @ m[:3, :3].T + m[:3, 3], atol=1e-3)


def test_focal_length_from_lens_or_field_of_view():
    assert camera.focal_pixels(CameraParams(width=227)) == pytest.approx(50 / 15 * 227)
    fov = CameraParams(width=200, fov_deg=90.0, scale=1.5)
    assert camera.focal_pixels(fov) == pytest.approx(100.0 * 1.5)
    with pytest.raises(MorphgenError, match="centring"):
        camera.intrinsics(CameraParams(centring="middle"))


def test_centring_puts_the_projected_box_in_the_middle_then_shifts():
    rng = np.random.default_rng(1)
    pts = rng.normal(size=(50, 3)) * 30 + [40.0, -25.0, -900.0]
    cam = CameraParams(width=160, height=120, centring="facebox", shift=(0.1, -0.05))
    k = camera.intrinsics(cam, pts)
    u = k.cx + k.fx * pts[:, 0] / -pts[:, 2]
    v = k.cy - k.fy * pts[:, 1] / -pts[:, 2]
    assert (u.min() + u.max()) / 2 == pytest.approx(80 + 16)
    assert (v.min() + v.max()) / 2 == pytest.approx(60 - 6)
    none = camera.intrinsics(CameraParams(centring="none", principal_offset=(2.0, 3.0)), pts)
    assert (none.cx, none.cy) == (130.0, 131.0)


def test_vertex_normals_of_a_sphere_point_outwards():
    rot = Rotation.random(400, random_state=2).as_matrix()[:, :, 2]
    from scipy.spatial import ConvexHull

    hull = ConvexHull(rot)
    tris = hull.simplices.copy()
    # orient counter-clockwise from outside
    a, b, c = rot[tris[:, 0]], rot[tris[:, 1]], rot[tris[:, 2]]
    flip = np.einsum("ij,ij->i", np.cross(b - a, c - a), a) < 0
    tris[flip] = tris[flip][:, ::-1]
    n = vertex_normals(rot * 50.0, tris)
    assert np.einsum("ij,ij->i", n, rot).min() > 0.97
    assert np.allclose(np.linalg.norm(n, axis=1), 1.0, atol=1e-5)


def test_constant_light_on_white_albedo_gives_the_predicted_grey():
    level = 0.6
    sh = np.zeros((9, 3), dtype=np.float32)
    sh[0] = level
    normals = Rotation.random(100, random_state=3).as_matrix()[:, :, 0].astype(np.float32)
    white = np.ones((100, 3), dtype=np.float32)
    out, irr = shading.shade(normals, white, -normals * 10 - [0, 0, 500], Illumination(sh=sh))
    assert np.allclose(out, np.sqrt(np.pi) / 2 * level, atol=1e-6)
    assert np.allclose(irr, out)


def test_sh_shading_matches_the_samplers_irradiance():
    rng = np.random.default_rng(4)
    sh = rng.normal(size=(9, 3)).astype(np.float32) * 0.3
    n = rng.normal(size=(200, 3))
    n = (n / np.linalg.norm(n, axis=1, keepdims=True)).astype(np.float32)
    _, irr = shading.shade(n, np.ones_like(n), n - [0, 0, 500], Illumination(sh=sh))
    assert np.allclose(irr, irradiance(sh, n), atol=1e-5)


def test_colour_transform_and_specular():
    n = np.array([[0.0, 0.0, 1.0]], dtype=np.float32)
    pos = np.array([[0.0, 0.0, -500.0]], dtype=np.float32)
    albedo = np.array([[0.2, 0.4, 0.6]], dtype=np.float32)
    sh = np.zeros((9, 3), np.float32)
    sh[0] = 1 / (np.sqrt(np.pi) / 2)  # irradiance 1
    flat = Illumination(sh=sh, contrast=0.0, gain=(2.0, 1.0, 1.0), offset=(0.0, 0.1, 0.0))
    lum = 0.2126 * 0.2 + 0.7152 * 0.4 + 0.0722 * 0.6
    out, _ = shading.shade(n, albedo, pos, flat)
    assert out[0] == pytest.approx([2 * lum, lum + 0.1, lum], abs=1e-6)
    # a light from the camera: the half vector is the normal, full specular highlight
    light = Illumination(sh=directional_sh([0, 0, 1], [0.5, 0.5, 0.5]).astype(np.float32),
                         specular_strength=0.3)  # fmt: skip
    dull = Illumination(sh=light.sh)
    shiny, _ = shading.shade(n, albedo, pos, light)
    plain, _ = shading.shade(n, albedo, pos, dull)
    assert shiny[0] - plain[0] == pytest.approx([0.15, 0.15, 0.15], abs=1e-5)


def test_specular_matches_blinn_phong_within_the_floor():
    rng = np.random.default_rng(7)
    n = rng.normal(size=(4000, 3))
    n = (n / np.linalg.norm(n, axis=1, keepdims=True)).astype(np.float32)
    pos = (rng.normal(size=(4000, 3)) * 40 + [0, 0, -600]).astype(np.float32)
    direction = np.array([0.3, 0.5, 0.8]) / np.linalg.norm([0.3, 0.5, 0.8])
    sh = directional_sh(direction, [0.6, 0.5, 0.4]).astype(np.float32)
    light = Illumination(sh=sh, specular_strength=0.7, specular_shininess=20.0)
    out, _ = shading.shade(n, np.zeros_like(n), pos, light)
    ldir, rgb = shading.specular_light(sh)
    h = ldir - pos / np.linalg.norm(pos, axis=1, keepdims=True)
    nh = np.einsum("ij,ij->i", n, h / np.linalg.norm(h, axis=1, keepdims=True))
    lit = (n @ ldir > 0) & (nh > 0)
    expected = np.where(lit, 0.7 * np.clip(nh, 0, None) ** 20.0, 0.0)[:, None] * rgb
    assert (expected > 0.05).sum() > 20  # the test sees real highlights
    bound = shading.SPECULAR_FLOOR * 0.7 * rgb.max() + 1e-5
    np.testing.assert_allclose(out, np.clip(expected, 0, 1), atol=bound)


def test_composite_in_linear_light():
    bg = np.full((2, 2, 3), 0.5, dtype=np.float32)
    color = np.full((2, 2, 3), 1.0, dtype=np.float32)
    alpha = np.array([[0.0, 1.0], [0.5, 0.25]], dtype=np.float32)
    out = compose.composite(color, alpha, bg)
    assert (out[0, 0] == 128).all() and (out[0, 1] == 255).all()
    lin = 0.5 + 0.5 * compose.srgb_to_linear(np.float32(0.5))
    assert abs(int(out[1, 0, 0]) - compose.linear_to_srgb(lin) * 255) <= 0.6
    x = np.linspace(0, 1, 5001, dtype=np.float32)
    error = compose.encode_srgb8(x).astype(float) - compose.linear_to_srgb(x) * 255
    assert np.abs(error).max() <= 0.51


def test_batched_instances_are_bit_identical_to_single_ones():
    rng = np.random.default_rng(5)
    basis = rng.normal(size=(3000, 40)).astype(np.float32)
    mean = rng.normal(size=3000).astype(np.float32)
    w = rng.normal(size=(7, 40)).astype(np.float32)
    batch = combine(basis, w, mean)
    assert np.allclose(batch, mean + w @ basis.T, atol=1e-4)
    for b in range(7):
        assert np.array_equal(combine(basis, w[b : b + 1], mean)[0], batch[b])
