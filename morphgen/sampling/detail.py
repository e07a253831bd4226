"""Shape directions that move one facial feature more than the rest (``identities.features``).

A recogniser keys on the finer shape of the inner face (README "Realism report": a pair's
nose-shape difference correlates 0.47 with its descriptor distance), but most of the
finer components' displacement lies on the ears, neck and scalp (lumpy heads when they
are spread wide) and around the mouth (twisted lips). For a feature's regions we solve
the generalised eigenproblem ``G_feature u = l G_rest u`` of the shape components' Gram
matrices (mean squared displacement per vertex, one standard deviation each) over the
feature's vertices and over every other vertex, within components ``first..k-1``, and
keep the directions that move the feature at least as much as the rest (``l >= 1``).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel

# the model regions of each named feature (``identities.features``)
FEATURE_REGIONS = {
    "face": ("skin", "nose", "left_eye", "right_eye", "left_brow", "right_brow"),
    "nose": ("nose",),
    "eyes": ("left_eye", "right_eye"),
}
MIN_RATIO = 1.0  # a direction moves the feature at least this much per vertex as the rest


def feature_basis(model: MorphableModel, feature: str, first: int, k: int) -> np.ndarray:
    """``(k, r)`` orthonormal columns spanning the directions of shape components
    ``first..k-1`` that move ``feature`` most (zero rows before ``first``); ``(k, 0)``
    when the model has no regions, none of the feature's, or no such components."""
    n = k - first
    inside = np.zeros(model.n_vertices, dtype=bool)
    if model.regions is not None:
        inside = np.isin(model.regions, [LABEL_IDS[r] for r in FEATURE_REGIONS[feature]])
    if n <= 0 or not inside.any() or inside.all():
        return np.zeros((k, 0))
    shape = model.shape
    sd = np.sqrt(np.maximum(shape.variance[first:k].astype(np.float64), 0.0))
    rows = (3 * np.flatnonzero(inside)[:, None] + np.arange(3)).reshape(-1)
    part = shape.basis[rows, first:k].astype(np.float64) * sd
    own = part.T @ part  # the feature's sums; the whole head's are diag(variance), as the
    rest = np.diag(sd**2) - own  # basis is orthonormal (README "Conventions")
    own /= np.count_nonzero(inside)
    rest /= np.count_nonzero(~inside)
    ratio, vectors = scipy.linalg.eigh(own, rest + 1e-9 * np.trace(rest) * np.eye(n))
    kept = vectors[:, ratio >= MIN_RATIO]
    out = np.zeros((k, kept.shape[1]))
    if kept.shape[1]:
        out[first:] = np.linalg.qr(kept)[0]
    return out


def spread_matrix(
    model: MorphableModel, spreads: dict[str, float], first: int, k: int
) -> np.ndarray | None:
    """``(k, k)`` map of standard-normal shape coefficients that multiplies each feature's
    directions by its spread (``I + sum (s - 1) Q Q^T``); None when every spread is 1."""
    active = {name: s for name, s in spreads.items() if s != 1.0}
    if not active:
        return None
    out = np.eye(k)
    for name, s in active.items():
        q = feature_basis(model, name, first, k)
        out += (s - 1.0) * (q @ q.T)
    return out
