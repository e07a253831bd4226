"""Skin tone bounds: a colour draw beyond real skin's lightness moves onto the bound."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.config import parse_config
from morphgen.errors import ConfigError
from morphgen.model.load import load_model
from morphgen.sampling.identity import IdentitySampler
from morphgen.sampling.skin_tone import SkinTone, l_star


@pytest.fixture(scope="module")
def model():
    return load_model(None)


def _colours(model, lightness, n=400):
    cfg = parse_config({"identities": {"count": n, "color": {"lightness": lightness}}})
    sampler = IdentitySampler(cfg.identities, model, cfg.seed)
    return np.stack([sampler(i)[1] for i in range(n)])


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
