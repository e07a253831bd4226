"""Named expression presets over ARKit-style blendshape names (``_L``/``_R``: the subject's sides).

Each preset lists the blendshapes it activates with their relative weights; FACS
correspondences follow ICT-FaceKit's README (AU12 smile = mouthSmile_L + mouthSmile_R,
AU27 jaw open = jawOpen, AU45 blink = eyeBlink_L + eyeBlink_R). The config's
``expression.presets`` names come from here.
"""

from __future__ import annotations

# ICT's jawOpen alone hides the front teeth behind both lips; real open mouths raise the
# upper lip and lower the lower one with the jaw (JAW_COMPANIONS; checked in renders: both
# rows of front teeth show). Every preset that opens the jaw takes them along.
JAW_OPEN = {
    "jawOpen": 0.7,
    "mouthUpperUp_L": 0.5,
    "mouthUpperUp_R": 0.5,
    "mouthLowerDown_L": 0.6,
    "mouthLowerDown_R": 0.6,
}


def open_jaw(jaw: float) -> dict[str, float]:
    """``jawOpen`` at ``jaw`` with its companions in the ``jaw_open`` preset's proportions."""
    return {name: weight * jaw / JAW_OPEN["jawOpen"] for name, weight in JAW_OPEN.items()}


PRESETS: dict[str, dict[str, float]] = {
    "smile": {"mouthSmile_L": 1.0, "mouthSmile_R": 1.0},
    "jaw_open": dict(JAW_OPEN),
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
        **open_jaw(0.6),
    },
    "pucker": {"mouthPucker": 1.0},
    "squint": {"eyeSquint_L": 1.0, "eyeSquint_R": 1.0, "cheekSquint_L": 0.5, "cheekSquint_R": 0.5},
}

# Blendshapes that pull one feature in opposite directions: a face does not do both at once,
# so random activations keep only the stronger of each pair (presets are not limited).
ANTAGONISTS: tuple[tuple[str, str], ...] = (
    ("jawLeft", "jawRight"),
    ("mouthLeft", "mouthRight"),
    ("mouthSmile_L", "mouthFrown_L"),
    ("mouthSmile_R", "mouthFrown_R"),
    ("eyeBlink_L", "eyeWide_L"),
    ("eyeBlink_R", "eyeWide_R"),
    ("eyeLookUp_L", "eyeLookDown_L"),
    ("eyeLookUp_R", "eyeLookDown_R"),
    ("eyeLookIn_L", "eyeLookOut_L"),
    ("eyeLookIn_R", "eyeLookOut_R"),
    ("browDown_L", "browInnerUp_L"),
    ("browDown_R", "browInnerUp_R"),
    ("mouthPucker", "mouthStretch_L"),
    ("mouthPucker", "mouthStretch_R"),
    ("mouthClose", "mouthFunnel"),
)

# Gaze: which blendshape of the other eye looks the same way (ARKit's eyeLookOut_L turns
# the left eye towards the subject's left, as eyeLookIn_R turns the right eye). Random gaze
# moves both eyes together, so they never diverge or cross; other twins (``_L``/``_R``)
# mirror each other by name.
CONJUGATE_GAZE: tuple[tuple[str, str], ...] = (
    ("eyeLookUp_L", "eyeLookUp_R"),
    ("eyeLookDown_L", "eyeLookDown_R"),
    ("eyeLookOut_L", "eyeLookIn_R"),
    ("eyeLookIn_L", "eyeLookOut_R"),
)

# (dependent, driver): the dependent blendshape only corrects the driver and never exceeds
# it (ARKit's mouthClose closes the lips of an open jaw; alone it pushes the lower lip up
# through the upper one)
CAPPED_BY: tuple[tuple[str, str], ...] = (("mouthClose", "jawOpen"),)

# Blendshapes that go with an open jaw, as a fraction of jawOpen (those of the jaw_open
# preset): random activations raise them to at least that, so front teeth show
JAW_COMPANIONS: dict[str, float] = {
    name: weight / PRESETS["jaw_open"]["jawOpen"]
    for name, weight in PRESETS["jaw_open"].items()
    if name != "jawOpen"
}
