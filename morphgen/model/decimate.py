"""Mesh decimation by half-edge collapses: fewer triangles over a subset of the vertices.

A collapse removes one vertex ``u`` by moving its triangles' corners onto a neighbour ``v``
that stays where it is, so the vertices left are original ones and every per-vertex array
(bases, regions, landmarks) carries over by indexing. Collapses are taken cheapest first by
the quadric error metric (Garland and Heckbert, "Surface simplification using quadric error
metrics", 1997): the summed squared distances of ``v`` to the planes of the triangles that
``u`` and ``v`` have absorbed. A collapse is refused when it would

- remove a locked vertex (the caller locks open boundaries, region boundaries, landmarks);
- break the surface's manifoldness (the link condition: ``u`` and ``v`` share exactly the
  neighbours opposite their common edge);
- turn a triangle by more than ``MAX_TURN`` or make it a sliver (``MIN_QUALITY``).

Ties are broken by vertex index, so the result is the same on every machine.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit

CAP = 32  # the most triangles a vertex may touch; busier ones take no part in collapses
MAX_TURN_COS = 0.5  # a collapse may turn a triangle's normal by at most 60 degrees
MIN_QUALITY = 0.2  # 4 sqrt(3) area / (sum of squared edges): 1 equilateral, 0 degenerate


def locked_vertices(
    triangles: np.ndarray, n_vertices: int, regions: np.ndarray | None, keep: np.ndarray
) -> np.ndarray:
    """``(N,)`` bool: vertices a decimation must keep in place.

    Those on an open boundary or a non-manifold edge, those with a neighbour of another
    region (so that every region keeps its outline), those no triangle uses, and ``keep``.
    """
    tri = np.asarray(triangles, dtype=np.int64)
    edges = np.sort(tri[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    unique, counts = np.unique(edges, axis=0, return_counts=True)
    locked = np.ones(n_vertices, dtype=bool)
    locked[tri.reshape(-1)] = False
    locked[unique[counts != 2].reshape(-1)] = True
    if regions is not None:
        r = np.asarray(regions)
        crossing = unique[r[unique[:, 0]] != r[unique[:, 1]]]
        locked[crossing.reshape(-1)] = True
    locked[np.asarray(keep, dtype=np.int64)] = True
    return locked


def decimate(
    vertices: np.ndarray, triangles: np.ndarray, locked: np.ndarray, target: int
) -> np.ndarray:
    """``target`` triangles over ``vertices``, or as few above it as the refusals allow.

    Returns ``(M', 3)`` int32 indices into the original ``vertices``, in the original
    triangles' order and winding; removed vertices appear in none of them.
    """
    tri = np.ascontiguousarray(triangles, dtype=np.int64)
    pts = np.ascontiguousarray(vertices, dtype=np.float64)
    lock = np.ascontiguousarray(locked, dtype=np.bool_)
    out, alive = _collapse(pts, tri, lock, int(target), MAX_TURN_COS, MIN_QUALITY)
    return out[alive].astype(np.int32)


@njit(cache=True)
def _error(q, p):  # pragma: no cover - jitted
    """The quadric ``q`` (10 upper-triangle terms of a 4 x 4 matrix) at point ``p``."""
    x, y, z = p[0], p[1], p[2]
    return (
        q[0] * x * x + 2 * q[1] * x * y + 2 * q[2] * x * z + 2 * q[3] * x
        + q[4] * y * y + 2 * q[5] * y * z + 2 * q[6] * y
        + q[7] * z * z + 2 * q[8] * z + q[9]
    )  # fmt: skip


@njit(cache=True)
def _normal(a, b, c):  # pragma: no cover - jitted
    """The unnormalised normal of triangle ``abc`` (twice its area long)."""
    e1 = b - a
    e2 = c - a
    x = e1[1] * e2[2] - e1[2] * e2[1]
    y = e1[2] * e2[0] - e1[0] * e2[2]
    return np.array([x, y, e1[0] * e2[1] - e1[1] * e2[0]])


@njit(cache=True)
def _quality(a, b, c, n):  # pragma: no cover - jitted
    """4 sqrt(3) area / sum of squared edges of ``abc`` with normal ``n`` (1 equilateral)."""
    edges = np.sum((b - a) ** 2) + np.sum((c - b) ** 2) + np.sum((a - c) ** 2)
    if edges <= 0.0:
        return 0.0
    return 2.0 * np.sqrt(3.0) * np.sqrt(np.sum(n * n)) / edges


@njit(cache=True)
def _neighbours(x, tris, vf, count, out):  # pragma: no cover - jitted
    """The vertices sharing a triangle with ``x``, into ``out``; how many."""
    k = 0
    for i in range(count[x]):
        f = vf[x, i]
        for j in range(3):
            w = tris[f, j]
            if w == x:
                continue
            seen = False
            for s in range(k):
                if out[s] == w:
                    seen = True
                    break
            if not seen:
                out[k] = w
                k += 1
    return k


@njit(cache=True)
def _allowed(u, v, pts, tris, vf, count, nu, nv, turn_cos, min_quality):  # pragma: no cover
    """Whether collapsing ``u`` onto ``v`` keeps the surface manifold and its triangles sound."""
    shared = 0
    for i in range(count[u]):
        f = vf[u, i]
        if tris[f, 0] == v or tris[f, 1] == v or tris[f, 2] == v:
            shared += 1
    if shared == 0 or count[u] + count[v] - 2 * shared > CAP:
        return False
    ku = _neighbours(u, tris, vf, count, nu)
    kv = _neighbours(v, tris, vf, count, nv)
    common = 0
    for i in range(ku):
        for j in range(kv):
            if nu[i] == nv[j]:
                common += 1
    if common != shared:
        return False
    for i in range(count[u]):
        f = vf[u, i]
        a, b, c = tris[f, 0], tris[f, 1], tris[f, 2]
        if a == v or b == v or c == v:
            continue
        old = _normal(pts[a], pts[b], pts[c])
        pa = pts[v] if a == u else pts[a]
        pb = pts[v] if b == u else pts[b]
        pc = pts[v] if c == u else pts[c]
        new = _normal(pa, pb, pc)
        lengths = np.sqrt(np.sum(old * old) * np.sum(new * new))
        if lengths <= 0.0 or np.sum(old * new) < turn_cos * lengths:
            return False
        if _quality(pa, pb, pc, new) < min_quality:
            return False
    return True


@njit(cache=True)
def _drop(x, f, vf, count):  # pragma: no cover - jitted
    """Remove triangle ``f`` from vertex ``x``'s list."""
    for i in range(count[x]):
        if vf[x, i] == f:
            count[x] -= 1
            vf[x, i] = vf[x, count[x]]
            return


@njit(cache=True)
def _push_around(v, pts, q, tris, vf, count, locked, busy, version, heap, out):  # pragma: no cover
    """Queue both collapses of every edge at ``v`` with their current costs."""
    k = _neighbours(v, tris, vf, count, out)
    for i in range(k):
        w = out[i]
        if busy[w]:
            continue
        qs = q[v] + q[w]
        if not locked[w]:
            heapq.heappush(heap, (_error(qs, pts[v]), w, v, version[w], version[v]))
        if not locked[v]:
            heapq.heappush(heap, (_error(qs, pts[w]), v, w, version[v], version[w]))


@njit(cache=True)
def _collapse(pts, tris_in, locked, target, turn_cos, min_quality):  # pragma: no cover
    """Collapse edges cheapest first until ``target`` triangles are left or none may go."""
    n, m = pts.shape[0], tris_in.shape[0]
    tris = tris_in.copy()
    alive = np.ones(m, dtype=np.bool_)
    vf = np.empty((n, CAP), dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    busy = np.zeros(n, dtype=np.bool_)  # touches more than CAP triangles
    q = np.zeros((n, 10))
    for f in range(m):
        a, b, c = tris[f, 0], tris[f, 1], tris[f, 2]
        nrm = _normal(pts[a], pts[b], pts[c])
        length = np.sqrt(np.sum(nrm * nrm))
        if length > 0.0:
            nx, ny, nz = nrm[0] / length, nrm[1] / length, nrm[2] / length
            d = -(nx * pts[a, 0] + ny * pts[a, 1] + nz * pts[a, 2])
            terms = [nx * nx, nx * ny, nx * nz, nx * d, ny * ny, ny * nz, ny * d]
            plane = 0.5 * length * np.array([*terms, nz * nz, nz * d, d * d])
        else:
            plane = np.zeros(10)
        for x in (a, b, c):
            q[x] += plane
            if count[x] < CAP:
                vf[x, count[x]] = f
                count[x] += 1
            else:
                busy[x] = True
    lock = locked | busy
    version = np.zeros(n, dtype=np.int64)
    heap = [(0.0, 0, 0, 0, 0)]
    heap.pop()
    scratch = np.empty(2 * CAP + 2, dtype=np.int64)
    nu = np.empty(2 * CAP + 2, dtype=np.int64)
    nv = np.empty(2 * CAP + 2, dtype=np.int64)
    for v in range(n):
        if not busy[v]:
            _push_around(v, pts, q, tris, vf, count, lock, busy, version, heap, scratch)
    left = m
    removed = np.zeros(n, dtype=np.bool_)
    while left > target and len(heap) > 0:
        _, u, v, ver_u, ver_v = heapq.heappop(heap)
        if removed[u] or removed[v] or version[u] != ver_u or version[v] != ver_v:
            continue
        if not _allowed(u, v, pts, tris, vf, count, nu, nv, turn_cos, min_quality):
            continue
        for i in range(count[u]):  # the triangles on the edge go first: v's list shrinks
            f = vf[u, i]
            a, b, c = tris[f, 0], tris[f, 1], tris[f, 2]
            if a == v or b == v or c == v:
                alive[f] = False
                left -= 1
                for x in (a, b, c):
                    if x != u:
                        _drop(x, f, vf, count)
        for i in range(count[u]):
            f = vf[u, i]
            if alive[f]:
                for j in range(3):
                    if tris[f, j] == u:
                        tris[f, j] = v
                vf[v, count[v]] = f
                count[v] += 1
        count[u] = 0
        removed[u] = True
        q[v] += q[u]
        version[v] += 1
        _push_around(v, pts, q, tris, vf, count, lock, busy, version, heap, scratch)
    return tris, alive
