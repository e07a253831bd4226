"""Clothing: a torso around the neck's base, so that an image never ends in a cut neck.

The torso is a stack of elliptical rings below the collar: the first fits the neck's
cross-section at the collar height (measured on the identity's own neck), the next ones
widen to the shoulders and then fall straight. A T-shirt has a crew neck at the base of the
neck, a sweater a higher and darker ribbed collar, a shirt a V opening with a light collar.
"""

from __future__ import annotations

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.render.hair.head import Head
from morphgen.render.layers import Layer

AROUND = 48  # ring vertices
# (drop below the collar, extra half-width, extra half-depth) in mm: collar -> shoulders -> chest
RINGS = ((0, 0, 0), (8, 12, 4), (22, 50, 14), (40, 100, 28), (62, 130, 40), (95, 140, 45),
         (400, 140, 45))  # fmt: skip
RING_SLOPE = (0.0, 0.6, 0.5, 0.3, 0.1, 0.0, 0.0)  # upward tilt of each ring's normals
COLLAR_DROP_MM = {"tshirt": 30.0, "sweater": 15.0, "shirt": 28.0}
# the shirt's V: its point this far below the collar, its top this wide (radians either side)
V_DEPTH_MM, V_HALF_ANGLE = 40.0, 0.55
COLLAR_FIT_MM = 6.0  # the collar is fitted to the neck vertices this close to its height
SHOULDER_WIDENING = 1.3  # a neck band this much wider than at the chin is the shoulders
NECK_CLEARANCE_MM = 3.0  # the torso passes at least this far outside the neck below the collar
COLLAR_BAND_MM = 2.0  # and the collar outside the neck this far above it


def clothing_layer(head: Head, neck: np.ndarray, spec: dict) -> Layer | None:
    """The torso for ``spec`` (``{"kind", "color"}``) below ``neck`` (neck vertices)."""
    kind = spec["kind"]
    y0 = collar_height(neck, head.chin_y, COLLAR_DROP_MM[kind])
    ring = neck[np.abs(neck[:, 1] - y0) < COLLAR_FIT_MM]
    if len(ring) < 8:
        return None
    cx, cz = (ring[:, 0].min() + ring[:, 0].max()) / 2, (ring[:, 2].min() + ring[:, 2].max()) / 2
    a0 = (ring[:, 0].max() - ring[:, 0].min()) / 2 + 3.0
    b0 = (ring[:, 2].max() - ring[:, 2].min()) / 2 + 3.0
    phi = np.linspace(0.0, 2 * np.pi, AROUND, endpoint=False)  # 0 = front (+z)
    n_rings = len(RINGS)
    ring_drop, ring_da, ring_db = np.array(RINGS, dtype=np.float64).T
    drop = np.repeat(ring_drop[:, None], AROUND, axis=1)
    if kind == "shirt":  # a V opening in front: the rings above it follow its straight edges
        front = np.minimum(phi, 2 * np.pi - phi)
        v_edge = V_DEPTH_MM * np.clip(1.0 - front / V_HALF_ANGLE, 0.0, None)
        drop = np.maximum(drop, v_edge[None, :])
    grow = _enclosing_scale(neck, cx, cz, y0, a0 + ring_da, b0 + ring_db, ring_drop)
    half_width = (a0 + np.interp(drop, ring_drop, ring_da)) * grow
    half_depth = (b0 + np.interp(drop, ring_drop, ring_db)) * grow
    vertices = np.stack(
        [cx + half_width * np.sin(phi), y0 - drop, cz + half_depth * np.cos(phi)], axis=-1
    ).reshape(-1, 3)
    i = np.arange(n_rings - 1)[:, None] * AROUND
    k = np.arange(AROUND)[None, :]
    a, b = i + k, i + (k + 1) % AROUND
    c, d = a + AROUND, b + AROUND
    triangles = np.stack([a, c, b, b, c, d], axis=-1).reshape(-1, 3)
    normals = vertices - np.array([cx, 0.0, cz])
    slope = np.interp(drop, ring_drop, RING_SLOPE).ravel()  # shoulders face up
    normals[:, 1] = slope * np.linalg.norm(normals[:, [0, 2]], axis=1)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    albedo = _albedo(np.asarray(spec["color"], dtype=np.float64), vertices, phi, kind, n_rings)
    return Layer(
        vertices.astype(np.float32), triangles.astype(np.int32), normals.astype(np.float32),
        albedo.astype(np.float32), LABEL_IDS["clothing"],
    )  # fmt: skip


def collar_height(neck: np.ndarray, chin_y: float, drop_mm: float) -> float:
    """The collar's height: ``drop_mm`` below the chin, or higher where the neck's
    cross-section has already widened into the shoulders by then.

    Going down from the chin in 2 mm steps, the collar stops above the first height whose
    neck band is more than ``SHOULDER_WIDENING`` times as wide as at the chin: on a short
    neck the band at a fixed drop catches the shoulders (a third of default-model
    identities at 30 mm), and a collar fitted to it spans them like a cape.
    """

    def half_width(y: float) -> float:
        band = neck[np.abs(neck[:, 1] - y) < COLLAR_FIT_MM, 0]
        return (band.max() - band.min()) / 2 if len(band) >= 8 else np.nan

    top = half_width(chin_y)
    y0 = chin_y
    for drop in np.arange(2.0, drop_mm + 1e-6, 2.0):
        if half_width(chin_y - drop) > SHOULDER_WIDENING * top:
            break
        y0 = chin_y - drop
    return float(y0) if np.isfinite(top) else chin_y - drop_mm


def _enclosing_scale(
    neck: np.ndarray, cx: float, cz: float, y0: float, a: np.ndarray, b: np.ndarray,
    ring_drop: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """``(rings, AROUND)`` factors on the rings' radii (1 where nothing pokes out) that put
    every neck vertex from just above the collar down at least ``NECK_CLEARANCE_MM``
    inside the torso.

    A neck is flatter at the back than the collar's ellipse and often flares towards the
    shoulders or the back faster than the rings widen; uncovered, it shows as a wedge of
    skin above the shoulder line. Ring ``i`` (half-axes ``a[i]``, ``b[i]``) and the next
    bound the vertices between their heights, so both are widened, at the vertices'
    angles and two ring vertices either side.
    """
    scale = np.ones((len(ring_drop), AROUND))
    drop = y0 - neck[:, 1]
    near = (drop > -COLLAR_BAND_MM) & (drop < ring_drop[-1])
    if not near.any():
        return scale
    p, d = neck[near], np.maximum(drop[near], 0.0)
    upper = np.searchsorted(ring_drop, d, side="right") - 1
    half_a, half_b = np.interp(d, ring_drop, a), np.interp(d, ring_drop, b)
    u, w = (p[:, 0] - cx) / half_a, (p[:, 2] - cz) / half_b
    need = np.hypot(u, w) * (1.0 + NECK_CLEARANCE_MM / np.minimum(half_a, half_b))
    step = 2 * np.pi / AROUND
    k = np.round(np.mod(np.arctan2(u, w), 2 * np.pi) / step).astype(np.int64) % AROUND
    np.maximum.at(scale, (upper, k), need)
    np.maximum.at(scale, (upper + 1, k), need)
    # every vertex's bin and two either side, then a light circular smoothing that keeps
    # those three at least as wide
    wide = np.max([np.roll(scale, s, axis=1) for s in range(-2, 3)], axis=0)
    return (np.roll(wide, 1, axis=1) + 2 * wide + np.roll(wide, -1, axis=1)) / 4


def _albedo(
    colour: np.ndarray, vertices: np.ndarray, phi: np.ndarray, kind: str, n_rings: int
) -> np.ndarray:
    """Per-vertex cloth colour: soft folds, and the collar band of the kind."""
    folds = 1.0 + 0.06 * np.sin(np.tile(phi, n_rings) * 9.0 + vertices[:, 1] * 0.05)
    out = colour[None, :] * folds[:, None]
    collar = np.arange(len(vertices)) < AROUND
    if kind == "sweater":
        out[collar] *= 0.7
    elif kind == "shirt":
        out[collar] = 0.5 + 0.5 * out[collar]
    return np.clip(out, 0.0, 1.0)
