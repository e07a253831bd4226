"""A data-driven masculinity direction in a model's shape space (``identities.sex.shape``).

No face model we ship labels its identities by sex, so the direction is derived from the
model's own landmarks: the gradient, in standard-normal shape coefficients, of a score
of the facial measurements that differ most between adult men and women in
anthropometric surveys (Farkas, "Anthropometry of the Head and Face", 1994): a wider jaw,
a brow ridge further ahead of the eyes, a wider nose, a longer lower face, thinner lips,
brows closer to the eyes and a larger face overall. Each measurement is divided by its
spread over random identities, so each counts alike. Feminine identities move one way
along the unit direction, masculine ones the other.
"""

from __future__ import annotations

import numpy as np

from morphgen.model.morphable import MorphableModel

# (sign, measurement): + grows with masculinity
_SIGNS = np.array([1.0, 1.0, 1.0, 1.0, -1.0, -1.0, 1.0])
_SPREAD_SAMPLES = 64  # random identities over which each measurement's spread is taken


def _measurements(points: np.ndarray) -> np.ndarray:
    """``(B, 7)`` measurements of iBUG-68 point sets ``(B, 68, 3)`` (model space, y up,
    +z forward), lengths over the outer-eye-corner distance, which is the last one (mm)."""

    def p(n: int) -> np.ndarray:
        return points[:, n - 1].astype(np.float64)

    def dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.linalg.norm(a - b, axis=-1)

    eyes = dist(p(37), p(46))
    brows = 0.5 * (p(20) + p(25))
    return np.stack(
        [
            dist(p(5), p(13)) / eyes,  # jaw width
            (brows[:, 2] - 0.5 * (p(40)[:, 2] + p(43)[:, 2])) / eyes,  # brow ridge
            dist(p(32), p(36)) / eyes,  # nose width
            dist(p(34), p(9)) / eyes,  # lower face height
            dist(p(52), p(58)) / eyes,  # lip height
            dist(brows, 0.5 * (p(38) + p(45))) / eyes,  # brow above the eyes
            eyes,  # face size
        ],
        axis=1,
    )


def masculinity_direction(model: MorphableModel, k: int, spread: float = 1.0) -> np.ndarray:
    """Unit ``(k,)`` direction in the first ``k`` standard-normal shape coefficients
    (zeros when the model has no iBUG 68 landmarks or no components)."""
    ibug = model.ibug68()
    if ibug is None or k == 0:
        return np.zeros(k)
    rows = (3 * np.asarray(ibug)[:, None] + np.arange(3)).reshape(-1)
    mean = model.shape.mean[rows].astype(np.float64)
    basis = model.shape.scaled_basis[rows, :k].astype(np.float64)

    def measure(z: np.ndarray) -> np.ndarray:
        return _measurements((mean + z @ basis.T).reshape(len(z), 68, 3))

    base = measure(np.zeros((1, k)))[0]
    jacobian = (measure(np.eye(k)) - base).T  # (7, k): one standard deviation each
    rng = np.random.default_rng(0)
    samples = measure(rng.standard_normal((_SPREAD_SAMPLES, k)) * max(spread, 1e-6))
    sd = samples.std(axis=0)
    gradient = (_SIGNS / np.where(sd > 0, sd, 1.0)) @ jacobian
    norm = float(np.linalg.norm(gradient))
    return gradient / norm if norm > 0 else np.zeros(k)
