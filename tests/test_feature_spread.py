"""Extra shape spread along the directions of one facial feature (``identities.features``)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from morphgen.config import parse_config
from morphgen.errors import ConfigError
from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.sampling.detail import FEATURE_REGIONS, feature_basis, spread_matrix
from morphgen.sampling.identity import generator
from morphgen.sampling.sampler import Sampler


@pytest.fixture(scope="module")
def model():
    return load_model()


def _inside(model, feature: str) -> np.ndarray:
    return np.isin(model.regions, [LABEL_IDS[r] for r in FEATURE_REGIONS[feature]])


def _mean_square(offsets: np.ndarray, vertices: np.ndarray) -> float:
    """Mean squared displacement per vertex (mm^2) of ``(B, N, 3)`` offsets over ``vertices``."""
    return float(np.mean(np.sum(offsets[:, vertices] ** 2, axis=-1)))


@pytest.mark.parametrize("feature", sorted(FEATURE_REGIONS))
def test_feature_directions_move_the_feature_more_than_the_rest(model, feature):
    k = model.shape.n_components
    q = feature_basis(model, feature, 10, k)
    assert q.shape[0] == k and q.shape[1] > 0
    np.testing.assert_allclose(q.T @ q, np.eye(q.shape[1]), atol=1e-9)
    assert not q[:10].any()  # the first components are left alone
    inside = _inside(model, feature)
    # any unit combination of the kept directions: the feature moves at least as much per
    # vertex as everything else (the eigenproblem's ratio >= 1 for each direction and mix)
    rng = np.random.default_rng(3)
    z = (q @ rng.standard_normal((q.shape[1], 8))).T
    offsets = model.shape.offsets(z.astype(np.float32)).reshape(8, -1, 3)
    for b in range(8):
        own = _mean_square(offsets[b : b + 1], np.flatnonzero(inside))
        rest = _mean_square(offsets[b : b + 1], np.flatnonzero(~inside))
        assert own >= 0.99 * rest
    # a random direction of those components does not (the rest moves more there)
    z = np.zeros((64, k))
    z[:, 10:] = rng.standard_normal((64, k - 10))
    offsets = model.shape.offsets(z.astype(np.float32)).reshape(64, -1, 3)
    assert _mean_square(offsets, np.flatnonzero(inside)) < _mean_square(
        offsets, np.flatnonzero(~inside)
    )


def _shapes(model, n: int, **features) -> np.ndarray:
    config = {"identities": {"count": n, "sex": {"shape": 0.0}, "features": features}}
    sampler = Sampler(parse_config(config), model)
    return np.stack([sampler.identity(i)[0] for i in range(n)])


def test_a_spread_feature_varies_more_while_the_rest_of_the_head_hardly_does(model):
    inside = np.flatnonzero(_inside(model, "nose"))
    outside = np.flatnonzero(~_inside(model, "nose"))
    plain, spread = _shapes(model, 200, nose=1.0), _shapes(model, 200, nose=2.0)

    def spreads(shapes: np.ndarray) -> tuple[float, float]:
        offsets = model.shape.offsets(shapes).reshape(len(shapes), -1, 3)
        return _mean_square(offsets, inside), _mean_square(offsets, outside)

    (nose0, rest0), (nose1, rest1) = spreads(plain), spreads(spread)
    assert nose1 / nose0 > 1.2  # the nose's variance grows ...
    assert rest1 / rest0 < 1.0 + 0.5 * (nose1 / nose0 - 1.0)  # ... much more than the rest


def test_spread_one_leaves_the_plain_normal_draw(model):
    plain = _shapes(model, 5, face=1.0, nose=1.0, eyes=1.0)
    k = model.shape.n_components
    scale = parse_config({}).identities.shape.scale
    for i in range(5):
        z = generator([0, i], "identity.shape").standard_normal(k)
        np.testing.assert_allclose(plain[i], z * scale, rtol=1e-6)
    assert not np.array_equal(plain, _shapes(model, 5, face=1.0, nose=1.0, eyes=1.5))


def test_every_feature_of_the_config_has_its_regions():
    assert set(parse_config({}).identities.features.spreads()) == set(FEATURE_REGIONS)


def test_bad_feature_config_names_the_key():
    with pytest.raises(ConfigError, match="identities.features.nose"):
        parse_config({"identities": {"features": {"nose": -1.0}}})
    with pytest.raises(ConfigError, match="identities.features.mouth"):
        parse_config({"identities": {"features": {"mouth": 1.5}}})


def test_a_model_without_regions_keeps_its_plain_spread(model):
    bare = dataclasses.replace(model, regions=None)
    assert feature_basis(bare, "nose", 0, bare.shape.n_components).shape[1] == 0
    assert np.allclose(spread_matrix(bare, {"nose": 2.0}, 0, 7), np.eye(7))
