"""Skin tone: a colour draw beyond real skin's lightness or hue moves onto the bound, and a
chosen tone distribution sets each identity's L*."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.colour import lab_to_linear, linear_to_lab, srgb8_to_linear
from morphgen.config import parse_config
from morphgen.errors import ConfigError
from morphgen.model.load import load_model
from morphgen.sampling.identity import IdentitySampler
from morphgen.sampling.skin_tone import SkinTone, l_star


@pytest.fixture(scope="module")
def model():
    return load_model(None)


def _colours(model, lightness, n=400, **color):
    color = {"lightness": lightness, "hue": None, "chroma": None, **color}
    cfg = parse_config({"identities": {"count": n, "color": color}})
    sampler = IdentitySampler(cfg.identities, model, cfg.seed)
    return np.stack([sampler(i)[1] for i in range(n)])


def _lab(tone, colours):
    return linear_to_lab(np.stack([tone.albedo(c) for c in colours]))


def test_l_star_of_white_black_and_mid_grey():
    assert l_star(1.0) == pytest.approx(100.0)
    assert l_star(0.0) == pytest.approx(0.0)
    assert l_star(0.18) == pytest.approx(49.5, abs=0.1)  # 18% grey is L* ~ 50


def test_draws_outside_the_range_move_towards_the_mean_onto_the_bound(model):
    tone = SkinTone(model)
    free = _colours(model, None)
    bounded = _colours(model, [30.0, 75.0])
    before = np.array([tone(c) for c in free])
    after = np.array([tone(c) for c in bounded])
    outside = (before < 30.0) | (before > 75.0)
    assert outside.sum() >= 10  # the default Gaussian draw has such tails
    assert (after >= 30.0 - 0.01).all() and (after <= 75.0 + 0.01).all()
    np.testing.assert_array_equal(bounded[~outside], free[~outside])  # the rest unchanged
    np.testing.assert_allclose(
        after[outside], np.where(before[outside] < 30, 30.0, 75.0), atol=0.01
    )
    # each moved draw is the same direction from the mean, shortened
    t = np.einsum("ij,ij->i", bounded[outside], free[outside]) / np.einsum(
        "ij,ij->i", free[outside], free[outside]
    )
    assert ((t > 0) & (t < 1)).all()
    np.testing.assert_allclose(bounded[outside], t[:, None] * free[outside], atol=1e-5)


def test_default_range_is_real_skin(model):
    tone = SkinTone(model)
    cfg = parse_config({})
    assert cfg.identities.color.lightness == (25.0, 90.0)
    after = np.array([tone(c) for c in _colours(model, [25.0, 90.0], 200)])
    assert after.min() >= 25.0 - 0.01 and after.max() <= 90.0 + 0.01


@pytest.mark.parametrize("value", [[80, 25], [10], [20, 120], "dark"])
def test_a_bad_range_names_the_key(value):
    with pytest.raises(ConfigError, match="identities.color.lightness"):
        parse_config({"identities": {"color": {"lightness": value}}})


def test_lab_matches_published_values():
    # sRGB primaries in CIELAB (D65), as colour converters list them
    for srgb, lab in [
        ((255, 0, 0), [53.24, 80.09, 67.20]),
        ((0, 255, 0), [87.73, -86.18, 83.18]),
        ((0, 0, 255), [32.30, 79.19, -107.86]),
    ]:
        np.testing.assert_allclose(linear_to_lab(srgb8_to_linear(srgb)), lab, atol=0.05)
    x = np.random.default_rng(0).uniform(0.001, 1.0, (50, 3))
    np.testing.assert_allclose(lab_to_linear(linear_to_lab(x)), x, atol=1e-12)


def test_hue_bound_keeps_dark_skin_out_of_mauve_and_green(model):
    tone = SkinTone(model)
    free = _colours(model, [25.0, 90.0], 600)
    bounded = _colours(model, [25.0, 90.0], 600, hue=[40.0, 70.0])
    before, after = _lab(tone, free), _lab(tone, bounded)
    hue_before = np.degrees(np.arctan2(before[:, 2], before[:, 1]))
    hue_after = np.degrees(np.arctan2(after[:, 2], after[:, 1]))
    outside = (hue_before < 40.0) | (hue_before > 70.0)
    dark = before[:, 0] < 45.0
    # the linear model's hue spread widens on dark skin: most draws moved are dark ones
    assert outside[dark].mean() > 5 * outside[~dark].mean() and outside.sum() >= 5
    assert (hue_after > 40.0 - 0.05).all() and (hue_after < 70.0 + 0.05).all()
    np.testing.assert_array_equal(bounded[~outside], free[~outside])
    moved = np.where(outside)[0]
    np.testing.assert_allclose(
        hue_after[moved], np.where(hue_before[moved] < 40, 40.0, 70.0), atol=0.05
    )
    # same lightness and chroma: only the hue turned
    np.testing.assert_allclose(after[moved, 0], before[moved, 0], atol=0.05)
    np.testing.assert_allclose(
        np.hypot(after[moved, 1], after[moved, 2]),
        np.hypot(before[moved, 1], before[moved, 2]),
        atol=0.05,
    )


def test_chroma_bound_brings_grey_dark_skin_up_to_real_skin(model):
    tone = SkinTone(model)
    free = _colours(model, [25.0, 90.0], 600)
    bounded = _colours(model, [25.0, 90.0], 600, chroma=[16.0, 40.0])
    before, after = _lab(tone, free), _lab(tone, bounded)
    chroma_before = np.hypot(before[:, 1], before[:, 2])
    chroma_after = np.hypot(after[:, 1], after[:, 2])
    low = chroma_before < 16.0
    dark = before[:, 0] < 50.0
    # the linear model's dark skin is greyer than its light skin
    assert low[dark].mean() > 0.8 > 0.4 > low[before[:, 0] > 65.0].mean()
    assert (chroma_after > 16.0 - 0.05).all()
    np.testing.assert_array_equal(bounded[~low], free[~low])
    # lightness and hue kept
    np.testing.assert_allclose(after[low, 0], before[low, 0], atol=0.05)
    hue = np.degrees(np.arctan2(before[low, 2], before[low, 1]))
    np.testing.assert_allclose(np.degrees(np.arctan2(after[low, 2], after[low, 1])), hue, atol=0.05)


def test_default_config_bounds_hue_and_chroma(model):
    cfg = parse_config({})
    assert cfg.identities.color.hue == (45.0, 70.0)
    assert cfg.identities.color.chroma == (16.0, 40.0)
    sampler = IdentitySampler(cfg.identities, model, cfg.seed)
    lab = _lab(SkinTone(model), [sampler(i)[1] for i in range(200)])
    hue = np.degrees(np.arctan2(lab[:, 2], lab[:, 1]))
    assert hue.min() > 45.0 - 0.05 and hue.max() < 70.0 + 0.05
    assert np.hypot(lab[:, 1], lab[:, 2]).min() > 16.0 - 0.05


def test_a_chosen_tone_sets_each_identity_lightness_and_nothing_else(model):
    tone = SkinTone(model)
    fixed = _colours(model, [25.0, 90.0], 100, tone=35.0)
    np.testing.assert_allclose([tone(c) for c in fixed], 35.0, atol=0.01)
    spread = _colours(model, [25.0, 90.0], 400, tone={"dist": "uniform", "low": 30, "high": 75})
    lightness = np.array([tone(c) for c in spread])
    assert lightness.min() >= 30.0 - 0.01 and lightness.max() <= 75.0 + 0.01
    # uniform: each quarter of the range holds about a quarter of the identities
    counts = np.histogram(lightness, bins=4, range=(30, 75))[0]
    assert (np.abs(counts - 100) < 30).all(), counts
    # the model's own tones sit mostly above L* 55: the chosen ones do not
    assert (
        (lightness < 45).mean()
        > 0.25
        > (np.array([tone(c) for c in _colours(model, [25.0, 90.0])]) < 45).mean()
    )
    # a target beyond the lightness bound is clipped onto it
    clipped = _colours(model, [40.0, 90.0], 50, tone=30.0)
    np.testing.assert_allclose([tone(c) for c in clipped], 40.0, atol=0.01)


def test_a_chosen_tone_leaves_the_shapes_alone(model):
    base = parse_config({"identities": {"count": 5}})
    toned = parse_config({"identities": {"count": 5, "color": {"tone": 30.0}}})
    a = IdentitySampler(base.identities, model, 0)
    b = IdentitySampler(toned.identities, model, 0)
    for i in range(5):
        np.testing.assert_array_equal(a(i)[0], b(i)[0])
        assert not np.array_equal(a(i)[1], b(i)[1])


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("hue", [70, 40]),
        ("hue", [10]),
        ("hue", [0, 400]),
        ("chroma", [30, 10]),
        ("chroma", [-1, 20]),
        ("tone", "dark"),
        ("tone", {"dist": "uniform", "low": 60, "high": 30}),
        ("tone", {"dist": "grid", "values": [30, 50, 70]}),
    ],
)
def test_bad_hue_chroma_or_tone_names_the_key(key, value):
    with pytest.raises(ConfigError, match=f"identities.color.{key}"):
        parse_config({"identities": {"color": {key: value}}})
