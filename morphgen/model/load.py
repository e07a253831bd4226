"""``load_model``: choose a loader by file content, or load the embedded default model."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from morphgen.errors import ModelFormatError
from morphgen.model.morphable import MorphableModel

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "assets" / "default_model.h5"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_MAT_HEADER = b"MATLAB 5.0 MAT-file"


def sniff(path: Path) -> str:
    """'hdf5', 'mat' or 'unknown', from the first bytes (a v7.3 .mat file is HDF5)."""
    with open(path, "rb") as fh:
        head = fh.read(600)
    if head.startswith(_HDF5_SIGNATURE) or head[512:520] == _HDF5_SIGNATURE:
        return "hdf5"
    if head.startswith(_MAT_HEADER):
        return "mat"
    return "unknown"


@lru_cache(maxsize=4)
def _load(path: Path) -> MorphableModel:
    from morphgen.model import bfm2009, statismo

    if not path.exists():
        if path == DEFAULT_MODEL:
            raise ModelFormatError(
                f"{path}: the embedded default model is missing; reinstall morphgen"
            )
        raise ModelFormatError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFormatError(f"{path}: is a directory, expected a model file (.h5 or .mat)")
    kind = sniff(path)
    if kind == "hdf5" and statismo.is_statismo(path):
        return statismo.read_statismo(path)
    if kind in ("hdf5", "mat") and bfm2009.is_bfm2009(path):
        return bfm2009.read_bfm2009(path)
    raise ModelFormatError(
        f"{path}: neither a Statismo/BFM 2017-2019 .h5 model nor a BFM 2009 .mat model"
    )


def load_model(path: str | Path | None = None) -> MorphableModel:
    """Load a model file (BFM 2009 .mat, Statismo/BFM .h5) or, with ``None``, the default."""
    return _load(Path(path).expanduser().resolve() if path is not None else DEFAULT_MODEL)
