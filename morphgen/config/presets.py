"""Named expression presets over ARKit-style blendshape names (``_L``/``_R``: the subject's sides).

Each preset lists the blendshapes it activates with their relative weights; FACS
correspondences follow ICT-FaceKit's README (AU12 smile = mouthSmile_L + mouthSmile_R,
AU27 jaw open = jawOpen, AU45 blink = eyeBlink_L + eyeBlink_R). The config's
``expression.presets`` names come from here.
"""

from __future__ import annotations

PRESETS: dict[str, dict[str, float]] = {
    "smile": {"mouthSmile_L": 1.0, "mouthSmile_R": 1.0},
    "jaw_open": {"jawOpen": 1.0},
    "blink": {"eyeBlink_L": 1.0, "eyeBlink_R": 1.0},
    "brow_raise": {
        "browInnerUp_L": 1.0,
        "browInnerUp_R": 1.0,
        "browOuterUp_L": 1.0,
        "browOuterUp_R": 1.0,
    },
    "frown": {"browDown_L": 1.0, "browDown_R": 1.0, "mouthFrown_L": 1.0, "mouthFrown_R": 1.0},
    "surprise": {
        "browInnerUp_L": 1.0,
        "browInnerUp_R": 1.0,
        "browOuterUp_L": 1.0,
        "browOuterUp_R": 1.0,
        "eyeWide_L": 1.0,
        "eyeWide_R": 1.0,
        "jawOpen": 0.6,
    },
    "pucker": {"mouthPucker": 1.0},
    "squint": {"eyeSquint_L": 1.0, "eyeSquint_R": 1.0, "cheekSquint_L": 0.5, "cheekSquint_R": 0.5},
}
