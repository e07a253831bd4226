"""Named expression presets over ARKit-style blendshape names (``_L``/``_R``: the subject's sides).

Each preset lists the blendshapes it activates with their relative weights; FACS
correspondences follow ICT-FaceKit's README (AU12 smile = mouthSmile_L + mouthSmile_R,
AU27 jaw open = jawOpen, AU45 blink = eyeBlink_L + eyeBlink_R).
"""

from __future__ import annotations

import numpy as np

from morphgen.errors import ConfigError

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


def preset_vectors(names: list[str], blendshape_names: list[str] | None) -> np.ndarray:
    """``(len(names), K)`` weight vectors of the presets over the model's blendshapes.

    Raises ``ConfigError`` naming the missing blendshapes when the model lacks them.
    """
    if not blendshape_names:
        raise ConfigError(
            f"expression.presets: the model has no named blendshapes, so presets "
            f"({', '.join(names)}) cannot be applied; set expression.presets.probability: 0"
        )
    index = {n: k for k, n in enumerate(blendshape_names)}
    out = np.zeros((len(names), len(blendshape_names)), dtype=np.float32)
    for row, preset in enumerate(names):
        missing = [b for b in PRESETS[preset] if b not in index]
        if missing:
            raise ConfigError(
                f"expression.presets.weights.{preset}: the model has no blendshape(s) "
                f"{', '.join(missing)}; remove the preset or give it weight 0"
            )
        for b, w in PRESETS[preset].items():
            out[row, index[b]] = w
    return out
