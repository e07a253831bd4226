"""One copy of a model's arrays per machine, memory-mapped by every worker process.

A BFM-sized model is several hundred MB of float32 bases. Instead of each worker holding
its own copy, the first process on a machine writes the arrays as ``.npy`` files to a
cache directory keyed by the model's sha256 (atomically: temp directory + rename); every
process then maps them read-only (``np.load(mmap_mode="r")``), so the operating system
keeps one copy in its page cache for all of them.

The cache lives in ``$MORPHGEN_CACHE`` or, by default, ``<tempdir>/morphgen-models-<uid>``;
it is used only when it is a real directory owned by this user that nobody else may write
(created with mode 0700). ``model.json`` records a sha256 of every array when the cache is
written; each process checks the arrays against it when it maps them, and a cache that
does not match is said, removed and written again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from morphgen.model.morphable import Blendshapes, MorphableModel, PCAComponent

_PARTS = ("shape", "color", "expression")
_FORMAT = 2  # 2: model.json holds each array's sha256


class StaleCache(Exception):
    """A cached model whose arrays no longer match the hashes recorded when it was written."""


def cache_root() -> Path:
    """Where shared model copies live on this machine (one directory per user)."""
    default = Path(tempfile.gettempdir()) / f"morphgen-models-{os.getuid()}"
    return Path(os.environ.get("MORPHGEN_CACHE") or default)


def _private_root(root: Path) -> None:
    """Create ``root`` (mode 0700); OSError unless it is this user's and only theirs."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(root)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise PermissionError(f"{root}: not a directory private to this user")


def _digest(array: np.ndarray) -> str:
    """sha256 of an array's dtype, shape and bytes."""
    digest = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    digest.update(memoryview(np.ascontiguousarray(array)).cast("B"))
    return digest.hexdigest()


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
    if model.vertex_ids is not None:
        out["vertex_ids"] = model.vertex_ids
    return out


def export(model: MorphableModel, directory: Path) -> None:
    """Write ``model`` as ``.npy`` arrays plus ``model.json`` into a new ``directory``."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
    try:
        digests = {}
        for name, array in _arrays(model).items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
            digests[name] = _digest(array)
        info = {
            "format": _FORMAT,
            "name": model.name,
            "source": model.source,
            "units": model.units,
            "landmarks": model.landmarks,
            "blendshapes": None if model.blendshapes is None else model.blendshapes.names,
            "sha256": getattr(model, "sha256", None),
            "arrays": digests,
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
    """The model in ``directory`` with every array memory-mapped read-only.

    Raises ``StaleCache`` when an array is missing, added or differs from its recorded hash.
    """
    try:
        info = json.loads((directory / "model.json").read_text())
        digests = dict(info["arrays"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StaleCache(f"model.json unreadable ({exc})") from None
    present = {p.stem for p in directory.glob("*.npy")}
    if present != set(digests):
        raise StaleCache(f"arrays {sorted(present ^ set(digests))} missing or added")

    def arr(name: str) -> np.ndarray | None:
        if name not in digests:
            return None
        try:
            array = np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise StaleCache(f"{name}.npy unreadable ({exc})") from None
        if _digest(array) != digests[name]:
            raise StaleCache(f"{name}.npy differs from the hash recorded when it was written")
        return array

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
        vertex_ids=arr("vertex_ids"),
    )
    if info.get("sha256"):
        model.sha256 = info["sha256"]
    return model


def shared_model(key: str, load: Callable[[], MorphableModel]) -> MorphableModel:
    """The model identified by ``key`` (its sha256), mapped from this machine's cache.

    ``load`` is called only when no process on this machine has cached it yet. Without a
    writable cache directory the loaded model is returned as it is (not shared).
    """
    root = cache_root()
    directory = root / f"{key}-v{_FORMAT}"
    try:
        _private_root(root)
    except OSError as exc:  # no private cache here: this process keeps its own copy
        print(f"morphgen: model cache not shared ({exc})", file=sys.stderr)
        return load()
    if (directory / "model.json").is_file():
        try:
            return load_mapped(directory)
        except StaleCache as exc:
            print(f"morphgen: cached model {directory}: {exc}; writing it again", file=sys.stderr)
            _discard(directory)
    model = load()
    try:
        export(model, directory)
        return load_mapped(directory)
    except (OSError, StaleCache):  # no writable cache, or it changed again: keep our copy
        return model


def _discard(directory: Path) -> None:
    """Remove a stale cache directory (renamed away first, so no process maps it half-gone)."""
    aside = directory.with_name(f".{directory.name}.stale-{os.getpid()}")
    try:
        directory.rename(aside)
    except OSError:  # another process removed it first
        return
    shutil.rmtree(aside, ignore_errors=True)
