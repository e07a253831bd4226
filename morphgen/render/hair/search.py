"""Nearest-point searches of the head fit, in compiled loops (no k-d tree in the workers).

Once per model, ``k_nearest`` finds each query's ``k`` nearest points by brute force on
the mean shape; per identity, ``nearest_of`` picks the nearest of those candidates with
the identity's own positions. scipy.spatial's cKDTree, which this replaces, cost every
worker 14 MB of imports and the per-identity fit ~80 ms on the BFM-sized model.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _k_nearest(queries, points, out_index, out_d2):  # pragma: no cover - jitted
    k = out_index.shape[1]
    for q in range(queries.shape[0]):
        best_d = out_d2[q]
        best_i = out_index[q]
        best_d[:] = np.inf
        best_i[:] = -1
        qx, qy, qz = queries[q, 0], queries[q, 1], queries[q, 2]
        for p in range(points.shape[0]):
            dx = points[p, 0] - qx
            dy = points[p, 1] - qy
            dz = points[p, 2] - qz
            d2 = dx * dx + dy * dy + dz * dz
            if d2 >= best_d[k - 1]:
                continue
            slot = k - 1
            while slot > 0 and best_d[slot - 1] > d2:  # insertion into the sorted k best
                best_d[slot] = best_d[slot - 1]
                best_i[slot] = best_i[slot - 1]
                slot -= 1
            best_d[slot] = d2
            best_i[slot] = p


@njit(cache=True, nogil=True)
def _nearest_of(queries, points, candidates, out_index, out_d2):  # pragma: no cover - jitted
    for q in range(queries.shape[0]):
        best, best_d = -1, np.inf
        for c in range(candidates.shape[1]):
            p = candidates[q, c]
            dx = points[p, 0] - queries[q, 0]
            dy = points[p, 1] - queries[q, 1]
            dz = points[p, 2] - queries[q, 2]
            d2 = dx * dx + dy * dy + dz * dz
            if d2 < best_d:
                best, best_d = p, d2
        out_index[q] = best
        out_d2[q] = best_d


def _f64(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def k_nearest(queries: np.ndarray, points: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(Q, k')`` int32 into ``points`` of each query's ``k' = min(k, P)`` nearest,
    nearest first, and their distances ``(Q, k')``."""
    k = min(k, len(points))
    index = np.empty((len(queries), k), dtype=np.int32)
    d2 = np.empty((len(queries), k), dtype=np.float64)
    if k:
        _k_nearest(_f64(queries), _f64(points), index, d2)
    return index, np.sqrt(d2)


def nearest_of(
    queries: np.ndarray, points: np.ndarray, candidates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per query, the index of its nearest point among its row of ``candidates`` (indices
    into ``points``, at least one per row) and the distance to it."""
    index = np.empty(len(queries), dtype=np.int64)
    d2 = np.empty(len(queries), dtype=np.float64)
    _nearest_of(_f64(queries), _f64(points), np.ascontiguousarray(candidates), index, d2)
    return index, np.sqrt(d2)
