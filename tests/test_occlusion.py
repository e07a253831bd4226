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
    Sky,
    sky_of,
    sky_visibility,
    sphere_directions,
)
from morphgen.render.pose import rotation
from morphgen.render.renderer import Renderer
from morphgen.render.shading import shade, specular_light
from morphgen.sampling.illumination import ambient_sh, directional_sh, frontal_sh, light_direction
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
    plain, shadowing = sky_of(model), sky_of(model, shadows=True)
    assert plain.open is None  # the per-direction visibility only when shadows ask for it
    assert shadowing.open.shape == (model.n_vertices, 64)
    assert np.array_equal(plain.ambient, shadowing.ambient)
    sky = plain.ambient
    regions = model.regions
    for name in ("teeth", "inner_mouth"):  # not receivers
        assert name not in RECEIVERS
        assert np.all(sky[regions == LABEL_IDS[name]] == 1.0), name
    for name in ("left_eye", "right_eye"):  # the lids and sockets shade the sclera
        assert np.percentile(sky[regions == LABEL_IDS[name]], 10) < 0.8, name
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


def test_shading_occludes_the_rest_and_shadows_the_dominant_light():
    """Irradiance against the documented rule, computed here in numpy: the dominant light's
    share D by the blend of occlusion and open sky towards the light, the rest by the
    occlusion; strengths 0 or an open sky leave the shading as it was."""
    rng = np.random.default_rng(3)
    n = 60
    normals = rng.normal(size=(n, 3)).astype(np.float32)
    normals[:, 2] = np.abs(normals[:, 2]) + 0.3
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    positions = np.column_stack([rng.normal(size=(n, 2)) * 50, np.full(n, -1000.0)])
    albedo = np.full((n, 3), 0.5, np.float32)
    lattice = sphere_directions(64)
    sky = Sky(
        rng.uniform(0.3, 1.0, n).astype(np.float32),
        rng.integers(0, 256, (n, 64)).astype(np.uint8),
        lattice,
    )
    sh = ambient_sh(np.full(3, 0.3)) + directional_sh(light_direction(40, 30), [0.9, 0.8, 0.7])
    light = Illumination(sh=sh.astype(np.float32), specular_strength=0.1)
    yaw = rotation(25.0, -10.0, 5.0)  # camera -> model: the inverse of a head pose
    plain, e_plain = shade(normals, albedo, positions, light)
    direction, rgb = specular_light(light.sh)
    nearest, weight = sky.toward(yaw @ direction)
    lit = (sky.open[:, nearest] / 255.0) @ weight
    share = np.clip(np.maximum(normals @ direction, 0)[:, None] * rgb, 0, e_plain)
    for occlusion, shadows in [(0, 0), (1, 0), (0.5, 0), (0, 1), (1, 1), (0.5, 0.5)]:
        lighting = dataclasses.replace(light, occlusion=occlusion, shadows=shadows)
        colour, e = shade(normals, albedo, positions, lighting, None, sky, yaw)
        ao = (1.0 - occlusion * (1.0 - sky.ambient))[:, None]
        direct = (1.0 - shadows) * ao + shadows * lit[:, None]
        assert np.allclose(e, ao * (e_plain - share) + direct * share, atol=2e-6)
        if occlusion == shadows == 0:
            assert np.array_equal(colour, plain) and np.array_equal(e, e_plain)
    open_sky = Sky(np.ones(n, np.float32), np.full((n, 64), 255, np.uint8), lattice)
    full = dataclasses.replace(light, occlusion=1.0, shadows=1.0)
    colour, e = shade(normals, albedo, positions, full, None, open_sky, yaw)
    assert np.allclose(e, e_plain, atol=2e-6) and np.allclose(colour, plain, atol=2e-6)
    unset, _ = shade(normals, albedo, positions, full)  # no sky given: nothing to scale
    assert np.array_equal(unset, plain)
    no_maps = dataclasses.replace(sky, open=None)  # shadows need the per-direction maps
    shadowless = dataclasses.replace(light, occlusion=1.0, shadows=1.0)
    occluded = dataclasses.replace(light, occlusion=1.0)
    assert np.array_equal(
        shade(normals, albedo, positions, shadowless, None, no_maps, yaw)[1],
        shade(normals, albedo, positions, occluded, None, sky, yaw)[1],
    )


def test_a_lights_shadow_blends_its_nearest_lattice_directions():
    sky = Sky(np.ones(1, np.float32), np.zeros((1, 64), np.uint8), sphere_directions(64))
    rng = np.random.default_rng(4)
    for d in rng.normal(size=(20, 3)):
        d /= np.linalg.norm(d)
        nearest, weight = sky.toward(d)
        cos = sky.directions @ d
        assert set(nearest) == set(np.argsort(-cos)[: len(nearest)])
        assert weight.sum() == pytest.approx(1.0) and np.all(np.diff(weight) <= 1e-7)
        assert weight[-1] < 1e-4  # the farthest of them fades in or out: no jump


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
