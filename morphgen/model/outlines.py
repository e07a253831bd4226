"""Landmark outlines on a mesh: polygon tests and smooth closed curves through iBUG-68 points.

Used at run time to derive regions of any model from its landmarks (``regions.py``) and by
the default model's build (``build/ict_regions.py``).
"""

from __future__ import annotations

import numpy as np


def inside_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Even-odd test of 2-D ``points (n, 2)`` against a closed ``polygon (m, 2)``."""
    x, y = points[:, 0:1], points[:, 1:2]
    x0, y0 = polygon[:, 0], polygon[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return (crosses & (x < xs)).sum(axis=1) % 2 == 1


def smooth_closed(points: np.ndarray, samples: int = 8) -> np.ndarray:
    """A closed Catmull-Rom curve through ``points (m, 2)``, ``samples`` points per span."""
    p0, p1 = np.roll(points, 1, axis=0), points
    p2, p3 = np.roll(points, -1, axis=0), np.roll(points, -2, axis=0)
    t = np.linspace(0.0, 1.0, samples, endpoint=False)[:, None, None]
    curve = 0.5 * (
        2 * p1
        + (-p0 + p2) * t
        + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
        + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
    )
    return curve.transpose(1, 0, 2).reshape(-1, 2)


def landmark_points(vertices: np.ndarray, landmarks: dict[str, int], *numbers: int) -> np.ndarray:
    """The positions of iBUG-68 landmarks ``numbers`` (1-based) on ``vertices``."""
    return vertices[[landmarks[f"ibug{n:02d}"] for n in numbers]]


def brow_band(
    vertices: np.ndarray, landmarks: dict[str, int], numbers: range, lateral_first: bool
) -> np.ndarray:
    """Frontal (x, y) outline of a brow: below its landmark curve, thick medially."""
    pts = landmark_points(vertices, landmarks, *numbers)[:, :2]
    if not lateral_first:
        pts = pts[::-1]
    thickness = np.linspace(5.0, 10.0, len(pts))[:, None]  # lateral tail -> medial head
    top = pts + [0.0, 1.5]
    bottom = pts - np.c_[np.zeros(len(pts)), thickness[:, 0] - 1.5]
    return smooth_closed(np.concatenate([top, bottom[::-1]]), 4)


def nose_outline(vertices: np.ndarray, landmarks: dict[str, int]) -> np.ndarray:
    """Frontal outline of the nose: the bridge from ibug28 down, the alae, the base ibug32-36."""
    y28, y30, y31 = landmark_points(vertices, landmarks, 28, 30, 31)[:, 1]
    x32, y32 = landmark_points(vertices, landmarks, 32)[0, :2]
    mid, y34 = landmark_points(vertices, landmarks, 34)[0, :2]
    right = [
        (mid - 6.0, y28),
        (mid - 8.5, y30),
        (x32 - 5.0, y31 - 4.0),
        (x32 - 4.0, y32 + 3.0),
        (x32, y32 - 1.5),
    ]
    left = [(2.0 * mid - px, py) for px, py in reversed(right)]
    return np.array([*right, (mid, y34 - 1.5), *left])
