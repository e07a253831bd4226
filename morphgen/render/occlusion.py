"""Ambient occlusion of the model's mean head: how much of the sky each vertex sees.

Without it a rendered head is lit as if every point faced open sky: eye sockets, nostrils,
the corners and seam of the lips, the folds of the ears and the skin under the jaw are as
bright as the cheeks, and the face reads flat. A vertex's occlusion is the cosine-weighted
share of directions of its normal's hemisphere in which nothing of the head lies between
it and the sky. It is measured once per model, on the mean shape, with depth maps: the head
is drawn orthographically from ``DIRECTIONS`` directions spread evenly over the sphere
(a Fibonacci lattice), each map keeping the surface nearest the sky, and a vertex sees
direction ``d`` when it is no deeper than its map's surface there (by a bias that grows
with the slope). The head's outer surface and the eyes receive it (the lids and the
sockets shade the sclera at its corners; the shading turns with the eyeball when it looks
aside, a small error for gaze within a few tens of degrees); teeth and the mouth interior
do not: an open jaw uncovers teeth that the mean shape's closed mouth hides, and they are
shaded by their own rules (``render.teeth``).

The factor scales the irradiance of every vertex (``render.shading``), in both backends.
For shadows from the dominant light, ``sky_of(model, shadows=True)`` keeps each vertex's
visibility per lattice direction too. Both are a pure function of the model: identities
share them, and an identity's own shape moves its concavities by a few millimetres, which
the factors' smooth falloff does not resolve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel
from morphgen.render.centres import cover_centres
from morphgen.render.normals import vertex_normals

DIRECTIONS = 64  # sky directions over the sphere
SMOOTHING = 3  # rings of mesh neighbours that each direction's visibility is averaged over
ATTACHED = 0.2  # cosine under which a direction casts no shadow (see ``sky_of``)
LIGHT_SPREAD = 4  # lattice directions blended for a light's shadow (a soft penumbra)
MAP_PX = 256  # depth map side, over the head's extent in each direction
BIAS_PX = 1.0  # a vertex this many map pixels (times its slope, plus one) below the
# surface still sees the sky: the map's own sampling error on a sloping surface
MAX_SLOPE = 4.0  # the slope term's cap (a grazing direction weighs cos ~ 0.24 or less)
# An enclosed vertex still gets this share of the light: what a cavity's walls reflect
# into it and what passes through the skin (without it nostrils render as black holes)
BOUNCE = 0.3
# Regions that receive occlusion: the head's outer surface and the eyes (module docstring)
RECEIVERS = (
    "skin", "nose", "left_brow", "right_brow", "upper_lip", "lower_lip",
    "left_ear", "right_ear", "neck", "scalp", "left_eye", "right_eye",
)  # fmt: skip


def sphere_directions(n: int) -> np.ndarray:
    """``(n, 3)`` unit vectors spread evenly over the sphere (a Fibonacci lattice)."""
    k = np.arange(n) + 0.5
    z = 1.0 - 2.0 * k / n
    phi = k * np.pi * (3.0 - np.sqrt(5.0))
    r = np.sqrt(1.0 - z * z)
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)


def _frame(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors that complete ``d`` to an orthonormal basis."""
    helper = np.array([1.0, 0.0, 0.0]) if abs(d[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(d, helper)
    u /= np.linalg.norm(u)
    return u, np.cross(d, u)


def open_directions(
    vertices: np.ndarray,
    triangles: np.ndarray,
    receivers: np.ndarray,
    normals: np.ndarray,
    directions: np.ndarray,
    size: int = MAP_PX,
) -> np.ndarray:
    """``(len(receivers), len(directions))`` bool: no triangle lies between the receiver
    vertex (unit ``normals`` per receiver) and the sky in that direction (a direction behind
    its surface counts as shut)."""
    v = np.asarray(vertices, dtype=np.float64)
    tris = np.ascontiguousarray(triangles, dtype=np.int64)
    normals = np.asarray(normals, dtype=np.float64)
    out = np.zeros((len(receivers), len(directions)), dtype=bool)
    depth = np.empty((size, size))
    winner = np.empty((size, size), dtype=np.int64)
    bary = np.empty((size, size, 3))
    for k, d in enumerate(directions):
        u, w = _frame(d)
        x, y, z = v @ u, v @ w, v @ d
        lo_x, lo_y = x.min(), y.min()
        pixel = max(x.max() - lo_x, y.max() - lo_y) / (size - 1)
        px, py = (x - lo_x) / pixel, (y - lo_y) / pixel
        depth.fill(-np.inf)
        cover_centres(np.stack([px[tris], py[tris]], axis=-1), z[tris], winner, bary, depth)
        cos = normals @ d
        col = np.clip(np.floor(px[receivers]).astype(np.int64), 0, size - 1)
        row = np.clip(np.floor(py[receivers]).astype(np.int64), 0, size - 1)
        slope = np.sqrt(np.maximum(1.0 - cos * cos, 0.0)) / np.maximum(cos, 1e-6)
        bias = BIAS_PX * pixel * (1.0 + np.minimum(slope, MAX_SLOPE))
        out[:, k] = (cos > 0.0) & (z[receivers] >= depth[row, col] - bias)
    return out


def sky_visibility(
    vertices: np.ndarray,
    triangles: np.ndarray,
    receivers: np.ndarray,
    directions: int = DIRECTIONS,
    size: int = MAP_PX,
) -> np.ndarray:
    """``(len(receivers),)`` cosine-weighted share of each receiver vertex's hemisphere in
    which no triangle lies between it and the sky (1: open, 0: enclosed)."""
    return _sky_share(vertices, triangles, receivers, sphere_directions(directions), size)[2]


def _sky_share(
    vertices: np.ndarray,
    triangles: np.ndarray,
    receivers: np.ndarray,
    lattice: np.ndarray,
    size: int = MAP_PX,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The receivers' unit normals, their open ``lattice`` directions (``open_directions``)
    and the cosine-weighted share of open directions over each one's hemisphere."""
    normals = vertex_normals(np.asarray(vertices), np.asarray(triangles))[receivers]
    seen = open_directions(vertices, triangles, receivers, normals, lattice, size)
    weight = np.maximum(normals.astype(np.float64) @ lattice.T, 0.0)
    total = weight.sum(axis=1)
    share = np.where(total > 0, (weight * seen).sum(axis=1) / np.maximum(total, 1e-12), 1.0)
    return normals, seen, share


@njit(cache=True, nogil=True)
def _smooth(values, triangles, fixed, passes):  # pragma: no cover - jitted
    """``passes`` rounds of each vertex's values becoming the mean of its own and its mesh
    neighbours' (each triangle edge counted once per triangle); ``fixed`` vertices keep
    theirs."""
    n, d = values.shape
    for _ in range(passes):
        total = values.copy()
        count = np.ones(n)
        for t in range(triangles.shape[0]):
            for e in range(3):
                a, b = triangles[t, e], triangles[t, (e + 1) % 3]
                for k in range(d):
                    total[a, k] += values[b, k]
                    total[b, k] += values[a, k]
                count[a] += 1.0
                count[b] += 1.0
        for v in range(n):
            if not fixed[v]:
                for k in range(d):
                    values[v, k] = total[v, k] / count[v]


@dataclass(frozen=True)
class Sky:
    """A model's occlusion: ``ambient`` ``(N,)`` float32 irradiance factors (``BOUNCE`` +
    the rest times the sky visibility; 1 off the receivers) and, for shadows, ``open``
    ``(N, D)`` uint8, how much of the sky each vertex sees towards ``directions[k]`` (model
    space; 255: all), smoothed over ``SMOOTHING`` rings of mesh neighbours so shadow edges
    do not follow the mesh's triangles (None until asked for: 3.4 MB at 53k vertices)."""

    ambient: np.ndarray
    open: np.ndarray | None
    directions: np.ndarray

    def toward(self, direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``LIGHT_SPREAD`` lattice directions nearest ``direction`` (unit, model space)
        and their float32 weights (summing to 1): a light's soft shadow from the lattice."""
        cos = self.directions @ np.asarray(direction, dtype=np.float64)
        nearest = np.argsort(-cos, kind="stable")[:LIGHT_SPREAD]
        angle = np.arccos(np.clip(cos[nearest], -1.0, 1.0))
        weight = np.maximum(angle[-1] - angle, 0.0) + 1e-6
        return nearest.astype(np.int64), (weight / weight.sum()).astype(np.float32)


def sky_of(model: MorphableModel, shadows: bool = False) -> Sky | None:
    """The occlusion of the model's mean head (with ``shadows``, the visibility per
    direction too), or None for a model with no receiving region."""
    if model.regions is None:
        receivers = np.arange(model.n_vertices)
    else:
        ids = [LABEL_IDS[name] for name in RECEIVERS]
        receivers = np.flatnonzero(np.isin(model.regions, ids))
    if not len(receivers):
        return None
    lattice = sphere_directions(DIRECTIONS)
    normals, seen, share = _sky_share(model.mean_vertices(), model.triangles, receivers, lattice)
    ambient = np.ones(model.n_vertices, dtype=np.float32)
    ambient[receivers] = BOUNCE + (1.0 - BOUNCE) * share
    if not shadows:
        return Sky(ambient, None, lattice)
    # for shadows, directions near or behind the tangent plane stay open: a light there is
    # dimmed by its own cosine, and the lattice's nearest directions to it may stand lower
    # than the light itself (a false shadow band where the forehead turns away)
    seen |= normals @ lattice.T.astype(np.float32) <= ATTACHED
    values = np.ones((model.n_vertices, DIRECTIONS), dtype=np.float32)  # 14 MB at 53k
    values[receivers] = seen
    fixed = np.ones(model.n_vertices, dtype=bool)
    fixed[receivers] = False
    _smooth(values, np.asarray(model.triangles, dtype=np.int64), fixed, SMOOTHING)
    return Sky(ambient, np.round(values * np.float32(255.0)).astype(np.uint8), lattice)
