"""Distributions: samples against moments, bounds, weights and grid order; validation errors."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from morphgen.config.distributions import Dist, grid_values

ADAPTER = TypeAdapter(Dist)
N = 200_000


def make(spec, context=None):
    return ADAPTER.validate_python(spec, context=context)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_plain_number_is_a_constant():
    d = make(2.5)
    assert d.dist == "constant"
    assert np.all(d.sample(rng(), 10) == 2.5)


def test_normal_moments():
    x = make({"dist": "normal", "mean": 3.0, "std": 2.0}).sample(rng(), N)
    assert abs(x.mean() - 3.0) < 0.02
    assert abs(x.std() - 2.0) < 0.02


def test_truncnormal_bounds_and_mean_against_numeric_integral():
    spec = {"dist": "truncnormal", "mean": 10.0, "std": 30.0, "low": -20.0, "high": 90.0}
    x = make(spec).sample(rng(), N)
    assert x.min() >= -20.0 and x.max() <= 90.0
    grid = np.linspace(-20.0, 90.0, 20001)
    pdf = np.exp(-0.5 * ((grid - 10.0) / 30.0) ** 2)
    expected = np.trapezoid(grid * pdf, grid) / np.trapezoid(pdf, grid)
    assert abs(x.mean() - expected) < 0.2


def test_uniform_bounds_and_moments():
    x = make({"dist": "uniform", "low": -90, "high": 90}).sample(rng(), N)
    assert x.min() >= -90 and x.max() < 90
    assert abs(x.mean()) < 0.5
    assert abs(x.var() - 180.0**2 / 12) < 0.01 * 180.0**2 / 12


def test_mixture_weights_basel_yaw():
    spec = {
        "dist": "mixture",
        "components": [
            {"weight": 0.6, "dist": "uniform", "low": -90, "high": 90},
            {"weight": 0.2, "dist": "normal", "mean": 0, "std": 2},
            {"weight": 0.2, "dist": "constant", "value": 0},
        ],
    }
    x = make(spec).sample(rng(), N)
    assert abs(np.mean(x == 0.0) - 0.2) < 0.01
    # |x| > 20 only comes from the uniform part: 0.6 * 70/90 of all draws
    assert abs(np.mean(np.abs(x) > 20) - 0.6 * 70 / 90) < 0.01
    assert np.all(np.abs(x) <= 90)


def test_choice_frequencies_follow_weights():
    x = make({"dist": "choice", "values": [1, 5, 9], "weights": [1, 2, 7]}).sample(rng(), N)
    freq = [np.mean(x == v) for v in (1, 5, 9)]
    assert np.allclose(freq, [0.1, 0.2, 0.7], atol=0.01)


def test_empirical_values_and_csv(tmp_path):
    x = make({"dist": "empirical", "values": [2, 4, 8]}).sample(rng(), 1000)
    assert set(np.unique(x)) == {2.0, 4.0, 8.0}
    (tmp_path / "yaw.csv").write_text("name,yaw\na,10\nb,\nc,-30.5\n")
    d = make(
        {"dist": "empirical", "csv": "yaw.csv", "column": "yaw"},
        context={"base_dir": str(tmp_path)},
    )
    assert set(np.unique(d.sample(rng(), 500))) == {10.0, -30.5}
    with pytest.raises(ValidationError, match="column 'pitch' not in"):
        make(
            {"dist": "empirical", "csv": "yaw.csv", "column": "pitch"},
            context={"base_dir": str(tmp_path)},
        )
    with pytest.raises(ValidationError, match="does not exist"):
        make({"dist": "empirical", "csv": "nope.csv", "column": "yaw"})


def test_grid_iterates_in_order_and_cycles():
    d = make({"dist": "grid", "values": [3, 1, 2]})
    assert [d.draw(rng(), index=k) for k in range(7)] == [3, 1, 2, 3, 1, 2, 3]
    assert list(d.sample(rng(), 3, index=1)) == [1, 2, 3]


def test_grid_inclusive_fractional_step():
    d = make({"dist": "grid", "start": 0, "stop": 1, "step": 0.1})
    assert len(d.points) == 11
    assert d.points[-1] == 1.0 and d.points[3] == 0.3
    yaw = make({"dist": "grid", "start": -90, "stop": 90, "step": 15}).points
    assert yaw == [float(v) for v in range(-90, 91, 15)]
    assert grid_values(0, 1, 0.3) == [0.0, 0.3, 0.6, 0.9]
    assert grid_values(1, 0, -0.25) == [1.0, 0.75, 0.5, 0.25, 0.0]


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ({"dist": "normal", "std": -1}, "greater than or equal to 0"),
        ({"dist": "truncnormal", "std": 0, "low": 0, "high": 1}, "greater than 0"),
        ({"dist": "uniform", "low": 2, "high": 1}, "must be less than high"),
        ({"dist": "choice", "values": [1, 2], "weights": [1, 0]}, "positive"),
        ({"dist": "choice", "values": []}, "at least 1"),
        ({"dist": "grid", "values": []}, "empty"),
        ({"dist": "grid", "start": 0, "stop": 1, "step": -1}, "does not lead"),
        ({"dist": "mixture", "components": [{"dist": "constant", "value": 1}]}, "Field required"),
        ({"dist": "mixture", "components": [{"weight": -1, "dist": "constant", "value": 1}]}, "0"),
        ({"dist": "normal", "std": 1, "sigma": 2}, "Extra inputs"),
        ({"mean": 1}, "missing `dist:` key"),
        ({"dist": "gauss"}, "does not match any of the expected tags"),
        ("wide", "expected a number or a mapping"),
    ],
)
def test_invalid_distributions(spec, fragment):
    with pytest.raises(ValidationError, match=fragment):
        make(spec)


def test_grid_inside_mixture_is_rejected():
    spec = {"dist": "mixture", "components": [{"weight": 1, "dist": "grid", "values": [1]}]}
    with pytest.raises(ValidationError, match="grid cannot be a mixture component"):
        make(spec)


def test_same_generator_state_gives_same_draws():
    spec = {"dist": "truncnormal", "mean": 0, "std": 1, "low": -1, "high": 1}
    assert np.array_equal(make(spec).sample(rng(5), 100), make(spec).sample(rng(5), 100))
