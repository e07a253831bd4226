"""Windows: mesh parts seen only through an opening of the face, clipped to that opening.

The mouth interior (inner mouth and teeth) is only ever seen through the lips. A morphable
model's expressions do not keep it behind the skin: under strong or combined blendshapes
(and PCA draws) the mouth socket pokes through the skin beside the nostrils and the teeth
through the lip corners. So the mouth interior is drawn only inside its window, the
projected outer-lip contour (iBUG-68 points 49-60, straight segments, the sample's own
landmark positions). Both backends apply the same even-odd test to every sample they
draw (at the pixel centre for labels), so the image and the mask stay exact and agree;
elsewhere the skin behind shows, as on a real face. (Eyes are not windowed: a closed lid
leaves a slit between its margins with nothing behind the eye, so clipping would open a
hole; the lids are closed instead, see ``render/expression_gain``.)

``Frame.triangle_windows`` holds, per triangle, a bit mask of the windows it must lie in
(0: drawn everywhere); ``Frame.windows`` holds window ``k``'s closed polygon, in pixel
coordinates, for bit ``1 << k``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from morphgen.labels import LABEL_IDS

# window name -> (labels clipped to it, iBUG-68 numbers of its contour, in order)
WINDOWS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "mouth": (("inner_mouth", "teeth"), tuple(range(49, 61))),
}


@dataclass(frozen=True)
class WindowSet:
    """A model's windows: the per-triangle bit masks and each window's contour landmarks."""

    triangle_bits: np.ndarray  # (M,) uint8
    contours: tuple[tuple[str, ...], ...]  # landmark names of window k's contour, in order

    def polygons(self, uv: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
        """Each window's polygon ``(P, 2)`` float32 from projected landmarks by name."""
        return tuple(np.stack([uv[name] for name in names]) for names in self.contours)


def model_windows(triangle_labels: np.ndarray, landmarks: dict[str, int]) -> WindowSet | None:
    """The windows a model supports: those whose contour landmarks and clipped labels exist."""
    bits = np.zeros(len(triangle_labels), dtype=np.uint8)
    contours: list[tuple[str, ...]] = []
    for labels, numbers in WINDOWS.values():
        names = tuple(f"ibug{n:02d}" for n in numbers)
        clipped = np.isin(triangle_labels, [LABEL_IDS[name] for name in labels])
        if not clipped.any() or not all(name in landmarks for name in names):
            continue
        bits[clipped] |= np.uint8(1 << len(contours))
        contours.append(names)
    return WindowSet(bits, tuple(contours)) if contours else None
