"""Landmarks: projected with the raster's camera, visible when not self-occluded.

Order: the iBUG 68 (``ibug01``..``ibug68``) first, then the model's other named
landmarks in the model's order. A landmark is visible when it projects inside the image
and the surface seen at its pixel is the landmark's own: the visible triangle there
contains its vertex, or the landmark lies at most ``TOLERANCE_MM`` behind the depth
seen there (Basel's z-buffer test uses 2 mm). A landmark whose pixel is background
(it sits on the silhouette) is compared with the face pixels around it.

ArcFace's 5 points (the 112 x 112 alignment template's order: image-left eye,
image-right eye, nose tip, image-left and image-right mouth corners for a frontal face)
are, in the subject's terms: right eye centre (mean of iBUG 37-42), left eye centre
(43-48), nose tip (31), right mouth corner (49), left mouth corner (55); eye centres are
means of the projected points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOLERANCE_MM = 2.0
IBUG_NAMES = tuple(f"ibug{i:02d}" for i in range(1, 69))
# (name, iBUG numbers averaged), in ArcFace template order for a frontal face
ARCFACE5 = (
    ("right_eye", tuple(range(37, 43))),  # subject's right eye: image left when frontal
    ("left_eye", tuple(range(43, 49))),
    ("nose_tip", (31,)),
    ("mouth_right", (49,)),  # subject's right mouth corner: image left when frontal
    ("mouth_left", (55,)),
)


def landmark_order(landmarks: dict[str, int]) -> tuple[list[str], np.ndarray]:
    """Names (iBUG 68 first, then the rest in model order) and their vertex indices."""
    names = [n for n in IBUG_NAMES if n in landmarks]
    names += [n for n in landmarks if n not in IBUG_NAMES]
    return names, np.array([landmarks[n] for n in names], dtype=np.int64)


def visibility(
    points_cam: np.ndarray,
    uv: np.ndarray,
    vertex_ids: np.ndarray,
    depth: np.ndarray,
    triangle_id: np.ndarray,
    triangles: np.ndarray,
    tolerance_mm: float = TOLERANCE_MM,
) -> np.ndarray:
    """``(L,)`` bool: inside the image and not hidden by the surface seen at its pixel."""
    h, w = depth.shape
    col = np.floor(uv[:, 0]).astype(np.int64)
    row = np.floor(uv[:, 1]).astype(np.int64)
    inside = (col >= 0) & (col < w) & (row >= 0) & (row < h) & (points_cam[:, 2] < 0)
    z = -points_cam[:, 2]
    visible = np.zeros(len(uv), dtype=bool)
    on_face = np.zeros(len(uv), dtype=bool)
    r, c = np.clip(row, 0, h - 1), np.clip(col, 0, w - 1)
    on_face[inside] = depth[r[inside], c[inside]] > 0
    # the pixel itself when it shows the face, else the face pixels around it
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            rr, cc = np.clip(r + dr, 0, h - 1), np.clip(c + dc, 0, w - 1)
            use = inside & ((dr == 0 and dc == 0) | ~on_face)
            d, t = depth[rr, cc], triangle_id[rr, cc]
            own = (triangles[np.maximum(t, 0)] == vertex_ids[:, None]).any(axis=1)
            visible |= use & (d > 0) & (own | (z <= d + tolerance_mm))
    return visible


@dataclass
class ArcFacePoints:
    """The 5 alignment points in ArcFace template order (see ``ARCFACE5``)."""

    names: list[str]
    points: np.ndarray  # (5, 2) float32 pixels
    visible: np.ndarray  # (5,) bool: every contributing landmark visible


def arcface5(names: list[str], uv: np.ndarray, visible: np.ndarray) -> ArcFacePoints | None:
    """The ArcFace 5 points from projected iBUG landmarks; None without the iBUG 68."""
    index = {n: i for i, n in enumerate(names)}
    if not all(n in index for n in IBUG_NAMES):
        return None
    pts, vis = [], []
    for _, numbers in ARCFACE5:
        rows = [index[f"ibug{k:02d}"] for k in numbers]
        pts.append(uv[rows].mean(axis=0))
        vis.append(bool(visible[rows].all()))
    return ArcFacePoints(
        [n for n, _ in ARCFACE5], np.asarray(pts, dtype=np.float32), np.asarray(vis)
    )
