"""Ambient occlusion of the model's mean head: how much of the sky each vertex sees.

Without it a rendered head is lit as if every point faced open sky: eye sockets, nostrils,
the corners and seam of the lips, the folds of the ears and the skin under the jaw are as
bright as the cheeks, and the face reads flat. A vertex's occlusion is the cosine-weighted
share of directions of its normal's hemisphere in which nothing of the head lies between
it and the sky. It is measured once per model, on the mean shape, with depth maps: the head
is drawn orthographically from ``DIRECTIONS`` directions spread evenly over the sphere
(a Fibonacci lattice), each map keeping the surface nearest the sky, and a vertex sees
direction ``d`` when it is no deeper than its map's surface there (by a bias that grows
with the slope). Only the head's outer surface receives it: eyeballs, teeth and the mouth
interior move with expressions (an open jaw uncovers teeth that the mean shape's closed
mouth hides) and are shaded by their own rules (``model.calibration``, ``render.teeth``).

The factor multiplies the irradiance of every vertex (``render.shading``), in both backends.
A pure function of the model: identities share it, and an identity's own shape moves its
concavities by a few millimetres, which the factor's smooth falloff does not resolve.
"""

from __future__ import annotations

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel
from morphgen.render.centres import cover_centres
from morphgen.render.normals import vertex_normals

DIRECTIONS = 64  # sky directions over the sphere
MAP_PX = 256  # depth map side, over the head's extent in each direction
BIAS_PX = 1.0  # a vertex this many map pixels (times its slope, plus one) below the
# surface still sees the sky: the map's own sampling error on a sloping surface
MAX_SLOPE = 4.0  # the slope term's cap (a grazing direction weighs cos ~ 0.24 or less)
# An enclosed vertex still gets this share of the light: what a cavity's walls reflect
# into it and what passes through the skin (without it nostrils render as black holes)
BOUNCE = 0.3
# Regions that receive occlusion: the head's outer surface (see the module docstring)
RECEIVERS = (
    "skin", "nose", "left_brow", "right_brow", "upper_lip", "lower_lip",
    "left_ear", "right_ear", "neck", "scalp",
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


def sky_visibility(
    vertices: np.ndarray,
    triangles: np.ndarray,
    receivers: np.ndarray,
    directions: int = DIRECTIONS,
    size: int = MAP_PX,
) -> np.ndarray:
    """``(len(receivers),)`` cosine-weighted share of each receiver vertex's hemisphere in
    which no triangle lies between it and the sky (1: open, 0: enclosed)."""
    v = np.asarray(vertices, dtype=np.float64)
    tris = np.ascontiguousarray(triangles, dtype=np.int64)
    normals = vertex_normals(v.astype(np.float32), tris.astype(np.int32))[receivers].astype(
        np.float64
    )
    seen = np.zeros(len(receivers))
    total = np.zeros(len(receivers))
    depth = np.empty((size, size))
    winner = np.empty((size, size), dtype=np.int64)
    bary = np.empty((size, size, 3))
    for d in sphere_directions(directions):
        u, w = _frame(d)
        x, y, z = v @ u, v @ w, v @ d
        lo_x, lo_y = x.min(), y.min()
        pixel = max(x.max() - lo_x, y.max() - lo_y) / (size - 1)
        px, py = (x - lo_x) / pixel, (y - lo_y) / pixel
        depth.fill(-np.inf)
        xy = np.stack([px[tris], py[tris]], axis=-1)
        cover_centres(xy, z[tris], winner, bary, depth)
        cos = normals @ d
        facing = cos > 0.0
        col = np.clip(np.floor(px[receivers]).astype(np.int64), 0, size - 1)
        row = np.clip(np.floor(py[receivers]).astype(np.int64), 0, size - 1)
        slope = np.sqrt(np.maximum(1.0 - cos * cos, 0.0)) / np.maximum(cos, 1e-6)
        bias = BIAS_PX * pixel * (1.0 + np.minimum(slope, MAX_SLOPE))
        open_sky = z[receivers] >= depth[row, col] - bias
        weight = np.where(facing, cos, 0.0)
        seen += weight * open_sky
        total += weight
    return np.where(total > 0, seen / np.maximum(total, 1e-12), 1.0)


def sky_visibility_of(model: MorphableModel) -> np.ndarray | None:
    """``(N,)`` float32 sky visibility of the model's mean head (1 off the receivers), or
    None for a model with no receiving region."""
    if model.regions is None:
        receivers = np.arange(model.n_vertices)
    else:
        ids = [LABEL_IDS[name] for name in RECEIVERS]
        receivers = np.flatnonzero(np.isin(model.regions, ids))
    if not len(receivers):
        return None
    out = np.ones(model.n_vertices, dtype=np.float32)
    seen = sky_visibility(model.mean_vertices(), model.triangles, receivers)
    out[receivers] = BOUNCE + (1.0 - BOUNCE) * seen
    return out
