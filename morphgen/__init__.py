"""morphgen: synthetic face datasets with exact labels from 3D morphable models.

The stable scripting surface (see the README's "Python API"):

- ``load_model(path=None)``: a morphable model file, or the embedded default model;
- ``load_config(path)``: a validated YAML config;
- ``Sampler(config, model)``: the scene parameters of every (identity, sample);
- ``Renderer(model, backend)``: renders scene parameters to images with exact labels;
- ``generate(config, out_dir)``: a whole dataset of shards with its manifest;
- ``open_dataset(directory)``: reads a dataset back, whatever its format.

They are imported on first use, so ``import morphgen`` stays light.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("morphgen")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"

_API = {
    "load_model": "morphgen.model.load",
    "load_config": "morphgen.config.loader",
    "Sampler": "morphgen.sampling.sampler",
    "Renderer": "morphgen.render.renderer",
    "generate": "morphgen.run.generate",
    "open_dataset": "morphgen.io.readers",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'morphgen' has no attribute {name!r}")
    return getattr(importlib.import_module(_API[name]), name)
