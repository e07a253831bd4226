"""Expression presets as weight vectors over a model's blendshapes (see ``config/presets``)."""

from __future__ import annotations

import numpy as np

from morphgen.config.presets import PRESETS
from morphgen.errors import ConfigError


def preset_vectors(
    names: list[str], blendshape_names: list[str] | None, source: str = ""
) -> np.ndarray:
    """``(len(names), K)`` weight vectors of the presets over the model's blendshapes.

    Raises ``ConfigError`` naming the missing blendshapes and the model file (``source``)
    when the model lacks them.
    """
    model = f"the model {source}" if source else "the model"
    if not blendshape_names:
        raise ConfigError(
            f"expression.presets: {model} has no named blendshapes, so presets "
            f"({', '.join(names)}) cannot be applied; set expression.presets.probability: 0"
        )
    index = {n: k for k, n in enumerate(blendshape_names)}
    out = np.zeros((len(names), len(blendshape_names)), dtype=np.float32)
    for row, preset in enumerate(names):
        missing = [b for b in PRESETS[preset] if b not in index]
        if missing:
            raise ConfigError(
                f"expression.presets.weights.{preset}: {model} has no blendshape(s) "
                f"{', '.join(missing)}; remove the preset or give it weight 0"
            )
        for b, w in PRESETS[preset].items():
            out[row, index[b]] = w
    return out
