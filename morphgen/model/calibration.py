"""Blink gains that make a model's ``eyeBlink`` blendshapes close each face's lids.

ICT-FaceKit's ``eyeBlink_L``/``eyeBlink_R`` at weight 1 leave the lid margins about 1 mm
apart on the mean face, and more on faces whose eyes open wider: ICT covers that slit with
an eye-occlusion mesh that needs a special shader (and that morphgen drops), so a fully
closed lid would show a line of eye. ARKit defines ``eyeBlink = 1`` as a closed eye, so
each face's blink weights are multiplied by the gain that brings its upper-lid landmarks
(iBUG 38, 39 / 44, 45) ``LID_OVERLAP_MM`` below the lower-lid ones (42, 41 / 48, 47) at
weight 1. Gains never fall below 1; a model without these blendshapes or landmarks gets
none.
"""

from __future__ import annotations

import numpy as np

from morphgen.model.morphable import MorphableModel

LID_OVERLAP_MM = 0.8  # how far a closed upper lid passes the lower one
# blendshape -> (upper, lower) iBUG-68 landmark pairs of its eye
LIDS = {
    "eyeBlink_R": ((38, 42), (39, 41)),
    "eyeBlink_L": ((44, 48), (45, 47)),
}


class LidClosure:
    """The blink blendshapes of a model and how far each moves its lid pairs together."""

    def __init__(self, n_blendshapes: int, blinks: list[tuple[int, np.ndarray, np.ndarray]]):
        self.n_blendshapes = n_blendshapes
        self.blinks = blinks  # (blendshape index, (P, 2) upper/lower vertex ids, (P,) closing)

    @classmethod
    def of(cls, model: MorphableModel) -> LidClosure | None:
        """The model's lid closure, or None without blink blendshapes and lid landmarks."""
        bs, marks = model.blendshapes, model.landmarks or {}
        if bs is None:
            return None
        blinks = []
        for name, pairs in LIDS.items():
            needed = [f"ibug{n:02d}" for pair in pairs for n in pair]
            if name not in bs.names or not all(n in marks for n in needed):
                continue
            k = bs.names.index(name)
            ids = np.array([[marks[f"ibug{u:02d}"], marks[f"ibug{lo:02d}"]] for u, lo in pairs])
            dy = np.asarray(bs.deltas[:, k], dtype=np.float64).reshape(-1, 3)[:, 1]
            blinks.append((k, ids, dy[ids[:, 0]] - dy[ids[:, 1]]))
        return cls(len(bs.names), blinks) if blinks else None

    def gains(self, vertices: np.ndarray) -> np.ndarray:
        """``(K,)`` float32 weight gains for the face ``vertices (N, 3)`` (its neutral shape)."""
        gains = np.ones(self.n_blendshapes, dtype=np.float32)
        for k, ids, closing in self.blinks:
            gap = vertices[ids[:, 0], 1].astype(np.float64) - vertices[ids[:, 1], 1]
            moving = closing < 0
            if moving.any():
                gains[k] = max(1.0, float(((-LID_OVERLAP_MM - gap) / closing)[moving].max()))
        return gains
