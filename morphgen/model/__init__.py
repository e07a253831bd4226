"""Morphable models: the model class, loaders by file content, the writer, regions.

The names below are imported on first use, so ``import morphgen.model.morphable`` stays
light (no h5py or scipy).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Blendshapes": "morphable",
    "MorphableModel": "morphable",
    "PCAComponent": "morphable",
    "DEFAULT_MODEL": "load",
    "load_model": "load",
    "read_model_file": "load",
    "read_bfm2009": "bfm2009",
    "read_statismo": "statismo",
    "write_statismo": "statismo",
    "derive_regions": "regions",
    "read_landmark_file": "regions",
    "read_region_file": "regions",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'morphgen.model' has no attribute {name!r}")
    return getattr(importlib.import_module(f"morphgen.model.{_EXPORTS[name]}"), name)
