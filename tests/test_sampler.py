"""Sampler: purity in (seed, i, j), stability when the plan grows, min_distance, grids, presets,
illumination priors, backgrounds, augmentation ops; every ready config samples (and renders)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from morphgen.config import load_config, parse_config
from morphgen.config.presets import ANTAGONISTS, JAW_COMPANIONS, PRESETS
from morphgen.errors import ConfigError
from morphgen.model.morphable import Blendshapes
from morphgen.model.synthetic import synthetic_model
from morphgen.render.renderer import Renderer
from morphgen.sampling import illumination as il
from morphgen.sampling.sampler import Sampler

ROOT = Path(__file__).resolve().parent.parent
ICT_NAMES = sorted(
    {name for preset in PRESETS.values() for name in preset} | {"noseSneer_L", "mouthClose"}
)


def small_model(blendshapes: bool = True):
    """A tiny synthetic head; optionally with ARKit-named blendshapes (random deltas)."""
    model = synthetic_model(n_lat=24, n_lon=36, components=(12, 10, 6))
    if blendshapes:
        rng = np.random.default_rng(1)
        deltas = rng.normal(0, 1, (3 * model.n_vertices, len(ICT_NAMES))).astype(np.float32)
        model.blendshapes = Blendshapes(list(ICT_NAMES), deltas)
    return model


MODEL = small_model()


def sampler(data: dict, model=MODEL) -> Sampler:
    return Sampler(parse_config(data), model)


def scene_json(s: Sampler, i: int, j: int) -> str:
    return json.dumps(s.scene(i, j).to_dict(), sort_keys=True)


RICH = {
    "seed": 7,
    "identities": {"count": 4, "images_per_identity": {"dist": "uniform", "low": 1, "high": 6}},
    "expression": {"blendshapes": {"probability": 0.3}, "presets": {"probability": 0.5}},
    "augment": {k: {"probability": 0.5} for k in ("blur", "noise", "jpeg", "resample")},
}


def test_scene_is_a_pure_function_of_seed_i_j():
    a, b = sampler(RICH), sampler(RICH)
    pairs = [(i, j) for i in range(4) for j in range(3)]
    forward = {p: scene_json(a, *p) for p in pairs}
    shuffled = pairs[:]
    random.Random(3).shuffle(shuffled)
    backward = {p: scene_json(b, *p) for p in shuffled}  # another worker, another order
    assert forward == backward
    assert len(set(forward.values())) == len(pairs)


def test_growing_the_plan_leaves_existing_draws_unchanged():
    small = sampler(RICH)
    big_data = dict(RICH, identities={"count": 9, "images_per_identity": 12})
    big = sampler(big_data)
    for i in range(4):
        assert np.array_equal(small.identity(i)[0], big.identity(i)[0])
        assert np.array_equal(small.identity(i)[1], big.identity(i)[1])
        for j in range(small.images_for(i)):
            assert scene_json(small, i, j) == scene_json(big, i, j)


def test_images_per_identity_depends_on_seed_and_identity_only():
    s = sampler(RICH)
    counts = [s.images_for(i) for i in range(4)]
    other = sampler(dict(RICH, identities=dict(RICH["identities"], count=40)))
    assert [other.images_for(i) for i in range(4)] == counts
    assert all(1 <= c <= 6 for c in counts)
    assert s.plan() == [(i, j) for i in range(4) for j in range(counts[i])]
    reseeded = sampler(dict(RICH, seed=8))
    assert scene_json(reseeded, 0, 0) != scene_json(s, 0, 0)


def test_adding_a_factor_does_not_shift_the_others():
    base = sampler({"seed": 1})
    more = sampler({"seed": 1, "augment": {"noise": {"probability": 1.0}}})
    a, b = base.scene(2, 3), more.scene(2, 3)
    assert (a.yaw, a.pitch, a.roll) == (b.yaw, b.pitch, b.roll)
    assert np.array_equal(a.illumination.sh, b.illumination.sh)
    assert b.augment and not a.augment


def test_min_distance_is_achieved_and_reported():
    free = sampler({"identities": {"count": 30, "shape": {"components": 4}}})
    nn_free = free.nearest_neighbour_distances()
    threshold = float(np.quantile(nn_free, 0.7))
    assert nn_free.min() < threshold  # without the constraint some identities are closer
    data = {
        "identities": {
            "count": 30,
            "shape": {"components": 4},
            "min_distance": {"distance": threshold, "max_tries": 500},
        }
    }
    constrained = sampler(data)
    nn = constrained.nearest_neighbour_distances()
    assert nn.min() >= threshold
    # identity 0 has no one to avoid, so it equals the unconstrained draw
    assert np.array_equal(constrained.identity(0)[0], free.identity(0)[0])


def test_shape_rms_distance_is_the_vertex_rms_distance():
    s = sampler({"identities": {"count": 2, "min_distance": {"distance": 1e-6}}})
    (a, ca), (b, cb) = s.identity(0), s.identity(1)
    va, vb = MODEL.shape_instance(a), MODEL.shape_instance(b)
    rms = np.sqrt(np.mean(np.sum((va.astype(np.float64) - vb) ** 2, axis=1)))
    feats = s.identities.features(a, ca) - s.identities.features(b, cb)
    assert np.isclose(np.linalg.norm(feats), rms, rtol=1e-3)


def test_grids_iterate_as_a_product_last_fastest():
    data = {
        "identities": {"count": 2, "images_per_identity": "grid"},
        "pose": {"yaw": {"dist": "grid", "start": -90, "stop": 90, "step": 15}},
        "illumination": {
            "ambient": 0,
            "lights": 1,
            "intensity": 1,
            "temperature_k": 6500,
            "elevation_deg": 0,
            "azimuth_deg": {"dist": "grid", "values": [-60, -30, 0, 30, 60]},
        },
    }
    s = sampler(data)
    assert s.images_for(0) == 65 and len(s.plan()) == 130
    for j in (0, 1, 4, 5, 23, 64):
        sc = s.scene(1, j)
        assert sc.yaw == -90 + 15 * (j // 5)
        band1 = sc.illumination.sh[1:4].mean(axis=1)  # (y, z, x) of the light direction
        azimuth = np.degrees(np.arctan2(band1[2], band1[1]))
        assert np.isclose(azimuth, [-60, -30, 0, 30, 60][j % 5], atol=1e-3)


def test_expression_presets_neutral_and_sparse_blendshapes():
    smile = sampler(
        {
            "expression": {
                "neutral_probability": 0,
                "blendshapes": {"probability": 0},
                "presets": {"probability": 1, "weights": {"smile": 1}},
            },
            "appearance": {"rest": {"lids": 0}},  # no resting face under the preset
        }
    )
    w = smile.scene(0, 0).blendshapes
    active = {ICT_NAMES[k] for k in np.flatnonzero(w)}
    assert active == {"mouthSmile_L", "mouthSmile_R"}
    sparse = sampler(
        {
            "expression": {
                "neutral_probability": 0,
                "blendshapes": {"probability": 0.2, "max_active": None},
            }
        }
    )
    weights = np.stack([sparse.scene(0, j).blendshapes for j in range(300)])
    tied = {n for pair in ANTAGONISTS for n in pair} | set(JAW_COMPANIONS)
    free = [k for k, n in enumerate(ICT_NAMES) if n not in tied]
    assert len(free) >= 6
    assert abs(np.mean(weights[:, free] > 0) - 0.2) < 0.03
    assert weights.min() >= 0 and weights.max() <= 1
    neutral = sampler({"expression": {"neutral_probability": 0.3}})
    zero = [not neutral.scene(0, j).expression.any() for j in range(400)]
    assert abs(np.mean(zero) - 0.3) < 0.07


def test_random_expressions_are_constrained_and_presets_are_not():
    """Antagonists never together, mouthClose at most jawOpen, an open jaw's companions, at
    most max_active (companions aside), PCA draws within max_radius; presets unconstrained."""
    cfg = {
        "expression": {
            "neutral_probability": 0,
            "scale": 1.5,
            "max_radius": 2.0,
            "blendshapes": {"probability": 0.5, "max_active": 3, "symmetry": 0},
        },
        "appearance": {"rest": {"lids": 0}},  # random activations only
    }
    s = sampler(cfg)
    index = {n: k for k, n in enumerate(ICT_NAMES)}
    pairs = [(index[a], index[b]) for a, b in ANTAGONISTS if a in index and b in index]
    assert pairs
    scenes = [s.scene(0, j) for j in range(200)]
    weights = np.stack([sc.blendshapes for sc in scenes])
    for a, b in pairs:
        assert not np.any((weights[:, a] > 0) & (weights[:, b] > 0)), (ICT_NAMES[a], ICT_NAMES[b])
    close, jaw = index["mouthClose"], index["jawOpen"]
    assert np.all(weights[:, close] <= weights[:, jaw]) and weights[:, close].max() > 0
    for name, fraction in JAW_COMPANIONS.items():  # an open jaw shows the front teeth
        assert np.all(weights[:, index[name]] >= fraction * weights[:, jaw] - 1e-6), name
    companions = [index[name] for name in JAW_COMPANIONS]
    counts = (weights > 0).sum(axis=1) - (weights[:, companions] > 0).sum(axis=1)
    assert counts.max() == 3  # reached (p = 0.5 of 26) and never exceeded but by companions
    norms = np.linalg.norm(np.stack([sc.expression for sc in scenes]), axis=1)
    assert norms.max() <= 1.5 * 2.0 + 1e-4 and norms.max() > 1.5 * 2.0 - 1e-3
    unconstrained = sampler({"expression": {**cfg["expression"], "max_radius": None}})
    free = [np.linalg.norm(unconstrained.scene(0, j).expression) for j in range(200)]
    assert max(free) > 1.5 * 2.0 * 1.5  # a 6-component N(0, 1) often lies beyond radius 2
    strong = sampler(
        {
            "expression": {
                "neutral_probability": 0,
                "blendshapes": {"probability": 0, "max_active": 1},
                "presets": {"probability": 1, "weights": {"surprise": 1}, "strength": 1.0},
            }
        }
    )
    w = strong.scene(0, 0).blendshapes  # 7 blendshapes at full weight: max_active ignored
    assert {ICT_NAMES[k]: float(w[k]) for k in np.flatnonzero(w)} == pytest.approx(
        PRESETS["surprise"]
    )


GAZE = [f"eyeLook{way}_{side}" for way in ("Up", "Down", "In", "Out") for side in "LR"]
SIDED = ["browDown", "eyeSquint", "mouthSmile", "mouthFrown", "cheekPuff"]
TWIN_NAMES = GAZE + [f"{n}_{side}" for n in SIDED for side in "LR"] + ["jawOpen", "mouthPucker"]


def twin_sampler(**blendshapes) -> tuple[Sampler, dict[str, int]]:
    """A sampler over a model with every gaze blendshape, five sided pairs and two unsided."""
    model = synthetic_model(n_lat=24, n_lon=36, components=(12, 10, 6))
    deltas = np.random.default_rng(2).normal(0, 1, (3 * model.n_vertices, len(TWIN_NAMES)))
    model.blendshapes = Blendshapes(list(TWIN_NAMES), deltas.astype(np.float32))
    cfg = {
        "expression": {
            "neutral_probability": 0,
            "blendshapes": {"probability": 0.3, "max_active": None, **blendshapes},
        },
        "appearance": {"rest": {"lids": 0}},
    }
    return sampler(cfg, model), {n: k for k, n in enumerate(TWIN_NAMES)}


def test_random_gaze_moves_both_eyes_the_same_way():
    """Looking left is the left eye's eyeLookOut with the right eye's eyeLookIn (ARKit), and
    the same weight on both; never both eyes in or out, never one eye alone."""
    for symmetry in (0.0, 1.0):
        s, ix = twin_sampler(symmetry=symmetry)
        w = np.stack([s.scene(0, j).blendshapes for j in range(300)])
        on = {name: w[:, k] for name, k in ix.items()}.__getitem__
        for a, b in [("Up_L", "Up_R"), ("Down_L", "Down_R"), ("Out_L", "In_R"), ("In_L", "Out_R")]:
            assert np.array_equal(on("eyeLook" + a), on("eyeLook" + b)), (a, b)
            assert np.count_nonzero(on("eyeLook" + a)) > 20
        for a, b in [("In_L", "In_R"), ("Out_L", "Out_R"), ("Up_L", "Down_R")]:
            assert not np.any((on("eyeLook" + a) > 0) & (on("eyeLook" + b) > 0)), (a, b)


def test_symmetric_expressions_mirror_one_side():
    """With ``symmetry: 1`` each sided pair is active on both sides or neither, the follower
    at twin_ratio (one per image) of the leader, either side leading; at 0 the sides are
    independent draws (one side alone about as often as chance says)."""
    s, ix = twin_sampler(symmetry=1.0, twin_ratio={"dist": "uniform", "low": 0.6, "high": 0.9})
    w = np.stack([s.scene(0, j).blendshapes for j in range(300)])
    left = w[:, [ix[f"{n}_L"] for n in SIDED]]
    right = w[:, [ix[f"{n}_R"] for n in SIDED]]
    assert np.array_equal(left > 0, right > 0) and np.count_nonzero(left) > 100
    both = (left > 0) & (right > 0)
    ratio = np.where(left >= right, right / np.maximum(left, 1e-9), left / np.maximum(right, 1e-9))
    assert ratio[both].min() >= 0.6 - 1e-6 and ratio[both].max() <= 0.9 + 1e-6
    for k in range(len(w)):  # one ratio per image
        if both[k].any():
            assert np.ptp(ratio[k][both[k]]) < 1e-5
    leads_left = (left > right)[both].mean()
    assert 0.35 < leads_left < 0.65
    s, ix = twin_sampler(symmetry=0.0)
    w = np.stack([s.scene(0, j).blendshapes for j in range(300)])
    left = w[:, [ix[f"{n}_L"] for n in SIDED]] > 0
    right = w[:, [ix[f"{n}_R"] for n in SIDED]] > 0
    alone = np.mean(left ^ right)
    assert alone > 0.2  # independent at p = 0.3 (antagonists aside): 2 x 0.3 x 0.7 = 0.42


def test_presets_need_named_blendshapes():
    with pytest.raises(ConfigError, match="expression.presets"):
        sampler({"expression": {"presets": {"probability": 0.5}}}, small_model(blendshapes=False))
    named = small_model()
    named.blendshapes = Blendshapes(["jawOpen"], named.blendshapes.deltas[:, :1])
    with pytest.raises(ConfigError, match="mouthSmile_L"):
        sampler({"expression": {"presets": {"probability": 0.5, "weights": {"smile": 1}}}}, named)


AUGMENTS = ("blur", "resample", "color_jitter", "noise", "jpeg")


def test_pose_camera_and_augment_follow_the_config():
    s = sampler(
        {
            "pose": {"yaw": {"dist": "uniform", "low": 10, "high": 20}, "roll": 3},
            "camera": {"width": 100, "height": 80, "fov_deg": 30, "centring": "landmarks"},
            "augment": {k: {"probability": 1.0} for k in RICH["augment"]}
            | {"color_jitter": {"probability": 1.0}},
        }
    )
    sc = s.scene(0, 0)
    assert 10 <= sc.yaw < 20 and sc.roll == 3
    assert (sc.camera.width, sc.camera.height, sc.camera.fov_deg) == (100, 80, 30)
    assert [op["op"] for op in sc.augment] == list(AUGMENTS)
    assert 30 <= sc.augment[-1]["quality"] <= 90 and isinstance(sc.augment[3]["seed"], int)


def test_backgrounds_from_a_directory_or_procedural(tmp_path):
    bg = tmp_path / "bg"
    (bg / "sub").mkdir(parents=True)
    from PIL import Image

    for name, fmt in (("a.png", "PNG"), ("b.JPG", "JPEG"), ("sub/c.webp", "WEBP")):
        Image.new("RGB", (8, 8), (90, 120, 200)).save(bg / name, format=fmt)
    (bg / "notes.txt").write_bytes(b"x")
    s = sampler({"background": {"directory": str(bg)}})
    specs = [s.scene(0, j).background for j in range(40)]
    assert {b["kind"] for b in specs} == {"image"}
    assert {b["index"] for b in specs} == {0, 1, 2}
    proc = sampler({"background": {"kinds": {"solid": 1, "noise": 3}}})
    kinds = [proc.scene(0, j).background["kind"] for j in range(200)]
    assert abs(kinds.count("noise") / 200 - 0.75) < 0.1
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no images"):
        sampler({"background": {"directory": str(tmp_path / "empty")}})


def test_background_defocus_is_drawn_for_detailed_kinds_only():
    kinds = {"solid": 1, "texture": 1, "noise": 1}
    uniform = {"dist": "uniform", "low": 2.0, "high": 3.0}
    s = sampler({"background": {"kinds": kinds, "defocus": uniform}})
    specs = [s.scene(0, j).background for j in range(60)]
    blurred = [b for b in specs if b["kind"] in ("texture", "noise")]
    assert blurred and all(2.0 <= b["defocus"] <= 3.0 for b in blurred)
    assert all("defocus" not in b for b in specs if b["kind"] == "solid")
    # the kind and seed streams are the same with and without a defocus distribution
    sharp = sampler({"background": {"kinds": kinds, "defocus": 0.0}})
    assert [(b["kind"], b["seed"]) for b in specs] == [
        (b["kind"], b["seed"]) for b in (sharp.scene(0, j).background for j in range(60))
    ]
    grid_values = {"dist": "grid", "values": [0.0, 4.0]}
    grid = sampler({"background": {"kinds": {"texture": 1}, "defocus": grid_values}})
    assert [grid.scene(0, j).background["defocus"] for j in range(4)] == [0.0, 4.0, 0.0, 4.0]


# ----------------------------------------------------------------- illumination
def sphere(n: int = 4000) -> np.ndarray:
    """Fibonacci points on the unit sphere (near-uniform)."""
    k = np.arange(n) + 0.5
    z = 1 - 2 * k / n
    phi = np.pi * (1 + 5**0.5) * k
    r = np.sqrt(1 - z * z)
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)


def test_sh_basis_is_orthonormal():
    pts = sphere()
    basis = il.sh_basis(pts)
    gram = basis.T @ basis * (4 * np.pi / len(pts))
    assert np.allclose(gram, np.eye(9), atol=1e-3)


def test_ambient_frontal_and_directional_irradiance():
    n = sphere(500)
    assert np.allclose(il.irradiance(il.ambient_sh([0.2, 0.5, 0.9]), n), [0.2, 0.5, 0.9])
    frontal = il.irradiance(il.frontal_sh(0.8, 0.2), n)
    assert np.allclose(frontal, (0.8 + 0.2 * n[:, 2])[:, None])
    d = il.light_direction(30.0, 20.0)
    e = il.irradiance(il.directional_sh(d, [1.0, 1.0, 1.0]), n)[:, 0]
    clamped = np.clip(n @ d, 0, None)
    assert np.abs(e - clamped).max() < 0.2  # band-limited clamped cosine
    assert np.allclose(n[np.argmax(e)], d, atol=0.1)


def test_colour_temperature():
    white = il.temperature_rgb(6500)
    assert np.allclose(white, white.mean(), rtol=0.1)
    warm, cool = il.temperature_rgb(3000), il.temperature_rgb(9000)
    assert warm[0] > warm[1] > warm[2]
    assert cool[2] > cool[0]


def test_grey_and_fixed_energy():
    sh = np.random.default_rng(0).normal(size=(9, 3))
    grey = il.finish(sh, grey=True, fix_energy=None)
    assert np.allclose(grey[:, 0], grey[:, 1]) and np.allclose(grey[:, 1], grey[:, 2])
    assert np.isclose(np.sum(il.finish(sh, grey=False, fix_energy=2.5) ** 2), 2.5, rtol=1e-5)


def write_rps(path: Path, sh: np.ndarray, version: str) -> None:
    light = {"coefficients": sh.tolist(), "@type": "SphericalHarmonicsLight"}
    key = "environmentMap" if version == "V4.0" else "illumination"
    path.write_text(json.dumps({"version": version, key: light, "pose": {}}))


def test_basel_rps_lights_empirical_and_fitted_normal(tmp_path):
    rng = np.random.default_rng(0)
    lights = rng.normal(0.3, 0.1, size=(6, 9, 3))
    for k, sh in enumerate(lights):
        write_rps(tmp_path / f"light{k}.rps", sh, "V4.0" if k % 2 else "V3.0")
    assert np.allclose(il.read_rps(tmp_path / "light1.rps"), lights[1])
    emp = sampler({"illumination": {"kind": "empirical", "directory": str(tmp_path)}})
    drawn = np.stack([emp.scene(0, j).illumination.sh for j in range(30)])
    dist = np.abs(drawn[:, None] - lights[None].astype(np.float32)).max(axis=(2, 3))
    assert np.all(dist.min(axis=1) < 1e-6)  # every draw is one of the files' lights
    fitted = sampler({"illumination": {"kind": "normal", "directory": str(tmp_path)}})
    mean = np.mean([fitted.scene(0, j).illumination.sh for j in range(2000)], axis=0)
    assert np.allclose(mean, lights.mean(axis=0), atol=0.02)
    (tmp_path / "bad.rps").write_text('{"version": "V4.0"}')
    with pytest.raises(ConfigError, match="bad.rps"):
        sampler({"illumination": {"kind": "empirical", "directory": str(tmp_path)}})


def test_frontal_light_matches_basel():
    s = sampler({"illumination": {"kind": "frontal"}})
    assert np.allclose(s.scene(0, 0).illumination.sh, il.frontal_sh(0.8, 0.2))


# -------------------------------------------------------------- ready configs
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


def small_version(path: Path):
    """A ready config with its own model swapped for the small synthetic one."""
    cfg = load_config(path)
    cfg.identities.count = min(cfg.identities.count, 3)
    for section, part in (
        (cfg.expression, MODEL.expression),
        (cfg.identities.shape, MODEL.shape),
        (cfg.identities.color, MODEL.color),
    ):  # a config's component counts are for its own model
        if section.components is not None:
            section.components = min(section.components, part.n_components)
    if cfg.identities.min_distance is not None:
        cfg.identities.min_distance.distance = 0.1
    return cfg


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_ready_config_samples(path):
    s = Sampler(small_version(path), MODEL)
    sc = s.scene(s.num_identities - 1, s.images_for(0) - 1)
    assert sc.camera.width == s.config.camera.width
    assert sc.illumination.sh.shape == (9, 3) and np.isfinite(sc.illumination.sh).all()


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_ready_config_renders(path):
    s = Sampler(small_version(path), MODEL)
    renderer = Renderer(MODEL, backend="cpu")
    try:
        sample = renderer.render(s.scene(0, 0))
    finally:
        renderer.close()
    h, w = s.config.camera.height, s.config.camera.width
    assert sample.rgb.shape == (h, w, 3) and sample.rgb.dtype == np.uint8
    assert (sample.mask > 0).any()  # the face is in the frame


def test_exposure_brings_dim_light_on_dark_skin_up_to_the_target():
    from morphgen.config.schema import Exposure

    ambient = il.ambient_sh(np.array([0.5, 0.5, 0.5]))  # head-on irradiance 0.5 (Basel's SH)
    front = il.irradiance(ambient, np.array([[0.0, 0.0, 1.0]]))[0]
    np.testing.assert_allclose(front, 0.5, rtol=1e-6)
    cfg = Exposure()  # target 0.2, strength 0.5, within 1 to 2
    dark = il.exposure_gain(ambient, 0.05, cfg)  # lit skin 0.025: (0.2 / 0.025) ** 0.5 = 2.83
    assert dark == pytest.approx(2.0)  # at the ceiling
    mid = il.exposure_gain(ambient, 0.2, cfg)  # lit 0.1: sqrt(2)
    assert mid == pytest.approx(np.sqrt(2.0))
    assert il.exposure_gain(ambient, 0.6, cfg) == 1.0  # bright enough: never darkened
    both = Exposure(low=0.5, strength=1.0)
    assert il.exposure_gain(ambient, 0.6, both) == pytest.approx(0.2 / 0.3)
    assert il.exposure_gain(ambient, 0.05, Exposure(strength=0.0)) == 1.0
    with pytest.raises(ConfigError, match="camera.exposure"):
        parse_config({"camera": {"exposure": {"low": 2.0, "high": 1.5}}})


def test_exposure_scales_each_image_light_by_its_identity_skin():
    from morphgen.model.load import load_model

    model = load_model()
    base = {"identities": {"count": 12}, "seed": 3}
    on = Sampler(parse_config(base), model)
    off = Sampler(parse_config({**base, "camera": {"exposure": {"strength": 0.0}}}), model)
    gains = []
    for i in range(12):
        a, b = on.scene(i, 0), off.scene(i, 0)
        ratio = a.illumination.sh[0] / b.illumination.sh[0]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-5)  # one factor on the whole light
        skin = on.appearance.skin_tone.luminance(np.asarray(b.color, dtype=np.float64))
        expected = il.exposure_gain(b.illumination.sh, skin, on.config.camera.exposure)
        assert ratio[0] == pytest.approx(expected, rel=1e-5)
        gains.append(expected)
        assert a.appearance == b.appearance and a.yaw == b.yaw  # nothing else moves
    assert min(gains) == 1.0 and max(gains) > 1.05  # some faces brightened, some left


def test_factors_that_read_no_random_numbers_make_no_stream(monkeypatch):
    """A constant or a grid is drawn without making its factor's random stream (each factor
    has its own, so skipping one changes no other draw); a random one makes its stream."""
    from morphgen.config.distributions import Constant, Grid, Uniform
    from morphgen.sampling import sampler as sampler_module

    made: list[str] = []
    real = sampler_module.generator
    monkeypatch.setattr(sampler_module, "generator", lambda e, n: made.append(n) or real(e, n))
    draws = sampler_module._Draws([0, 3], {"g": 1})
    assert draws.one("c", Constant(value=2.5)) == 2.5
    assert draws.one("g", Grid(dist="grid", values=[1.0, 7.0])) == 7.0
    assert made == []
    u = draws.one("u", Uniform(dist="uniform", low=0.0, high=1.0))
    assert made == ["u"] and u == real([0, 3], "u").uniform(0.0, 1.0)
