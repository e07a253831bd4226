"""Ambient occlusion: depth-map sky visibility against brute-force ray casting, the shading
it scales, the default head's cavities, and what it does to a rendered face."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from morphgen.config import parse_config
from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.render.occlusion import (
    BOUNCE,
    RECEIVERS,
    sky_visibility,
    sky_visibility_of,
    sphere_directions,
)
from morphgen.render.renderer import Renderer
from morphgen.render.shading import shade
from morphgen.sampling.illumination import frontal_sh
from morphgen.sampling.sampler import Sampler
from morphgen.scene import CameraParams, Illumination, SceneParams


@pytest.fixture(scope="module")
def model():
    return load_model()


def grid(n: int, corner: np.ndarray, du: np.ndarray, dv: np.ndarray):
    """A square of ``n x n`` quads: vertices and counter-clockwise triangles (normal du x dv)."""
    s = np.linspace(0.0, 1.0, n + 1)
    v = corner + s[:, None, None] * du + s[None, :, None] * dv
    k = np.arange((n + 1) ** 2).reshape(n + 1, n + 1)
    a, b, c, d = k[:-1, :-1], k[1:, :-1], k[1:, 1:], k[:-1, 1:]
    tris = np.concatenate([np.stack([a, b, c], -1), np.stack([a, c, d], -1)]).reshape(-1, 3)
    return v.reshape(-1, 3), tris


def cup(depth: float, n: int = 8):
    """An open box: a 2 x 2 floor facing up (+z) and four walls ``depth`` high, facing in."""
    parts = [grid(n, np.array([-1.0, -1.0, 0.0]), np.array([2.0, 0, 0]), np.array([0, 2.0, 0]))]
    h = np.array([0, 0, depth])
    for corner, along in (
        ((-1, -1), (2, 0)), ((1, -1), (0, 2)), ((1, 1), (-2, 0)), ((-1, 1), (0, -2)),
    ):  # fmt: skip
        c = np.array([*corner, 0.0])
        parts.append(grid(n, c, h, np.array([*along, 0.0])))
    vertices, triangles, offset = [], [], 0
    for v, t in parts:
        vertices.append(v)
        triangles.append(t + offset)
        offset += len(v)
    return np.concatenate(vertices), np.concatenate(triangles), (n + 1) ** 2


def ray_cast_visibility(vertices, triangles, points, normals, rays: int = 4000) -> np.ndarray:
    """Cosine-weighted open-sky share by Monte Carlo ray casting (Moller-Trumbore)."""
    rng = np.random.default_rng(0)
    a, b, c = (vertices[triangles[:, k]] for k in range(3))
    e1, e2 = b - a, c - a
    out = []
    for p, n in zip(points, normals, strict=True):
        d = rng.normal(size=(rays, 3))
        d /= np.linalg.norm(d, axis=1, keepdims=True)
        d = d[d @ n > 0]
        origin = p + 1e-4 * n
        pvec = np.cross(d[:, None, :], e2[None])
        det = np.einsum("tk,rtk->rt", e1, pvec)
        ok = np.abs(det) > 1e-12
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        tvec = origin - a
        u = np.einsum("tk,rtk->rt", tvec, pvec) * inv
        qvec = np.cross(tvec, e1)
        v = (d @ qvec.T) * inv
        dist = np.einsum("tk,tk->t", e2, qvec)[None, :] * inv
        hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (dist > 1e-6)
        cos = d @ n
        out.append(np.sum(cos * ~hit.any(axis=1)) / np.sum(cos))
    return np.array(out)


@pytest.mark.parametrize("depth", [0.5, 1.0, 2.0])
def test_depth_maps_agree_with_ray_casting(depth):
    vertices, triangles, floor = cup(depth)
    receivers = np.arange(floor)
    inner = np.flatnonzero(np.abs(vertices[:floor, :2]).max(axis=1) < 0.8)[::2]
    up = np.tile([0.0, 0.0, 1.0], (len(inner), 1))
    truth = ray_cast_visibility(vertices, triangles, vertices[inner], up)
    # many directions: the depth maps' own error; the default 64: unbiased, noisier
    fine = sky_visibility(vertices, triangles, receivers, directions=1024)
    assert np.abs(fine[inner] - truth).max() < 0.05
    seen = sky_visibility(vertices, triangles, receivers)
    assert abs(np.mean(seen[inner] - truth)) < 0.025
    assert np.abs(seen[inner] - truth).max() < 0.12
    centre = inner[np.argmin(np.linalg.norm(vertices[inner, :2], axis=1))]
    # the centre of a 2 x 2 floor sees the sky through a square opening: less the deeper
    assert seen[centre] < {0.5: 0.9, 1.0: 0.7, 2.0: 0.35}[depth]


def test_an_open_convex_surface_sees_the_whole_sky():
    v, t = grid(10, np.array([-1.0, -1.0, 0.0]), np.array([2.0, 0, 0]), np.array([0, 2.0, 0]))
    assert np.all(sky_visibility(v, t, np.arange(len(v))) > 0.99)
    directions = sphere_directions(64)
    assert np.allclose(np.linalg.norm(directions, axis=1), 1.0)
    assert np.linalg.norm(directions.mean(axis=0)) < 0.02


def test_the_default_heads_cavities_are_darker(model):
    sky = sky_visibility_of(model)
    regions = model.regions
    for name in ("left_eye", "right_eye", "teeth", "inner_mouth"):  # not receivers
        assert name not in RECEIVERS
        assert np.all(sky[regions == LABEL_IDS[name]] == 1.0), name
    assert sky.min() >= BOUNCE - 1e-6
    v = model.mean_vertices()
    skin = regions == LABEL_IDS["skin"]
    scalp = regions == LABEL_IDS["scalp"]
    ears = np.isin(regions, [LABEL_IDS["left_ear"], LABEL_IDS["right_ear"]])
    assert np.median(sky[scalp]) > 0.95  # the top of a head is open sky
    assert np.median(sky[ears]) < np.median(sky[skin]) - 0.2  # ear folds
    # the nostrils: nose vertices below the tip and behind it
    nose = np.flatnonzero(regions == LABEL_IDS["nose"])
    tip = nose[np.argmax(v[nose, 2])]
    inside = nose[(v[nose, 1] < v[tip, 1]) & (v[nose, 2] < v[tip, 2] - 8.0)]
    assert len(inside) > 20 and np.median(sky[inside]) < 0.6


def test_shading_scales_irradiance_and_highlight_by_the_occlusion():
    rng = np.random.default_rng(3)
    n = 50
    normals = rng.normal(size=(n, 3)).astype(np.float32)
    normals[:, 2] = np.abs(normals[:, 2]) + 0.5
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    positions = np.column_stack([rng.normal(size=(n, 2)) * 50, np.full(n, -1000.0)])
    albedo = np.full((n, 3), 0.5, np.float32)
    sky = rng.uniform(0.3, 1.0, n).astype(np.float32)
    light = Illumination(sh=frontal_sh(0.5, 0.3).astype(np.float32), specular_strength=0.1)
    plain, e_plain = shade(normals, albedo, positions, light)
    for strength in (0.0, 0.5, 1.0):
        lit = dataclasses.replace(light, occlusion=strength)
        colour, e = shade(normals, albedo, positions, lit, None, sky)
        factor = (1.0 - strength * (1.0 - sky))[:, None]
        assert np.allclose(e, e_plain * factor, rtol=1e-5, atol=1e-6)
        assert np.allclose(colour, np.clip(plain * factor, 0, 1), rtol=1e-4, atol=1e-5)
    unset, _ = shade(normals, albedo, positions, dataclasses.replace(light, occlusion=1.0))
    assert np.array_equal(unset, plain)  # no visibility given: nothing to scale


def test_the_config_sets_the_strength_per_image(model):
    s = Sampler(parse_config({"appearance": {"occlusion": 0.4}}), model)
    assert s.scene(0, 0).illumination.occlusion == pytest.approx(0.4)
    assert Sampler(parse_config({}), model).scene(0, 0).illumination.occlusion == 1.0
    spread = {"dist": "uniform", "low": -1.0, "high": 2.0}  # clipped to [0, 1]
    s = Sampler(parse_config({"appearance": {"occlusion": spread}}), model)
    values = [s.scene(0, j).illumination.occlusion for j in range(40)]
    assert min(values) == 0.0 and max(values) == 1.0
    back = SceneParams.from_dict(s.scene(0, 3).to_dict())
    assert back.illumination.occlusion == s.scene(0, 3).illumination.occlusion


def test_rendered_cavities_darken_and_open_skin_barely(model):
    """A face from below: a twentieth of the nose's pixels (its nostrils) darken by a
    quarter or more with full occlusion, the skin's typical pixel by under 2%."""
    scene = SceneParams(
        identity=0, sample=0, shape=np.zeros(8, np.float32), color=np.zeros(8, np.float32),
        expression=np.zeros(0, np.float32), blendshapes=np.zeros(0, np.float32), yaw=0.0,
        pitch=-25.0, roll=0.0, camera=CameraParams(width=256, height=256),
        illumination=Illumination(sh=frontal_sh(0.6, 0.2).astype(np.float32)),
    )  # fmt: skip
    renderer = Renderer(model, "cpu", outputs=frozenset({"mask"}))
    grey, masks = {}, {}
    for strength in (0.0, 1.0):
        lit = dataclasses.replace(scene.illumination, occlusion=strength)
        sample = renderer.render(dataclasses.replace(scene, illumination=lit))
        grey[strength] = sample.rgb.astype(np.float64).mean(axis=2)
        masks[strength] = sample.mask
    renderer.close()
    assert np.array_equal(masks[0.0], masks[1.0])  # light only: the labels do not move
    nose = masks[0.0] == LABEL_IDS["nose"]
    skin = masks[0.0] == LABEL_IDS["skin"]
    assert nose.sum() > 300 and skin.sum() > 3000
    before, after = grey[0.0], grey[1.0]
    ratio = after / np.maximum(before, 1.0)
    assert np.percentile(ratio[nose], 5) < 0.75  # the nostrils
    assert np.median(ratio[skin]) > 0.98
    assert np.all(after <= before + 1)  # occlusion only ever darkens
