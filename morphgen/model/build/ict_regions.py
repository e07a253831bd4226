"""Regions and landmarks of the ICT Face Model Light mesh, derived from parts and landmarks.

Parts give the eyes, teeth and inner mouth directly. The rest is painted on the neutral
mesh (millimetres, y up, +z forward, +x the subject's left) from the iBUG-68 landmarks:
lips, nose and brows are outlines in the frontal (x, y) projection; ears are outlined in the
side (z, y) projection by the rim that stands out from the head; scalp and neck lie above a
hairline and below a jaw line given as side-view curves ``y(z)``. The millimetre constants
were tuned by eye on ICT's neutral mesh and checked in renders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from morphgen.labels import LABEL_IDS
from morphgen.model.outlines import (
    brow_band,
    inside_polygon,
    landmark_points,
    nose_outline,
    smooth_closed,
)

IRIS_RADIUS_MM = 5.8  # a painted iris disc of this radius looked right (REFERENCE section 9)

# Side-view curves (z -> y, mm) on ICT's neutral head: hairline and lower jaw line.
HAIRLINE_ZY = (
    (-200.0, -60.0),
    (-60.0, -55.0),
    (-30.0, -20.0),
    (0.0, 18.0),
    (20.0, 28.0),
    (40.0, 62.0),
    (60.0, 92.0),
    (85.0, 113.0),
    (100.0, 160.0),
)
JAWLINE_ZY = (
    (-200.0, -60.0),
    (-60.0, -55.0),
    (-30.0, -40.0),
    (0.0, -25.0),
    (10.0, -25.0),
    (25.0, -45.0),
    (40.0, -52.0),
    (61.0, -56.0),
    (74.0, -64.0),
    (88.0, -72.0),
    (104.0, -77.0),
    (200.0, -79.0),
)

EAR_MARGIN_MM = 4.0  # the ear outline grows this much beyond its rim's hull

# Named landmarks as iBUG-68 numbers (1-based; left/right are the subject's).
NAMED_IBUG = {
    "right_eye_outer": 37,
    "right_eye_inner": 40,
    "left_eye_inner": 43,
    "left_eye_outer": 46,
    "nose_tip": 31,
    "mouth_right": 49,
    "mouth_left": 55,
    "chin": 9,
}


@dataclass
class EyeGeometry:
    """An eyeball: sphere centre, forward (optical) axis and its sclera vertex indices."""

    centre: np.ndarray  # (3,)
    axis: np.ndarray  # (3,) unit
    vertices: np.ndarray  # (n,) indices of the sclera vertices

    def iris_distance(self, points: np.ndarray) -> np.ndarray:
        """Distance of each point from the optical axis, +inf behind the eye's centre."""
        rel = points - self.centre
        along = rel @ self.axis
        radial = np.linalg.norm(rel - along[:, None] * self.axis, axis=1)
        return np.where(along > 0, radial, np.inf)


def eye_geometry(vertices: np.ndarray, sclera: np.ndarray, iris: np.ndarray) -> EyeGeometry:
    """Fit a sphere to the sclera; the axis points to the hidden iris shell (else +z)."""
    p = vertices[sclera]
    lhs = np.c_[2.0 * p, np.ones(len(p))]
    sol = np.linalg.lstsq(lhs, (p**2).sum(axis=1), rcond=None)[0]
    centre = sol[:3] if len(p) >= 4 else p.mean(axis=0)
    axis = np.array([0.0, 0.0, 1.0])
    if len(iris):
        towards = vertices[iris].mean(axis=0) - centre
        if np.linalg.norm(towards) > 1e-9:
            axis = towards / np.linalg.norm(towards)
    return EyeGeometry(centre, axis, np.asarray(sclera))


def ict_landmarks(ibug: list[int], eyes: list[EyeGeometry], vertices: np.ndarray) -> dict[str, int]:
    """``ibug01``..``ibug68``, a few named ones and the pupils (front pole of each sclera)."""
    marks: dict[str, int] = {}
    if ibug:
        marks.update({f"ibug{i + 1:02d}": int(v) for i, v in enumerate(ibug)})
        marks.update({name: int(ibug[num - 1]) for name, num in NAMED_IBUG.items()})
    for eye in eyes:
        side = "left" if eye.centre[0] > 0 else "right"
        pole = eye.vertices[np.argmax((vertices[eye.vertices] - eye.centre) @ eye.axis)]
        marks[f"{side}_pupil"] = int(pole)
    return marks


def _curve(zy: tuple[tuple[float, float], ...], z: np.ndarray) -> np.ndarray:
    table = np.array(zy)
    return np.interp(z, table[:, 0], table[:, 1])


def ict_regions(
    vertices: np.ndarray,
    kinds: np.ndarray,
    landmarks: dict[str, int],
    eyes: list[EyeGeometry],
    jaw_open: np.ndarray | None,
    triangles: np.ndarray | None = None,
) -> np.ndarray:
    """Per-vertex morphgen label ids for the kept ICT mesh.

    With ``triangles``, the inner eye corners (ibug40, ibug43) join their eye: the corner
    vertex and its one-ring, so every triangle at the landmark is labelled eye.
    """
    ids = LABEL_IDS
    regions = np.full(len(vertices), ids["skin"], dtype=np.uint8)
    regions[np.isin(kinds, ("mouth_socket", "gums"))] = ids["inner_mouth"]
    regions[kinds == "teeth"] = ids["teeth"]
    side = np.where(vertices[:, 0] > 0, ids["left_eye"], ids["right_eye"]).astype(np.uint8)
    eye_parts = np.isin(kinds, ("eye_socket", "sclera"))
    regions[eye_parts] = side[eye_parts]
    skin = kinds == "skin"
    x, y, z = vertices.T
    regions[skin & (y > _curve(HAIRLINE_ZY, z))] = ids["scalp"]
    regions[skin & (y < _curve(JAWLINE_ZY, z))] = ids["neck"]
    ears = skin & _ears(vertices, skin)
    regions[ears] = np.where(x[ears] > 0, ids["left_ear"], ids["right_ear"])
    if not all(f"ibug{i:02d}" in landmarks for i in range(1, 69)):
        return regions
    front = skin & (z > vertices[landmarks["ibug01"], 2])
    xy = vertices[:, :2]

    def paint(outline: np.ndarray, name: str, where: np.ndarray = front) -> None:
        mask = where & inside_polygon(xy, outline)
        regions[mask] = ids[name]

    paint(brow_band(vertices, landmarks, range(18, 23), True), "right_brow")
    paint(brow_band(vertices, landmarks, range(23, 28), False), "left_brow")
    paint(nose_outline(vertices, landmarks), "nose")
    lips = front & inside_polygon(
        xy, smooth_closed(landmark_points(vertices, landmarks, *range(49, 61))[:, :2])
    )
    lower = _lower_lip(vertices, lips, landmarks, jaw_open)
    regions[lips & lower] = ids["lower_lip"]
    regions[lips & ~lower] = ids["upper_lip"]
    if triangles is not None:
        for number, name in ((40, "right_eye"), (43, "left_eye")):
            corner = landmarks[f"ibug{number:02d}"]
            ring = np.unique(triangles[(triangles == corner).any(axis=1)])
            regions[ring[skin[ring]]] = ids[name]
    return regions


def _lower_lip(
    vertices: np.ndarray, lips: np.ndarray, landmarks: dict[str, int], jaw_open: np.ndarray | None
) -> np.ndarray:
    """Lower-lip vertices: those the jaw carries down (``jawOpen``), else below the mouth line."""
    if jaw_open is not None and lips.any():
        drop = -jaw_open[:, 1]
        return drop > 0.5 * drop[lips].max()
    inner = landmark_points(vertices, landmarks, 61, 62, 63, 64, 65, 66, 67, 68)
    order = np.argsort(inner[:, 0])
    line = np.interp(vertices[:, 0], inner[order, 0], inner[order, 1])
    return vertices[:, 1] < line


def _ears(vertices: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Ears: inside the side-view hull of the rim that stands out from the head (|x| > 80)."""
    x, y = vertices[:, 0], vertices[:, 1]
    out = np.zeros(len(vertices), dtype=bool)
    for sign in (1.0, -1.0):
        rim = skin & (sign * x > 80.0) & (y > -40.0) & (y < 50.0)
        if rim.sum() < 3:
            continue
        zy = vertices[rim][:, [2, 1]]
        try:
            hull = zy[ConvexHull(zy).vertices]
        except QhullError:
            continue
        rel = hull - hull.mean(axis=0)
        grown = hull + EAR_MARGIN_MM * rel / np.linalg.norm(rel, axis=1, keepdims=True)
        out |= skin & (sign * x > 55.0) & inside_polygon(vertices[:, [2, 1]], grown)
    return out
