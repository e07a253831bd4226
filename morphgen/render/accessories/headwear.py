"""Headwear sitting on the hair and the head: beanie, cap (with a visor), headband, hat.

Each piece is a dome over the head: directions from the head centre within an angle of a
backwards-tilted axis, each at the head's radius in that direction (the radial collision
map) plus a clearance for the hair. The angle is set so that the front edge sits a given
height above the brows, which fits every head of the model. A cap adds a visor, a hat a
wide brim, a headband keeps only a band above the hairline.
"""

from __future__ import annotations

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.render.hair.head import Head
from morphgen.render.layers import Layer

AROUND = 48
RINGS = 14
# kind -> (front edge above the brows in mm, axis tilt backwards, extra clearance in mm)
FIT = {"beanie": (18.0, 0.45, 2.0), "cap": (30.0, 0.3, 2.0), "headband": (32.0, 0.25, 1.0),
       "hat": (24.0, 0.2, 6.0)}  # fmt: skip
VISOR_MM = 70.0
BRIM_MM = 55.0


def headwear_layer(head: Head, hair_mm: float, spec: dict) -> Layer:
    """The headwear of ``spec`` (``{"kind", "color"}``) over a head with hair ``hair_mm`` high."""
    kind = spec["kind"]
    above, tilt, extra = FIT[kind]
    axis = np.array([0.0, 1.0, -tilt]) / np.hypot(1.0, tilt)
    front = np.array(
        [0.0, head.brow_y + above - head.centre[1], 0.7 * (head.front_z - head.centre[2])]
    )
    edge = float(np.arccos(front @ axis / np.linalg.norm(front)))
    start = edge - 0.45 if kind == "headband" else 0.0
    u = _perpendicular(axis)
    w = np.cross(axis, u)
    polar = np.linspace(start, edge, RINGS)[:, None]
    phi = np.linspace(0.0, 2 * np.pi, AROUND, endpoint=False)[None, :]
    dirs = (np.cos(polar)[..., None] * axis + np.sin(polar)[..., None]
            * (np.cos(phi)[..., None] * u + np.sin(phi)[..., None] * w))  # fmt: skip
    dirs = dirs.reshape(-1, 3)
    clearance = hair_mm + extra
    ti, pi, _ = head.bins(head.centre + dirs)
    radius = head.radius[ti, pi] + clearance
    if kind == "hat":  # a taller, rounder crown
        radius = np.maximum(radius, np.percentile(radius, 80))
    vertices = head.centre + dirs * radius[:, None]
    triangles = _grid(RINGS, AROUND)
    normals = dirs
    colour = np.asarray(spec["color"], dtype=np.float64)
    ring = np.repeat(np.arange(RINGS), AROUND)
    albedo = np.tile(colour, (len(vertices), 1))
    if kind == "beanie":  # ribbed knit, a darker folded cuff
        albedo *= (1.0 + 0.1 * np.sin(np.tile(phi[0], RINGS) * 40.0))[:, None]
        albedo[ring >= RINGS - 3] *= 0.75
    parts = [(vertices, triangles, normals, albedo)]
    if kind in ("cap", "hat"):
        parts.append(_brim(vertices[-AROUND:], head, kind, colour))
    return _join(parts)


def _perpendicular(axis: np.ndarray) -> np.ndarray:
    """A unit vector perpendicular to ``axis`` pointing forward (+z) as far as it can."""
    u = np.array([0.0, 0.0, 1.0]) - axis[2] * axis
    return u / np.linalg.norm(u)


def _grid(rows: int, cols: int) -> np.ndarray:
    r = np.arange(rows - 1)[:, None] * cols
    c = np.arange(cols)[None, :]
    a, b = r + c, r + (c + 1) % cols
    return np.stack([a, a + cols, b, b, a + cols, b + cols], axis=-1).reshape(-1, 3)


def _brim(rim: np.ndarray, head: Head, kind: str, colour: np.ndarray) -> tuple:
    """A cap's visor (front only) or a hat's all-round brim, out from the lower rim."""
    out = rim - head.centre
    out[:, 1] = 0.0
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    phi = np.arctan2(out[:, 0], out[:, 2])
    if kind == "cap":
        reach = VISOR_MM * np.clip((np.cos(phi) - 0.2) / 0.8, 0.0, 1.0) ** 0.8
        drop = 0.15 * reach
    else:
        reach = np.full(len(rim), BRIM_MM)
        drop = 0.1 * reach
    tip = rim + out * reach[:, None] - np.array([0.0, 1.0, 0.0]) * drop[:, None]
    vertices = np.concatenate([rim, tip])
    n = len(rim)
    triangles = _grid(2, n)
    normals = np.tile([0.0, 1.0, 0.0], (2 * n, 1))
    return vertices, triangles, normals, np.tile(colour * 0.85, (2 * n, 1))


def _join(parts: list[tuple]) -> Layer:
    starts = np.cumsum([0] + [len(p[0]) for p in parts[:-1]])
    return Layer(
        np.concatenate([p[0] for p in parts]).astype(np.float32),
        np.concatenate([p[1] + s for p, s in zip(parts, starts, strict=True)]).astype(np.int32),
        np.concatenate([p[2] for p in parts]).astype(np.float32),
        np.clip(np.concatenate([p[3] for p in parts]), 0.0, 1.0).astype(np.float32),
        LABEL_IDS["headwear"],
    )
