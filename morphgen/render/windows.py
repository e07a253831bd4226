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

An eye is seen only between its lids. It is not clipped while open, and its window is
empty once the lid is closed: once both upper-lid landmarks (iBUG 38, 39 / 44, 45) lie
at or below the lower ones (42, 41 / 48, 47) in model space (y up). A closed lid then hides
the whole eye, also where a wide eyeball would poke through the lid skin. (Clipping an open
eye to its 6-point contour would open holes: nothing lies behind the eyeball where the
contour's chords cut off the curved lid margin.)

``Frame.triangle_windows`` holds, per triangle, a bit mask of the windows it must lie in
(0: drawn everywhere); ``Frame.windows`` holds window ``k``'s closed polygon, in pixel
coordinates, for bit ``1 << k`` (fewer than 3 corners: an empty window).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from morphgen.labels import LABEL_IDS

# window name -> (labels clipped to it, iBUG-68 numbers of its contour, in order)
WINDOWS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "mouth": (("inner_mouth", "teeth"), tuple(range(49, 61))),
}
# eye label -> (upper, lower) iBUG-68 lid landmark pairs: the eye is closed when every
# upper one lies at or below its lower one
EYE_LIDS: dict[str, tuple[tuple[int, int], ...]] = {
    "right_eye": ((38, 42), (39, 41)),
    "left_eye": ((44, 48), (45, 47)),
}


@dataclass
class WindowSet:
    """A model's windows: each contour window's bits and landmarks, each eye's bits and lids."""

    contour_bits: np.ndarray  # (M,) uint8, the contour windows' bits
    contours: tuple[tuple[str, ...], ...]  # landmark names of contour window k, in order
    eye_bits: tuple[np.ndarray, ...]  # (M,) uint8 per eye: its triangles' bit
    lids: tuple[np.ndarray, ...]  # per eye: (P, 2) vertex ids of its (upper, lower) pairs
    _cache: dict[tuple[bool, ...], np.ndarray] = field(default_factory=dict)

    def for_frame(
        self, uv: dict[str, np.ndarray], vertices: np.ndarray
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """``(triangle bits, polygons)`` of one image: contours from its projected landmarks
        by name; per eye an empty window while closed (in model-space ``vertices``), no
        window (its triangles unclipped) while open."""
        polygons = [np.stack([uv[name] for name in names]) for names in self.contours]
        closed = tuple(
            bool(np.all(vertices[pairs[:, 0], 1] <= vertices[pairs[:, 1], 1]))
            for pairs in self.lids
        )
        if closed not in self._cache:
            bits = self.contour_bits.copy()
            for eye, shut in zip(self.eye_bits, closed, strict=True):
                if shut:
                    bits |= eye
            self._cache[closed] = bits
        polygons += [np.zeros((0, 2), dtype=np.float32)] * len(self.lids)
        return self._cache[closed], tuple(polygons)


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
    eye_bits: list[np.ndarray] = []
    lids: list[np.ndarray] = []
    for label, pairs in EYE_LIDS.items():
        clipped = triangle_labels == LABEL_IDS[label]
        names = [f"ibug{n:02d}" for pair in pairs for n in pair]
        if not clipped.any() or not all(name in landmarks for name in names):
            continue
        ids = np.array([[landmarks[f"ibug{u:02d}"], landmarks[f"ibug{lo:02d}"]] for u, lo in pairs])
        if not np.all(mean[ids[:, 0], 1] > mean[ids[:, 1], 1]):
            continue
        bit = np.uint8(1 << (len(contours) + len(lids)))
        eye_bits.append(np.where(clipped, bit, np.uint8(0)).astype(np.uint8))
        lids.append(ids)
    if not contours and not lids:
        return None
    return WindowSet(bits, tuple(contours), tuple(eye_bits), tuple(lids))
