"""Windows: mesh parts seen only through an opening of the face, clipped to that opening.

The mouth interior (inner mouth and teeth) is only ever seen through the lips. A morphable
model's expressions do not keep it behind the skin: under strong or combined blendshapes
(and PCA draws) the mouth socket pokes through the skin beside the nostrils and the teeth
through the lip corners. So the mouth interior is drawn only inside its window, the
projected outer-lip contour (iBUG-68 points 49-60, straight segments, the sample's own
landmark positions). Both backends apply the same even-odd test at each pixel centre, and
all of a pixel's samples follow it, so the image and the mask stay exact and agree at any
supersampling (the window's own edge is not anti-aliased); elsewhere the skin behind
shows, as on a real face.

An eye is seen only between its lids: its window is its lid contour (iBUG 37-42 / 43-48)
as a smooth closed curve through the landmarks (the lid margins are curved; straight
chords would cut them and open holes where nothing lies behind the eyeball), grown by
``EYE_MARGIN_MM``, so that a wide eyeball poking through a half-closed lid is hidden there.
Once the lid is closed, the window is empty: once both upper-lid landmarks (iBUG 38, 39 /
44, 45) lie at or below the lower ones (42, 41 / 48, 47) in model space (y up), the lid hides
the whole eye.

``Frame.triangle_windows`` holds, per triangle, a bit mask of the windows it must lie in
(0: drawn everywhere); ``Frame.windows`` holds window ``k``'s closed polygon, in pixel
coordinates, for bit ``1 << k`` (fewer than 3 corners: an empty window).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.model.outlines import smooth_closed

# window name -> (labels clipped to it, iBUG-68 numbers of its contour, in order)
WINDOWS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "mouth": (("inner_mouth", "teeth"), tuple(range(49, 61))),
}
# eye label -> (its lid contour, in order; (upper, lower) iBUG-68 lid landmark pairs: the eye
# is closed when every upper one lies at or below its lower one)
EYE_LIDS: dict[str, tuple[tuple[int, ...], tuple[tuple[int, int], ...]]] = {
    "right_eye": ((37, 38, 39, 40, 41, 42), ((38, 42), (39, 41))),
    "left_eye": ((43, 44, 45, 46, 47, 48), ((44, 48), (45, 47))),
}
EYE_MARGIN_MM = 1.0  # an open eye's window reaches this far beyond its smoothed lid contour
EYE_SAMPLES = 3  # window corners per lid contour span (pyrender takes 64 corners in all)
# iBUG pairs whose model-space distance over their image distance gives the pixels per mm
# across (foreshortened by yaw) and down the face (by pitch): the larger is kept
SCALE_PAIRS = ((37, 46), (28, 34))


@dataclass
class WindowSet:
    """A model's windows: every clipped triangle's bits, each contour window's landmarks, and
    each eye's lid contour and lid pairs."""

    bits: np.ndarray  # (M,) uint8, the windows each triangle must lie in
    contours: tuple[tuple[str, ...], ...]  # landmark names of contour window k, in order
    eyes: tuple[tuple[str, ...], ...]  # landmark names of each eye's lid contour, in order
    lids: tuple[np.ndarray, ...]  # per eye: (P, 2) vertex ids of its (upper, lower) pairs
    scale: tuple[tuple[tuple[str, str], tuple[int, int]], ...] = ()  # SCALE_PAIRS: names, ids

    def for_frame(
        self, uv: dict[str, np.ndarray], vertices: np.ndarray
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """``(triangle bits, polygons)`` of one image: contours from its projected landmarks
        by name; per eye its grown lid contour while open, an empty window once closed (in
        model-space ``vertices``)."""
        polygons = [np.stack([uv[name] for name in names]) for names in self.contours]
        margin = EYE_MARGIN_MM * self._pixels_per_mm(uv, vertices)
        for names, pairs in zip(self.eyes, self.lids, strict=True):
            if np.all(vertices[pairs[:, 0], 1] <= vertices[pairs[:, 1], 1]):
                polygons.append(np.zeros((0, 2), dtype=np.float32))
            else:
                contour = np.stack([uv[name] for name in names]).astype(np.float64)
                polygons.append(grown(smooth_closed(contour, EYE_SAMPLES), margin))
        return self.bits, tuple(polygons)

    def _pixels_per_mm(self, uv: dict[str, np.ndarray], vertices: np.ndarray) -> float:
        """Image pixels per mm of face near the landmarks (the least foreshortened pair)."""
        best = 0.0
        for (a, b), (i, j) in self.scale:
            mm = float(np.linalg.norm(vertices[i] - vertices[j]))
            if mm > 0:
                best = max(best, float(np.linalg.norm(uv[a] - uv[b])) / mm)
        return best


def grown(polygon: np.ndarray, margin: float) -> np.ndarray:
    """A closed polygon's corners moved ``margin`` outwards along their normals (float32)."""
    tangent = np.roll(polygon, -1, axis=0) - np.roll(polygon, 1, axis=0)
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    x, y = polygon[:, 0], polygon[:, 1]
    area = 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
    return (polygon + np.sign(area or 1.0) * margin * normal).astype(np.float32)


def model_windows(
    triangle_labels: np.ndarray, landmarks: dict[str, int], mean: np.ndarray
) -> WindowSet | None:
    """The windows a model supports: those whose landmarks and clipped labels exist (an
    eye's only where its lids are open on the ``mean`` face, so that they are lids)."""
    bits = np.zeros(len(triangle_labels), dtype=np.uint8)
    contours: list[tuple[str, ...]] = []
    for labels, numbers in WINDOWS.values():
        names = tuple(f"ibug{n:02d}" for n in numbers)
        clipped = np.isin(triangle_labels, [LABEL_IDS[name] for name in labels])
        if not clipped.any() or not all(name in landmarks for name in names):
            continue
        bits[clipped] |= np.uint8(1 << len(contours))
        contours.append(names)
    eyes: list[tuple[str, ...]] = []
    lids: list[np.ndarray] = []
    for label, (contour, pairs) in EYE_LIDS.items():
        clipped = triangle_labels == LABEL_IDS[label]
        names = tuple(f"ibug{n:02d}" for n in contour)
        if not clipped.any() or not all(name in landmarks for name in names):
            continue
        ids = np.array([[landmarks[f"ibug{u:02d}"], landmarks[f"ibug{lo:02d}"]] for u, lo in pairs])
        if not np.all(mean[ids[:, 0], 1] > mean[ids[:, 1], 1]):
            continue
        bits[clipped] |= np.uint8(1 << (len(contours) + len(lids)))
        eyes.append(names)
        lids.append(ids)
    if not contours and not lids:
        return None
    scale = tuple(
        ((f"ibug{a:02d}", f"ibug{b:02d}"), (landmarks[f"ibug{a:02d}"], landmarks[f"ibug{b:02d}"]))
        for a, b in SCALE_PAIRS
        if f"ibug{a:02d}" in landmarks and f"ibug{b:02d}" in landmarks
    )
    return WindowSet(bits, tuple(contours), tuple(eyes), tuple(lids), scale)
