"""One-dimensional Gaussian mixtures fitted by maximum likelihood (EM), chosen by BIC."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from morphgen.gaps.divergence import finite


@dataclass
class GaussianMixture:
    """Weights, means and standard deviations of a 1-D mixture, with its fit statistics."""

    weights: np.ndarray
    means: np.ndarray
    stds: np.ndarray
    log_likelihood: float
    n: int

    @property
    def k(self) -> int:
        return int(self.weights.size)

    @property
    def bic(self) -> float:
        """Bayesian information criterion: (3k - 1) ln n - 2 ln L (lower is better)."""
        return (3 * self.k - 1) * np.log(self.n) - 2.0 * self.log_likelihood

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws from the mixture."""
        which = rng.choice(self.k, size=n, p=self.weights)
        return rng.normal(self.means[which], self.stds[which])


def _log_densities(x: np.ndarray, means: np.ndarray, stds: np.ndarray) -> np.ndarray:
    """(n, k) log N(x_i | mean_j, std_j^2)."""
    z = (x[:, None] - means[None, :]) / stds[None, :]
    return -0.5 * z**2 - np.log(stds)[None, :] - 0.5 * np.log(2 * np.pi)


def fit_gmm(values: np.ndarray, k: int, max_iter: int = 500, tol: float = 1e-7) -> GaussianMixture:
    """Maximum-likelihood k-component mixture by EM, started from the data's quantiles.

    Standard deviations are floored at 1e-3 of the data's (or 1e-6 for constant data) so
    that a component cannot collapse onto one value.
    """
    x = finite(values)
    if x.size < k:
        raise ValueError(f"cannot fit {k} components to {x.size} values")
    spread = float(x.std()) or 1.0
    floor = 1e-3 * spread if x.std() > 0 else 1e-6
    means = np.quantile(x, (np.arange(k) + 0.5) / k)
    stds = np.full(k, max(spread / k, floor))
    weights = np.full(k, 1.0 / k)
    previous = -np.inf
    for _ in range(max_iter):
        joint = _log_densities(x, means, stds) + np.log(weights)[None, :]
        top = joint.max(axis=1, keepdims=True)
        log_norm = top[:, 0] + np.log(np.exp(joint - top).sum(axis=1))
        log_likelihood = float(log_norm.sum())
        resp = np.exp(joint - log_norm[:, None])
        mass = resp.sum(axis=0) + 1e-12
        weights = mass / x.size
        means = (resp * x[:, None]).sum(axis=0) / mass
        stds = np.sqrt((resp * (x[:, None] - means[None, :]) ** 2).sum(axis=0) / mass)
        stds = np.maximum(stds, floor)
        if log_likelihood - previous < tol * x.size:
            break
        previous = log_likelihood
    joint = _log_densities(x, means, stds) + np.log(weights)[None, :]
    top = joint.max(axis=1, keepdims=True)
    log_likelihood = float((top[:, 0] + np.log(np.exp(joint - top).sum(axis=1))).sum())
    order = np.argsort(means)
    return GaussianMixture(weights[order], means[order], stds[order], log_likelihood, int(x.size))


def best_gmm(values: np.ndarray, max_components: int = 5) -> GaussianMixture:
    """The mixture with 1..``max_components`` components that has the lowest BIC."""
    n = finite(values).size
    fits = [fit_gmm(values, k) for k in range(1, min(max_components, n) + 1)]
    return min(fits, key=lambda g: g.bic)
