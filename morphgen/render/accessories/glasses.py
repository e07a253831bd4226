"""Glasses fitted to an identity's eyes: rims, bridge and temple arms; dark lenses for sunglasses.

Each rim is a closed curve around its eye, in a plane ``LENS_GAP_MM`` in front of the
eyes, or further where a brow or cheek would reach the frame's back (``_clear_plane``),
wrapped a little around the face. Shapes are superellipses: round, rectangular,
cat-eye (the outer top corner lifted), aviator (deeper at the bottom outside) and rimless
(a hairline rim). The arms run straight from the rims' outer ends to the top of the ears,
between ear and skull. Clear lenses are see-through (``render.lenses``: a faint tint and
reflection; the face behind keeps its labels); sunglasses get opaque dark lenses, labelled
glasses with the frame.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.render.hair.head import Head
from morphgen.render.layers import Layer

LENS_GAP_MM = 14.0
# The frame's back stays this far in front of the brows and cheeks within its rims, the
# frame moving forward (by at most MAX_PUSH_MM) where they would reach it: a frame rests on
# a prominent brow, and the lens's tint was cut where the skin stood in front of it
LENS_CLEARANCE_MM = 1.0
MAX_PUSH_MM = 12.0
AROUND = 40
DEPTH_MM = 2.5  # frame thickness front to back
WRAP = 0.004  # lens plane bends back by WRAP * x**2 (face-form curve)
ARM_CLEARANCE_MM = 2.0  # a temple arm's gap to the side of the head
ARM_POINTS = 12
ARM_REACH_MM = 4.0  # skull points this near an arm point in height and depth are cleared
# (half width, half height, superellipse exponent) in mm per style
SHAPES = {
    "round": (21.0, 20.0, 2.0),
    "rectangular": (25.0, 16.0, 4.5),
    "cat_eye": (25.0, 17.0, 3.0),
    "aviator": (27.0, 21.0, 2.4),
    "rimless": (24.0, 17.0, 3.5),
}


def _outline(style: str, outer: float) -> np.ndarray:
    """``(AROUND, 2)`` rim curve around the lens centre; ``outer`` is +1 or -1 (which x side)."""
    a, b, n = SHAPES[style]
    t = np.linspace(0.0, 2 * np.pi, AROUND, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    x = a * np.sign(c) * np.abs(c) ** (2 / n)
    y = b * np.sign(s) * np.abs(s) ** (2 / n)
    out_side = np.clip(x * outer / a, 0.0, 1.0)
    if style == "cat_eye":
        y = np.where(y > 0, y * (1 + 0.45 * out_side**2), y * (1 - 0.15 * out_side))
    elif style == "aviator":
        y = np.where(y < 0, y * (1 + 0.25 * out_side), y * 0.85)
    return np.stack([x, y], axis=1)


def glasses_layers(
    head: Head, shape: np.ndarray, skull: np.ndarray, landmarks: dict, spec: dict
) -> list[Layer]:
    """The frame (and sunglass lenses) of ``spec`` on the identity's face; ``skull``: the
    ids of the vertices its arms clear (``skull_vertices``)."""
    marks = [f"ibug{k:02d}" for k in range(37, 49)]
    if not all(m in landmarks for m in marks + ["ibug28"]):
        return []
    right = shape[[landmarks[m] for m in marks[:6]]].mean(axis=0)
    left = shape[[landmarks[m] for m in marks[6:]]].mean(axis=0)
    mid = (right + left) / 2
    rim = 0.7 if spec["kind"] == "rimless" else float(spec["rim_mm"])
    colour = np.asarray(spec["color"], dtype=np.float32)
    frame, lenses = [], []
    points = shape[skull]
    sides = ((right, -1.0), (left, 1.0))
    curves = [_outline(spec["kind"], o) + [eye[0] + 2.0 * o, eye[1] - 1.0] for eye, o in sides]
    z = max(right[2], left[2]) + LENS_GAP_MM
    clear = max(_clear_plane(points, curve, rim, mid[0]) for curve in curves)
    z = max(z, min(clear, z + MAX_PUSH_MM))
    for (_, outer), curve in zip(sides, curves, strict=True):
        frame.append(_rim(curve, rim, z, mid[0]))
        lenses.append(_lens(curve, z, mid[0]))
        hinge = curve[np.argmax(curve[:, 0] * outer)]
        on_side = points[outer * (points[:, 0] - head.centre[0]) > 0]
        frame.append(_arm(hinge, outer, z, rim, head.centre, on_side))
    frame.append(_bridge(frame[0].vertices, frame[2].vertices, z, rim))
    layers = [_layer(frame, colour)]
    tint = np.asarray(spec.get("lens_tint", (1.0, 1.0, 1.0)), dtype=np.float32)
    if spec.get("sunglasses"):
        layers.append(_layer(lenses, 0.03 * tint))
    else:
        layers.append(replace(_layer(lenses, tint), two_sided=False, see_through=True))
    return layers


def _clear_plane(points: np.ndarray, curve: np.ndarray, rim: float, mid_x: float) -> float:
    """The lowest frame plane ``z`` that keeps every point within the rim's outer edge
    (``curve`` grown by ``rim / 2``, seen from the front) ``LENS_CLEARANCE_MM`` behind the
    frame's back, wrap included; -inf when no point lies within it. The curve is
    star-shaped about its centre, so its radius is interpolated by angle."""
    centre = curve.mean(axis=0)
    edge = curve - centre
    order = np.argsort(np.arctan2(edge[:, 1], edge[:, 0]))
    angle = np.arctan2(edge[order, 1], edge[order, 0])
    radius = np.linalg.norm(edge[order], axis=1) + rim / 2
    # only points within the largest radius can lie within the edge
    r = radius.max()
    near = points[(np.abs(points[:, 0] - centre[0]) <= r) & (np.abs(points[:, 1] - centre[1]) <= r)]
    offset = near[:, :2] - centre
    reach = np.interp(np.arctan2(offset[:, 1], offset[:, 0]), angle, radius, period=2 * np.pi)
    inside = np.linalg.norm(offset, axis=1) <= reach
    if not inside.any():
        return -np.inf
    p = near[inside]
    return float(np.max(p[:, 2] + WRAP * (p[:, 0] - mid_x) ** 2) + DEPTH_MM + LENS_CLEARANCE_MM)


def skull_vertices(regions: np.ndarray) -> np.ndarray:
    """Ids of the vertices that temple arms clear: all but the ears and what lies inside the
    head (eyes, mouth)."""
    inside = ("left_ear", "right_ear", "left_eye", "right_eye", "inner_mouth", "teeth")
    return np.flatnonzero(~np.isin(regions, [LABEL_IDS[n] for n in inside]))


class _Mesh:
    def __init__(self, vertices: np.ndarray, triangles: np.ndarray):
        self.vertices, self.triangles = vertices, triangles


def _wrap(xy: np.ndarray, z: float, mid_x: float) -> np.ndarray:
    return np.c_[xy, z - WRAP * (xy[:, 0] - mid_x) ** 2]


def _band(a: np.ndarray, b: np.ndarray, closed: bool) -> np.ndarray:
    """Triangles joining two equally long vertex rows (indices a, b) into a strip."""
    k = np.arange(len(a) if closed else len(a) - 1)
    n = (k + 1) % len(a)
    return np.concatenate([np.stack([a[k], b[k], a[n]], 1), np.stack([a[n], b[k], b[n]], 1)])


def _rim(curve: np.ndarray, rim: float, z: float, mid_x: float) -> _Mesh:
    """A rim band of width ``rim`` around ``curve``, with an outer wall ``DEPTH_MM`` deep."""
    centre = curve.mean(axis=0)
    radial = (curve - centre) / np.linalg.norm(curve - centre, axis=1, keepdims=True)
    inner = _wrap(curve - radial * rim / 2, z, mid_x)
    outer = _wrap(curve + radial * rim / 2, z, mid_x)
    back = outer - [0.0, 0.0, DEPTH_MM]
    n = len(curve)
    i, o, b = np.arange(n), np.arange(n) + n, np.arange(n) + 2 * n
    triangles = np.concatenate([_band(i, o, True), _band(o, b, True)])
    return _Mesh(np.concatenate([inner, outer, back]), triangles)


def _lens(curve: np.ndarray, z: float, mid_x: float) -> _Mesh:
    """A lens filling ``curve`` (a fan around its centre), just behind the rim's front."""
    vertices = _wrap(np.concatenate([curve.mean(axis=0)[None], curve]), z - 0.5, mid_x)
    k = np.arange(len(curve))
    return _Mesh(vertices, np.stack([np.zeros_like(k), k + 1, (k + 1) % len(curve) + 1], 1))


def _arm(
    hinge: np.ndarray, outer: float, z: float, rim: float, centre: np.ndarray, side: np.ndarray
) -> _Mesh:
    """A straight temple arm from the hinge back to above the ear (``centre``: the head's),
    swung out about the hinge until it clears by ``ARM_CLEARANCE_MM`` every point of
    ``side`` (the skull on its side, without the ears) within ``ARM_REACH_MM`` of it in
    height and depth. A real arm is straight and passes between the ear and the skull;
    pushing each of its points out onto the head's binned collision map made it zigzag and
    stand off the ear."""
    start = np.array([hinge[0], hinge[1], z - DEPTH_MM])
    end = np.array([start[0] + outer * 12.0, start[1] - 4.0, centre[2] - 5.0])
    t = np.linspace(0.0, 1.0, ARM_POINTS)[1:]
    path = start * (1 - t[:, None]) + end * t[:, None]
    # only points within reach of the path's height and depth range can be near it
    lo, hi = path[:, 1:].min(axis=0) - ARM_REACH_MM, path[:, 1:].max(axis=0) + ARM_REACH_MM
    height, depth = side[:, 1], side[:, 2]
    side = side[(height > lo[0]) & (height < hi[0]) & (depth > lo[1]) & (depth < hi[1])]
    near = (np.abs(side[None, :, 1] - path[:, None, 1]) < ARM_REACH_MM) & (
        np.abs(side[None, :, 2] - path[:, None, 2]) < ARM_REACH_MM
    )
    widest = np.where(near, outer * side[None, :, 0], -np.inf).max(axis=1, initial=-np.inf)
    swing = np.max((widest + ARM_CLEARANCE_MM - outer * path[:, 0]) / t, initial=0.0)
    end[0] += outer * swing
    path = start * (1 - t[:, None]) + end * t[:, None]
    path = np.concatenate([start[None], path])
    h = np.array([0.0, max(rim, 1.5) * 0.8, 0.0])
    n = len(path)
    return _Mesh(np.concatenate([path + h, path - h]), _band(np.arange(n), np.arange(n) + n, False))


def _bridge(right: np.ndarray, left: np.ndarray, z: float, rim: float) -> _Mesh:
    """The bridge between the rims' inner edges, arching over the nose."""
    a = right[np.argmax(right[:AROUND, 0])]
    b = left[np.argmin(left[:AROUND, 0])]
    t = np.linspace(0.0, 1.0, 8)[:, None]
    path = a * (1 - t) + b * t
    path[:, 1] += 3.0 * np.sin(np.pi * t[:, 0])
    path[:, 2] = np.maximum(path[:, 2], z)
    h = np.array([0.0, max(rim, 1.2) * 0.6, 0.0])
    n = len(path)
    return _Mesh(np.concatenate([path + h, path - h]), _band(np.arange(n), np.arange(n) + n, False))


def _layer(parts: list[_Mesh], colour: np.ndarray) -> Layer:
    starts = np.cumsum([0] + [len(p.vertices) for p in parts[:-1]])
    vertices = np.concatenate([p.vertices for p in parts])
    triangles = np.concatenate([p.triangles + s for p, s in zip(parts, starts, strict=True)])
    normals = np.tile([0.0, 0.2, 1.0], (len(vertices), 1)) / np.sqrt(1.04)
    return Layer(
        vertices.astype(np.float32), triangles.astype(np.int32), normals.astype(np.float32),
        np.tile(colour, (len(vertices), 1)).astype(np.float32), LABEL_IDS["glasses"],
    )  # fmt: skip
