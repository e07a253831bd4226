"""Cosmetics (``appearance.makeup``) and the clean-shaven beard shadow: what the sampler
draws, where the texture painters put it, and that nothing else on the face changes."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from morphgen.colour import srgb8_to_linear
from morphgen.config import parse_config
from morphgen.errors import ConfigError
from morphgen.model.load import load_model
from morphgen.render.textures.identity import make_texture
from morphgen.render.textures.setup import texture_setup
from morphgen.sampling.appearance import EYE_SHADOW_SRGB, LIPSTICK_SRGB
from morphgen.sampling.sampler import Sampler
from morphgen.scene import AppearanceParams

LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def setup(model):
    return texture_setup(model, 256)


def _appearances(model, n: int, **appearance):
    cfg = {"identities": {"count": n}, "appearance": appearance}
    sampler = Sampler(parse_config(cfg), model)
    return [(sampler.sex(i), sampler.scene(i, 0).appearance) for i in range(n)]


def test_makeup_is_drawn_by_sex_and_within_its_ranges(model):
    drawn = _appearances(model, 300)
    women = [a for sex, a in drawn if sex == "female"]
    men = [a for sex, a in drawn if sex == "male"]
    assert len(women) > 100 and len(men) > 100
    assert not any(a.makeup or a.lipstick for a in men)  # male_probability 0 by default
    share = np.mean([a.makeup for a in women])
    assert abs(share - 0.75) < 0.1  # female_probability
    for a in women:
        if not a.makeup:
            assert a.lipstick == a.eye_shadow == a.eyeliner == a.mascara == a.blush == 0.0
            assert a.lipstick_colour == a.eye_shadow_colour == "none"
            continue
        assert 0.3 <= a.lipstick <= 1.0 and 0.3 <= a.mascara <= 1.0  # the default ranges
        assert 0.0 <= a.eye_shadow <= 1.0 and 0.0 <= a.eyeliner <= 1.0 and a.blush <= 0.5
        np.testing.assert_allclose(
            a.lipstick_rgb, srgb8_to_linear(LIPSTICK_SRGB[a.lipstick_colour]), atol=1e-6
        )
        np.testing.assert_allclose(
            a.eye_shadow_rgb, srgb8_to_linear(EYE_SHADOW_SRGB[a.eye_shadow_colour]), atol=1e-6
        )
    assert len({a.lipstick_colour for a in women if a.makeup}) >= 4  # the palette is used
    worn = next(a for a in women if a.makeup)  # it re-renders from its metadata
    assert AppearanceParams.from_dict(json.loads(json.dumps(dataclasses.asdict(worn)))) == worn
    # the same identity gets the same makeup; other factors' draws are left alone
    again = _appearances(model, 300)
    assert [a for _, a in again] == [a for _, a in drawn]
    none = _appearances(model, 300, makeup={"female_probability": 0.0})
    assert not any(a.makeup for _, a in none)
    strip = ("makeup", "lipstick", "lipstick_colour", "lipstick_rgb", "eye_shadow")
    strip += ("eye_shadow_colour", "eye_shadow_rgb", "eyeliner", "mascara", "blush")
    blank = {k: getattr(AppearanceParams(), k) for k in strip}
    for (_, a), (_, b) in zip(drawn, none, strict=True):
        assert dataclasses.replace(a, **blank) == b
    every = _appearances(model, 40, makeup={"male_probability": 1.0, "female_probability": 1.0})
    assert all(a.makeup for _, a in every)


def test_only_clean_shaven_men_get_a_beard_shadow(model):
    drawn = _appearances(model, 200)
    for sex, a in drawn:
        if sex == "female" or a.beard != "none":
            assert a.beard_shadow == 0.0
        else:
            assert 0.0 <= a.beard_shadow <= 0.5
    assert any(a.beard_shadow > 0.2 for _, a in drawn)


def test_bad_makeup_config_names_the_key():
    with pytest.raises(ConfigError, match="appearance.makeup.lipstick_colours"):
        parse_config({"appearance": {"makeup": {"lipstick_colours": {"purple": 1.0}}}})
    with pytest.raises(ConfigError, match="appearance.makeup.female_probability"):
        parse_config({"appearance": {"makeup": {"female_probability": 2.0}}})
    with pytest.raises(ConfigError, match="appearance.makeup: `blush`: a grid"):
        parse_config({"appearance": {"makeup": {"blush": {"dist": "grid", "values": [0, 1]}}}})


def _painted(model, setup, **makeup) -> np.ndarray:
    """Painted albedo (RGB) per covered texel of one identity, with ``makeup`` fields."""
    albedo = model.color_instance(np.zeros(model.color.n_components, dtype=np.float32))
    params = AppearanceParams(texture_size=256, seed=7, **makeup)
    ratio = make_texture(setup, albedo, params).levels[0].reshape(-1, 6)[setup.atlas.texel, :3]
    return setup.atlas.gather(albedo.reshape(-1, 3)) * ratio


def _region(setup, sel) -> np.ndarray:
    """Covered-texel indices of the skin texels selected by ``sel`` (over skin texels)."""
    return setup.skin[sel]


def test_each_cosmetic_changes_its_own_place_only(model, setup):
    bare = _painted(model, setup)
    lm = setup.landmarks
    p = setup.skin_position
    red = tuple(float(v) for v in srgb8_to_linear(LIPSTICK_SRGB["red"]))
    lips = setup.lips[setup.lip_weight >= 0.9]
    painted = _painted(model, setup, lipstick=1.0, lipstick_rgb=red)
    changed = np.flatnonzero(np.abs(painted - bare).max(axis=1) > 1e-6)
    outline = np.array([lm[n][:2] for n in range(49, 61)])  # lipstick stays on the lips
    where = p[np.isin(setup.skin, changed), :2]
    assert len(where) > 100
    assert (where > outline.min(axis=0) - 0.5).all() and (where < outline.max(axis=0) + 0.5).all()
    # the lips move towards the lipstick's colour: redder, and nearer to it in RGB
    assert (
        np.linalg.norm(painted[lips] - red, axis=1).mean()
        < 0.5 * np.linalg.norm(bare[lips] - red, axis=1).mean()
    )
    # eyeliner: darkens a band just above the upper lid, not the brows or the cheeks
    eye_y = float(np.mean([lm[n][1] for n in range(37, 49)]))
    brow_y = float(np.mean([lm[n][1] for n in range(18, 28)]))
    lined = _painted(model, setup, eyeliner=1.0)
    darker = (bare - lined) @ LUMA > 1e-4
    where = p[np.isin(setup.skin, np.flatnonzero(darker))]
    assert len(where) > 20
    assert (where[:, 1] > eye_y - 6.0).all() and (where[:, 1] < brow_y - 3.0).all()
    assert (np.abs(where[:, 0]) > 8.0).all()  # beside the nose bridge, on the lids
    # eye shadow: between the lids and the brows
    plum = tuple(float(v) for v in srgb8_to_linear(EYE_SHADOW_SRGB["plum"]))
    shaded = _painted(model, setup, eye_shadow=1.0, eye_shadow_rgb=plum)
    moved = np.abs(shaded - bare).max(axis=1) > 1e-4
    where = p[np.isin(setup.skin, np.flatnonzero(moved))]
    assert len(where) > 50
    assert (where[:, 1] > eye_y - 6.0).all() and (where[:, 1] < brow_y + 3.0).all()
    # blush: the cheeks redden (red over green grows), the forehead does not change
    blushed = _painted(model, setup, blush=1.0)
    side = (np.abs(p[:, 0]) > 25) & (np.abs(p[:, 0]) < 45) & (p[:, 2] > -40)
    cheeks = _region(setup, side & (p[:, 1] < eye_y - 10) & (p[:, 1] > lm[34][1]))
    forehead = _region(setup, (p[:, 1] > brow_y + 15) & (p[:, 2] > -40))
    assert len(cheeks) > 50 and len(forehead) > 50
    ratio = lambda a, k: (a[k, 0] / a[k, 1]).mean()  # noqa: E731
    assert ratio(blushed, cheeks) > 1.1 * ratio(bare, cheeks)
    np.testing.assert_allclose(blushed[forehead], bare[forehead], atol=1e-6)


def test_mascara_darkens_and_lengthens_the_lashes(model, setup):
    blond = (0.45, 0.33, 0.18)
    bare = _painted(model, setup, hair_rgb=blond, lashes=1.0)
    lashed = _painted(model, setup, hair_rgb=blond, lashes=1.0, mascara=1.0)
    darker = (bare - lashed) @ LUMA
    # lash texels turn black rather than blond (a longer strand spreads its samples out, so
    # a few texels by the roots get a little lighter)
    assert (darker > 0.01).sum() > 20
    assert (darker > 0.01).sum() > 5 * (darker < -0.01).sum()
    none = _painted(model, setup, hair_rgb=blond, lashes=0.0)
    reach = [(np.abs(a - none).max(axis=1) > 0.005).sum() for a in (bare, lashed)]
    assert reach[1] > 1.1 * reach[0]  # longer lashes reach more texels


def test_beard_shadow_darkens_the_beard_zone_lightly(model, setup):
    dark = (0.03, 0.02, 0.015)
    bare = _painted(model, setup, hair_rgb=dark)
    shadow = _painted(model, setup, hair_rgb=dark, beard_shadow=0.5)
    zone = setup.skin[setup.beard_zones["stubble"] > 0.9]
    drop = ((bare[zone] - shadow[zone]) @ LUMA) / (bare[zone] @ LUMA)
    assert 0.01 < drop.mean() < 0.15  # visibly darker, but not a beard
    outside = setup.skin[setup.beard_zones["stubble"] == 0]
    np.testing.assert_allclose(shadow[outside], bare[outside], atol=1e-6)


def test_the_lid_crease_is_a_thin_fold_line_at_its_height(model, setup):
    bare = _painted(model, setup)
    height = setup.fields["lid_height"]
    for mm in (3.0, 7.0):
        folded = _painted(model, setup, crease_mm=mm)
        darker = np.flatnonzero(((bare - folded) @ LUMA)[setup.skin] > 1e-4)
        assert len(darker) > 30
        assert np.abs(height[darker] - mm).max() < 2.5  # a line parallel to the lid margin
        assert abs(np.median(height[darker]) - mm) < 0.5
        ys = setup.skin_position[darker, 1]
        assert ys.max() - ys.min() < 15.0  # on the lids, not over the brows
    lm = setup.landmarks
    drawn = [np.flatnonzero(((bare - _painted(model, setup, crease_mm=mm)) @ LUMA) > 1e-4)
             for mm in (3.0, 7.0)]  # fmt: skip
    lower, higher = (setup.atlas.position[d, 1].mean() for d in drawn)
    assert higher > lower + 2.5 and lower > np.mean([lm[n][1] for n in (38, 39, 44, 45)])


def test_a_greying_beard_is_salt_and_pepper_around_its_mean_colour(model, setup):
    """White and pigmented hairs vary texel by texel (the luminance spread over the beard
    doubles), while the beard's mean colour stays that of the flat mix."""
    mean_rgb = (0.2, 0.18, 0.16)  # a brown beard greyed by about a third
    flat = _painted(model, setup, beard="full", beard_density=1.0, hair_rgb=mean_rgb)
    salt = _painted(model, setup, beard="full", beard_density=1.0, hair_rgb=mean_rgb,
                    hair_grey=0.35)  # fmt: skip
    zone = setup.skin[setup.beard_zones["full"] > 0.95]
    assert len(zone) > 500
    spread = [float(np.std(a[zone] @ LUMA)) for a in (flat, salt)]
    assert spread[1] > 1.6 * spread[0]  # 0.066 against 0.033
    np.testing.assert_allclose(salt[zone].mean(axis=0), flat[zone].mean(axis=0), rtol=0.08)
    outside = setup.skin[setup.beard_zones["full"] == 0]
    np.testing.assert_allclose(salt[outside], flat[outside], atol=1e-6)
