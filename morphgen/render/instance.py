"""Per-vertex instance work: ``mean + basis @ coefficients`` for a batch, deterministically.

One compiled kernel reads each basis row once for the whole batch and sums over the
components in a fixed order per output value, whatever the batch size: an image's
vertices are bit-identical whether it is rendered alone or in a batch of 32, so outputs
do not depend on how the work is split between workers (BLAS picks different kernels
for different batch sizes, which can change the last bit).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from morphgen.model.morphable import PCAComponent


@njit(cache=True, nogil=True, fastmath=True)
def _combine(basis, weights, mean, out):  # pragma: no cover - jitted
    """``out[b, r] = mean[r] + sum_k basis[r, k] * weights[b, k]`` (k < weights.shape[1])."""
    k = weights.shape[1]
    for r in range(basis.shape[0]):
        row = basis[r, :k]
        for b in range(weights.shape[0]):
            acc = np.float32(0.0)
            for j in range(k):
                acc += row[j] * weights[b, j]
            out[b, r] = mean[r] + acc


def combine(basis: np.ndarray, weights: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
    """``(B, R)`` float32: ``mean + weights @ basis[:, :k].T`` for ``weights (B, k)``."""
    w = np.ascontiguousarray(weights, dtype=np.float32)
    if w.shape[1] > basis.shape[1]:
        raise ValueError(f"{w.shape[1]} weights given, the basis has {basis.shape[1]} columns")
    m = np.zeros(basis.shape[0], dtype=np.float32) if mean is None else mean
    out = np.empty((w.shape[0], basis.shape[0]), dtype=np.float32)
    _combine(
        np.ascontiguousarray(basis, dtype=np.float32), w, m.astype(np.float32, copy=False), out
    )
    return out


def pca_instances(component: PCAComponent, coeffs: np.ndarray) -> np.ndarray:
    """``(B, N, 3)`` instances of standard-normal ``coeffs (B, k)`` (k may be < all)."""
    c = np.atleast_2d(np.asarray(coeffs, dtype=np.float32))
    k = c.shape[1]
    scaled = c * np.sqrt(np.maximum(component.variance[:k], 0.0))[None, :]
    return combine(component.basis, scaled, component.mean).reshape(len(c), -1, 3)
