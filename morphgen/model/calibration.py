"""Blendshape gains that make a model's ARKit-named blendshapes mean what their names say.

ICT-FaceKit's ``eyeBlink_L``/``eyeBlink_R`` at weight 1 leave the lid margins about 1 mm
apart; ICT covers that slit with an eye-occlusion mesh that needs a special shader (and that
morphgen drops), so without a gain a fully closed lid shows a line of eye. ARKit defines
``eyeBlink = 1`` as a closed eye, so each blink gets the gain that brings the upper-lid
landmarks (iBUG 38, 39 / 44, 45) ``LID_OVERLAP_MM`` below the lower-lid ones (42, 41 / 48,
47) on the mean face at weight 1. Gains never fall below 1; a model without these
blendshapes or landmarks gets none.
"""

from __future__ import annotations

import numpy as np

from morphgen.model.morphable import MorphableModel

LID_OVERLAP_MM = 0.8  # how far a closed upper lid passes the lower one (mean face)
# blendshape -> (upper, lower) iBUG-68 landmark pairs of its eye
LIDS = {
    "eyeBlink_R": ((38, 42), (39, 41)),
    "eyeBlink_L": ((44, 48), (45, 47)),
}


def blendshape_gains(model: MorphableModel) -> np.ndarray | None:
    """``(K,)`` weight gains for the model's blendshapes, or None when all would be 1."""
    bs = model.blendshapes
    marks = model.landmarks or {}
    if bs is None:
        return None
    gains = np.ones(len(bs.names), dtype=np.float32)
    mean = model.mean_vertices()
    for name, pairs in LIDS.items():
        names = [f"ibug{n:02d}" for pair in pairs for n in pair]
        if name not in bs.names or not all(n in marks for n in names):
            continue
        k = bs.names.index(name)
        delta = np.asarray(bs.deltas[:, k], dtype=np.float64).reshape(-1, 3)
        needed = 1.0
        for upper, lower in pairs:
            up, low = marks[f"ibug{upper:02d}"], marks[f"ibug{lower:02d}"]
            gap = float(mean[up, 1] - mean[low, 1])
            closing = float(delta[up, 1] - delta[low, 1])
            if closing < 0:
                needed = max(needed, (-LID_OVERLAP_MM - gap) / closing)
        gains[k] = needed
    return None if np.all(gains == 1.0) else gains
