"""Mixture fitting by EM and BIC, and `morphgen fit` closing the gap to a synthetic target."""

import numpy as np
import pytest

from morphgen.gaps.mixture import best_gmm, fit_gmm


def test_em_recovers_a_known_two_component_mixture():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-30, 8, 6000), rng.normal(25, 10, 4000)])
    g = fit_gmm(x, 2)
    assert g.weights == pytest.approx([0.6, 0.4], abs=0.02)
    assert g.means == pytest.approx([-30, 25], abs=1.0)
    assert g.stds == pytest.approx([8, 10], rel=0.06)


def test_em_never_lowers_the_likelihood_of_a_one_component_fit():
    rng = np.random.default_rng(1)
    x = rng.normal(3, 2, 2000)
    one = fit_gmm(x, 1)
    assert one.means[0] == pytest.approx(x.mean())
    assert one.stds[0] == pytest.approx(x.std())
    assert fit_gmm(x, 3).log_likelihood >= one.log_likelihood - 1e-6


def test_bic_picks_the_number_of_components():
    rng = np.random.default_rng(2)
    assert best_gmm(rng.normal(0, 1, 3000)).k == 1
    bimodal = np.concatenate([rng.normal(-40, 5, 1500), rng.normal(40, 5, 1500)])
    assert best_gmm(bimodal).k == 2
