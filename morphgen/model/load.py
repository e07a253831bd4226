"""``load_model``: choose a loader by file content, or load the embedded default model.

After loading, a model without the 68 iBUG landmarks gets a published map when one is
known for its vertex count (``landmark_maps``), and a model without regions gets them
derived from those landmarks (``regions.derive_regions``). User files override both.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from morphgen.errors import ModelFormatError
from morphgen.model.filetype import sniff
from morphgen.model.morphable import MorphableModel


def assets_dir() -> Path:
    """``morphgen/assets`` in an installed wheel, else the checkout's top-level ``assets/``."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "assets", package.parent / "assets"):
        if (candidate / "default_model.h5").is_file():
            return candidate
    return package.parent / "assets"


ASSETS = assets_dir()
DEFAULT_MODEL = ASSETS / "default_model.h5"


def read_model_file(path: str | Path) -> MorphableModel:
    """The model in one file, as stored: Statismo/BFM 2017-2019 ``.h5`` or BFM 2009 ``.mat``."""
    import h5py

    from morphgen.model import bfm2009, statismo

    path = Path(path)
    if not path.exists():
        raise ModelFormatError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFormatError(f"{path}: is a directory, expected a model file (.h5 or .mat)")
    kind = sniff(path)
    if kind == "hdf5":
        try:
            with h5py.File(path, "r") as f:
                has_statismo, has_bfm2009 = "shape/model" in f, "shapeMU" in f
        except OSError as exc:
            raise ModelFormatError(f"{path}: not a readable HDF5 file ({exc})") from None
        if has_statismo:
            return statismo.read_statismo(path)
        if has_bfm2009:
            return bfm2009.read_bfm2009(path)
    if kind == "mat":
        return bfm2009.read_bfm2009(path)
    what = "an HDF5 file without /shape/model or shapeMU" if kind == "hdf5" else "not HDF5 or MAT"
    raise ModelFormatError(
        f"{path}: neither a Statismo/BFM 2017-2019 .h5 model nor a BFM 2009 .mat model ({what})"
    )


def _complete(model: MorphableModel, regions: Path | None, landmarks: Path | None) -> None:
    """Apply user landmark/region files, then fill in known landmarks and derived regions."""
    from morphgen.model.landmark_maps import known_ibug68
    from morphgen.model.regions import derive_regions, read_landmark_file, read_region_file

    n = model.n_vertices
    if landmarks is not None:
        model.landmarks = {**model.landmarks, **read_landmark_file(landmarks, n)}
    if model.ibug68() is None:
        model.landmarks = {**(known_ibug68(n) or {}), **model.landmarks}
    if regions is not None:
        model.regions = read_region_file(regions, n)
    elif model.regions is None:
        model.regions = derive_regions(model.mean_vertices(), model.landmarks)


@lru_cache(maxsize=4)
def _load(path: Path, stamps: tuple, regions: Path | None, landmarks: Path | None):
    del stamps  # part of the cache key only: a rewritten file is read again
    from morphgen.hashing import sha256_file

    model = read_model_file(path)
    _complete(model, regions, landmarks)
    model.sha256 = sha256_file(path)  # written into every sample's metadata
    return model


def _resolve(path: str | Path | None) -> Path | None:
    return None if path is None else Path(path).expanduser().resolve()


def _stamp(path: Path | None) -> tuple[int, int] | None:
    """(mtime, size) of an existing file, for the cache key; None otherwise."""
    if path is None or not path.is_file():
        return None
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size)


def load_model(
    path: str | Path | None = None,
    regions: str | Path | None = None,
    landmarks: str | Path | None = None,
) -> MorphableModel:
    """Load a model file (BFM 2009 ``.mat``, Statismo/BFM ``.h5``) or, with ``None``, the default.

    ``regions`` and ``landmarks`` name user files that override the model's own (formats in
    ``morphgen.model.regions``). Loading the same unchanged file twice in one process returns
    the same cached object: treat it as read-only.
    """
    resolved = _resolve(path) or DEFAULT_MODEL
    if not resolved.exists():
        if resolved == DEFAULT_MODEL:
            raise ModelFormatError(
                f"{resolved}: the embedded default model is missing; reinstall morphgen or "
                "rebuild it with scripts/build_default_model.py"
            )
        raise ModelFormatError(f"{resolved}: no such file")
    region_file, landmark_file = _resolve(regions), _resolve(landmarks)
    stamps = tuple(_stamp(f) for f in (resolved, region_file, landmark_file))
    return _load(resolved, stamps, region_file, landmark_file)
