"""Hair, glasses and clothing: sampling rates, identity consistency, labels, determinism."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from morphgen.config import parse_config
from morphgen.labels import LABEL_IDS
from morphgen.labelsets import remap_table
from morphgen.model.load import load_model
from morphgen.model.synthetic import synthetic_model
from morphgen.render.layers import facing_camera
from morphgen.render.renderer import Renderer
from morphgen.sampling.sampler import Sampler
from morphgen.scene import CameraParams, HairParams, Illumination, SceneParams


@pytest.fixture(scope="module")
def small():
    return synthetic_model(n_lat=41, n_lon=81, components=(4, 4, 4))


@pytest.fixture(scope="module")
def default():
    return load_model()


def _rate(hits: int, n: int, p: float) -> bool:
    """``hits`` of ``n`` is within 4 standard deviations of probability ``p``."""
    return abs(hits - n * p) <= 4 * np.sqrt(n * p * (1 - p)) + 1


def test_accessory_rates_match_the_config(small):
    cfg = parse_config(
        {
            "identities": {"count": 150, "images_per_identity": 3},
            "accessories": {
                "glasses": {"probability": 0.3},
                "headwear": {"probability": 0.15},
                "clothing": {"probability": 0.7},
            },
        }
    )
    sampler = Sampler(cfg, small)
    scenes = [sampler.scene(i, j) for i, j in sampler.plan()]
    n = len(scenes)
    assert n == 450
    assert _rate(sum(s.glasses is not None for s in scenes), n, 0.3)
    assert _rate(sum(s.clothing is not None for s in scenes), n, 0.7)
    assert _rate(sum(s.headwear is not None for s in scenes), n, 0.15)
    styles = [Sampler(cfg, small).scene(i, 0).hair.style for i in range(150)]
    grows = sum(s not in ("none", "shaved") for s in styles)
    assert grows >= 0.75 * 150, "most identities of the default config have hair"


@pytest.mark.parametrize("path", ["configs/recognition.yaml", "configs/parsing.yaml"])
def test_shipped_configs_give_most_identities_hair(default, path):
    from morphgen.config import load_config

    sampler = Sampler(load_config(path), default)
    styles = [sampler.scene(i, 0).hair.style for i in range(120)]
    assert sum(s not in ("none", "shaved") for s in styles) >= 0.75 * 120


def test_identity_keeps_its_hair_and_few_outfits(small):
    cfg = parse_config({"identities": {"count": 6, "images_per_identity": 12}})
    sampler = Sampler(cfg, small)
    for i in range(6):
        scenes = [sampler.scene(i, j) for j in range(12)]
        assert all(s.hair == scenes[0].hair for s in scenes)
        outfits = {repr((s.glasses, s.headwear, s.clothing)) for s in scenes}
        assert len(outfits) <= cfg.accessories.sets


def test_each_part_turns_off(small):
    cfg = parse_config(
        {
            "hair": {"probability": 0.0},
            "accessories": {
                "glasses": {"probability": 0},
                "headwear": {"probability": 0},
                "clothing": {"probability": 0},
            },
        }
    )
    scenes = [Sampler(cfg, small).scene(i, 0) for i in range(30)]
    assert all(s.hair.style == "none" for s in scenes)
    assert all(s.glasses is None and s.headwear is None and s.clothing is None for s in scenes)


def _scene(hair: HairParams, yaw: float = 20.0, size: int = 96, **worn) -> SceneParams:
    return SceneParams(
        identity=0, sample=0, shape=np.zeros(0, np.float32), color=np.zeros(0, np.float32),
        expression=np.zeros(0, np.float32), blendshapes=np.zeros(0, np.float32), yaw=yaw,
        camera=CameraParams(width=size, height=size), hair=hair, illumination=LIGHT, **worn,
    )  # fmt: skip


LIGHT = Illumination(sh=np.array([[1.0, 1.0, 1.0]] + [[0.0] * 3] * 8, dtype=np.float32))
GLASSES = {"kind": "round", "rim_mm": 3.0, "color": [0.02, 0.02, 0.02], "sunglasses": True}
SHIRT = {"kind": "tshirt", "color": [0.2, 0.3, 0.6]}
BEANIE = {"kind": "beanie", "color": [0.5, 0.1, 0.1]}


def test_bare_scalp_is_skin_and_hair_is_hair(default):
    r = Renderer(default, "cpu")
    bald = r.render(_scene(HairParams(), yaw=0.0)).mask
    assert not (bald == LABEL_IDS["scalp"]).any()
    hair = r.render(_scene(HairParams(style="short", length_mm=50, volume_mm=8), yaw=0.0)).mask
    got = hair == LABEL_IDS["hair"]
    assert got.sum() > 0.05 * hair.size
    # hair lies where the bald head showed skin on top or background around it
    assert np.isin(bald[got], [LABEL_IDS["skin"], 0]).mean() > 0.95


def test_hair_hides_the_back_of_the_head_and_the_ears(default):
    r = Renderer(default, "cpu")
    long = HairParams(style="long", length_mm=250, volume_mm=14)
    back = r.render(_scene(long, yaw=170.0)).mask
    assert (back == LABEL_IDS["hair"]).sum() > 3 * (back == LABEL_IDS["skin"]).sum()
    ears = [LABEL_IDS["left_ear"], LABEL_IDS["right_ear"]]
    bald = r.render(_scene(HairParams(), yaw=0.0)).mask
    covered = r.render(_scene(long, yaw=0.0)).mask
    assert np.isin(covered, ears).sum() < 0.5 * np.isin(bald, ears).sum()


def test_celebamask_set_gets_hair_hat_glasses_and_cloth(default):
    r = Renderer(default, "cpu", label_map=remap_table("celebamask"))
    hair = HairParams(style="medium", length_mm=110, volume_mm=10)
    mask = r.render(_scene(hair, yaw=0.0, glasses=GLASSES, clothing=SHIRT, headwear=BEANIE)).mask
    from morphgen.labelsets import get_set

    s = get_set("celebamask")
    for name in ("hair", "hat", "eye_g", "cloth", "skin"):
        assert (mask == s.class_id(name)).sum() > 20, name


def test_rendering_is_deterministic_and_rerenders_from_metadata(default):
    p = _scene(
        HairParams(style="curly", length_mm=100, volume_mm=20, curl=0.8, seed=5),
        glasses={**GLASSES, "sunglasses": False, "kind": "aviator"}, clothing=SHIRT,
    )  # fmt: skip
    a = Renderer(default, "cpu").render(p)
    b = Renderer(default, "cpu").render(SceneParams.from_dict(p.to_dict()))
    np.testing.assert_array_equal(a.rgb, b.rgb)
    np.testing.assert_array_equal(a.mask, b.mask)
    other = Renderer(default, "cpu").render(replace(p, hair=replace(p.hair, seed=6)))
    assert not np.array_equal(a.rgb, other.rgb)


@pytest.mark.parametrize("kind", ["cap", "beanie", "headband", "hat"])
def test_headwear_covers_the_top_and_leaves_the_eyes(default, kind):
    r = Renderer(default, "cpu")
    hair = HairParams(style="short", length_mm=50, volume_mm=8)
    mask = r.render(_scene(hair, yaw=0.0, headwear={"kind": kind, "color": [0.3] * 3})).mask
    rows = np.nonzero((mask == LABEL_IDS["headwear"]).any(axis=1))[0]
    brows = np.nonzero(np.isin(mask, [LABEL_IDS["left_brow"], LABEL_IDS["right_brow"]]))[0]
    eyes = np.isin(mask, [LABEL_IDS["left_eye"], LABEL_IDS["right_eye"]]).sum()
    assert len(rows) and len(brows) and eyes > 10
    assert rows.min() < brows.min()  # the piece covers the top of the head


@pytest.mark.parametrize(
    "style", ["buzz", "short", "medium", "long", "curly", "afro", "ponytail", "bun"]
)
def test_every_style_grows_on_another_model(small, style):
    r = Renderer(small, "cpu")
    mask = r.render(_scene(HairParams(style=style, length_mm=100, volume_mm=15, curl=1.0))).mask
    assert (mask == LABEL_IDS["hair"]).sum() > 50


def test_receding_hairline_and_bald_crown_show_skin(default):
    r = Renderer(default, "cpu")
    full = HairParams(style="short", length_mm=40, volume_mm=6)
    bald = replace(full, recession_mm=40.0, temples=1.0, crown_mm=50.0)
    a, b = (r.render(_scene(h, yaw=0.0)).mask for h in (full, bald))
    assert (b == LABEL_IDS["hair"]).sum() < 0.8 * (a == LABEL_IDS["hair"]).sum()
    assert (b == LABEL_IDS["skin"]).sum() > (a == LABEL_IDS["skin"]).sum()


def test_facing_camera_winds_every_triangle_towards_the_camera():
    rng = np.random.default_rng(0)
    vertices = (rng.normal(size=(60, 3)) * 10 + [0, 0, -500]).astype(np.float32)
    triangles = rng.integers(0, 60, size=(40, 3)).astype(np.int32)
    out = facing_camera(vertices, triangles)
    v = vertices[out].astype(np.float64)
    normal = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    assert (np.einsum("ij,ij->i", normal, v[:, 0]) <= 0).all()
    assert (np.sort(out, axis=1) == np.sort(triangles, axis=1)).all()


def test_amodal_mask_shows_the_face_under_hair_and_glasses(default):
    r = Renderer(default, "cpu", extras=("amodal", "occluders"))
    hair = HairParams(style="medium", length_mm=110, volume_mm=10, fringe=1.0)
    s = r.render(_scene(hair, yaw=10.0, size=128, glasses=GLASSES, clothing=SHIRT))
    amodal, bits, mask = s.extras["amodal"], s.extras["occluders"], s.mask
    layers = [LABEL_IDS[n] for n in ("hair", "glasses", "headwear", "clothing")]
    assert not np.isin(amodal, layers).any()
    free = bits == 0
    head = ~np.isin(mask, layers)
    # unoccluded head pixels keep their label, but for a few where strands shift the nearest
    # covered sample of a pixel (on region borders and the head's silhouette)
    assert (amodal[free & head] == mask[free & head]).mean() > 0.99
    for name, bit in (("hair", 1), ("glasses", 2), ("clothing", 8)):
        shown = mask == LABEL_IDS[name]
        # a pixel may show a strand yet have it cover less than half (strand and head do)
        assert shown.any() and ((bits[shown] & bit) > 0).mean() > 0.95, name
    hidden = (bits & 1).astype(bool) & (amodal > 0)
    assert np.isin(amodal[hidden], [LABEL_IDS["skin"]]).mean() > 0.5  # forehead under hair
    under_lenses = amodal[(bits & 2) > 0]  # sunglasses: the eyes are behind them
    eyes = [LABEL_IDS["left_eye"], LABEL_IDS["right_eye"]]
    assert np.isin(under_lenses, eyes).sum() > 10 and not np.isin(mask, eyes).any()
    bald = r.render(_scene(HairParams(), size=128))
    np.testing.assert_array_equal(bald.extras["amodal"], bald.mask)
    assert not bald.extras["occluders"].any()


def test_clear_lenses_tint_the_eyes_but_keep_their_labels(default):
    r = Renderer(default, "cpu")
    clear = {**GLASSES, "sunglasses": False, "lens_tint": [1.0, 1.0, 1.0]}
    red_free = {**clear, "lens_tint": [0.5, 1.0, 1.0]}
    a, b = (r.render(_scene(HairParams(), yaw=0.0, size=128, glasses=g)) for g in (clear, red_free))
    np.testing.assert_array_equal(a.mask, b.mask)
    eyes = np.isin(a.mask, [LABEL_IDS["left_eye"], LABEL_IDS["right_eye"]])
    assert eyes.sum() > 20  # seen through the lenses
    changed = (a.rgb != b.rgb).any(axis=2)
    assert changed[eyes].mean() > 0.9
    assert (b.rgb[eyes, 0].astype(int) < a.rgb[eyes, 0]).mean() > 0.9
    assert not changed[a.mask == 0].any() and not changed[a.mask == LABEL_IDS["clothing"]].any()


def test_identities_sharing_a_shape_keep_their_own_skin(small):
    r = Renderer(small, "cpu")
    hair = HairParams(style="short", length_mm=40, volume_mm=6)
    pale, dark = (
        replace(_scene(hair, yaw=0.0), color=np.full(4, c, np.float32)) for c in (2.0, -2.0)
    )
    a, b = r.render(pale), r.render(dark)
    skin = (a.mask == LABEL_IDS["skin"]) & (b.mask == LABEL_IDS["skin"])
    assert a.rgb[skin].mean() != b.rgb[skin].mean()
    np.testing.assert_array_equal(b.rgb, Renderer(small, "cpu").render(dark).rgb)


def test_shirt_v_opening_narrows_smoothly(default):
    """Below the collar's corner a shirt's V narrows steadily down the frame: no widening
    and no steps of the torso's ring rows (they made a jagged, inverted V)."""
    shirt = {"kind": "shirt", "color": [0.3, 0.3, 0.6]}
    scene = _scene(HairParams(), yaw=0.0, size=256, clothing=shirt)
    cloth = Renderer(default, "cpu").render(scene).mask == LABEL_IDS["clothing"]
    centre = cloth.shape[1] // 2
    widths = []
    for row in cloth:
        left, right = np.flatnonzero(row[:centre]), np.flatnonzero(row[centre:])
        if len(left) and len(right) and not row[centre]:
            widths.append(centre + right[0] - left[-1])
    below_corner = np.array(widths[int(np.argmax(widths)) + 4 :])
    assert len(below_corner) >= 15
    steps = np.diff(below_corner)
    assert (steps <= 0).all() and (steps >= -4).all(), below_corner
