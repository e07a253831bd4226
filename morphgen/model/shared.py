"""One copy of a model's arrays per machine, memory-mapped by every worker process.

A BFM-sized model is several hundred MB of float32 bases. Instead of each worker holding
its own copy, the first process on a machine writes the arrays as ``.npy`` files to a
cache directory keyed by the model's sha256 (atomically: temp directory + rename); every
process then maps them read-only (``np.load(mmap_mode="r")``), so the operating system
keeps one copy in its page cache for all of them.

The cache lives in ``$MORPHGEN_CACHE`` or, by default, ``<tempdir>/morphgen-models``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from morphgen.model.morphable import Blendshapes, MorphableModel, PCAComponent

_PARTS = ("shape", "color", "expression")
_FORMAT = 1


def cache_root() -> Path:
    """Where shared model copies live on this machine."""
    return Path(os.environ.get("MORPHGEN_CACHE") or Path(tempfile.gettempdir()) / "morphgen-models")


def _arrays(model: MorphableModel) -> dict[str, np.ndarray]:
    out = {"triangles": model.triangles}
    for part in _PARTS:
        comp = getattr(model, part)
        if comp is not None:
            out |= {f"{part}_mean": comp.mean, f"{part}_basis": comp.basis}
            out[f"{part}_variance"] = comp.variance
    if model.blendshapes is not None:
        out["blendshape_deltas"] = model.blendshapes.deltas
    if model.regions is not None:
        out["regions"] = model.regions
    if model.uv is not None:
        out["uv"] = model.uv
    return out


def export(model: MorphableModel, directory: Path) -> None:
    """Write ``model`` as ``.npy`` arrays plus ``model.json`` into a new ``directory``."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
    try:
        for name, array in _arrays(model).items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        info = {
            "format": _FORMAT,
            "name": model.name,
            "source": model.source,
            "units": model.units,
            "landmarks": model.landmarks,
            "blendshapes": None if model.blendshapes is None else model.blendshapes.names,
            "sha256": getattr(model, "sha256", None),
        }
        (tmp / "model.json").write_text(json.dumps(info))
        try:
            tmp.rename(directory)
        except OSError:  # another process on this machine finished first: use its copy
            if not (directory / "model.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_mapped(directory: Path) -> MorphableModel:
    """The model in ``directory`` with every array memory-mapped read-only."""
    info = json.loads((directory / "model.json").read_text())

    def arr(name: str) -> np.ndarray | None:
        path = directory / f"{name}.npy"
        return np.load(path, mmap_mode="r") if path.is_file() else None

    parts = {}
    for part in _PARTS:
        mean = arr(f"{part}_mean")
        parts[part] = (
            None
            if mean is None
            else PCAComponent(mean, arr(f"{part}_basis"), arr(f"{part}_variance"))
        )
    deltas = arr("blendshape_deltas")
    model = MorphableModel(
        shape=parts["shape"],
        color=parts["color"],
        triangles=arr("triangles"),
        expression=parts["expression"],
        blendshapes=None if deltas is None else Blendshapes(info["blendshapes"], deltas),
        landmarks={k: int(v) for k, v in info["landmarks"].items()},
        regions=arr("regions"),
        name=info["name"],
        source=info["source"],
        units=info["units"],
        uv=arr("uv"),
    )
    if info.get("sha256"):
        model.sha256 = info["sha256"]
    return model


def shared_model(key: str, load: Callable[[], MorphableModel]) -> MorphableModel:
    """The model identified by ``key`` (its sha256), mapped from this machine's cache.

    ``load`` is called only when no process on this machine has cached it yet. Without a
    writable cache directory the loaded model is returned as it is (not shared).
    """
    directory = cache_root() / f"{key}-v{_FORMAT}"
    if not (directory / "model.json").is_file():
        model = load()
        try:
            directory.parent.mkdir(parents=True, exist_ok=True)
            export(model, directory)
        except OSError:  # no writable cache here: this process keeps its own copy
            return model
    return load_mapped(directory)
