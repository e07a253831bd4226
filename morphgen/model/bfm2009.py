"""Read BFM 2009 ``01_MorphableModel.mat`` (REFERENCE section 1).

Facts of the layout: ``shapeMU``/``texMU`` (3N, 1) interleaved xyz, shape in micrometres,
texture in 0-255; ``shapePC``/``texPC`` (3N, 199); ``shapeEV``/``texEV`` (199, 1) are
standard deviations; ``tl`` (T, 3) triangles, 1-based. There is no expression model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from morphgen.errors import ModelFormatError
from morphgen.model.filetype import sniff
from morphgen.model.morphable import MorphableModel, PCAComponent

_KEYS = ("shapeMU", "shapePC", "shapeEV", "texMU", "texPC", "texEV", "tl")


def _read_arrays(path: Path, kind: str) -> dict[str, np.ndarray]:
    """The BFM 2009 variables, from a v5 .mat (scipy) or a v7.3 .mat (HDF5, transposed)."""
    try:
        if kind == "hdf5":  # MATLAB v7.3 stores column-major: transpose back
            import h5py

            with h5py.File(path, "r") as f:
                return {
                    k: np.asarray(f[k][()]).T for k in _KEYS if isinstance(f.get(k), h5py.Dataset)
                }
        from scipy.io import loadmat

        data = loadmat(path, variable_names=_KEYS)
    except Exception as exc:  # scipy and h5py raise several types for a corrupt file
        raise ModelFormatError(f"{path}: not a readable MATLAB file ({exc})") from None
    return {k: np.asarray(v) for k, v in data.items() if k in _KEYS}


def _component(arrays: dict, prefix: str, scale: float, path: Path) -> PCAComponent:
    mu, pc, ev = (arrays[f"{prefix}{s}"] for s in ("MU", "PC", "EV"))
    for name, value in ((f"{prefix}MU", mu), (f"{prefix}PC", pc), (f"{prefix}EV", ev)):
        if value.dtype.kind not in "fiu":
            raise ModelFormatError(f"{path}: {name} is not numeric")
        if not np.isfinite(value).all():
            raise ModelFormatError(f"{path}: {name} contains NaN or infinite values")
    mu = mu.reshape(-1).astype(np.float64) * scale
    if pc.ndim != 2 or pc.shape[0] != mu.shape[0]:
        raise ModelFormatError(
            f"{path}: {prefix}PC has shape {pc.shape}, "
            f"expected ({mu.shape[0]}, k) to match {prefix}MU"
        )
    ev = ev.reshape(-1).astype(np.float64) * scale
    if ev.shape[0] != pc.shape[1]:
        raise ModelFormatError(
            f"{path}: {prefix}EV has {ev.shape[0]} entries, expected {pc.shape[1]}"
        )
    # The PCs are orthonormal; EV are standard deviations, so the variance is EV**2.
    return PCAComponent(mu, pc, ev**2)


def read_bfm2009(path: str | Path) -> MorphableModel:
    """Load BFM 2009: micrometres -> mm, 0-255 -> [0, 1], 1-based triangles -> 0-based.

    Accepts MATLAB v5 files and v7.3 files (which are HDF5).
    """
    path = Path(path)
    arrays = _read_arrays(path, sniff(path))
    missing = [k for k in _KEYS if k not in arrays]
    if missing:
        raise ModelFormatError(
            f"{path}: not a BFM 2009 model: MATLAB variables missing: {', '.join(missing)}"
        )
    shape = _component(arrays, "shape", 1e-3, path)
    color = _component(arrays, "tex", 1.0 / 255.0, path)
    tl = arrays["tl"]
    if tl.ndim != 2 or 3 not in tl.shape:
        raise ModelFormatError(f"{path}: tl has shape {tl.shape}, expected (T, 3)")
    if tl.dtype.kind not in "fiu" or (tl.dtype.kind == "f" and not np.isfinite(tl).all()):
        raise ModelFormatError(f"{path}: tl holds {tl.dtype} values, expected triangle indices")
    tris = (tl if tl.shape[1] == 3 else tl.T).astype(np.int64) - 1
    n = shape.mean.shape[0] // 3
    if tris.size == 0:
        raise ModelFormatError(f"{path}: tl holds no triangles; a model needs at least one")
    if tris.min() < 0 or tris.max() >= n:
        raise ModelFormatError(
            f"{path}: tl indices range {tris.min() + 1}..{tris.max() + 1}, "
            f"expected 1..{n} (1-based)"
        )
    tris = _outward(shape.mean.reshape(-1, 3), tris)
    return MorphableModel(
        shape=shape, color=color, triangles=tris, name=path.stem, source=str(path)
    )


def _outward(verts: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Triangles counter-clockwise seen from outside, flipping all when they are not.

    Tools disagree on BFM's winding (Basel's own PLY writer swaps two columns), so it is
    measured: the signed volume the triangles sweep about the vertex centroid is positive
    when their normals point away from it, i.e. outwards (towards +z at the nose tip).
    """
    a, b, c = (verts[tris[:, k]].astype(np.float64) - verts.mean(axis=0) for k in range(3))
    signed_volume = np.einsum("ij,ij->", a, np.cross(b, c))
    return tris if signed_volume >= 0 else tris[:, [0, 2, 1]]
