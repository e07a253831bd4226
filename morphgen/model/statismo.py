"""Read and write the Statismo / scalismo-faces HDF5 layout of BFM 2017 and 2019.

Layout facts (REFERENCE section 1; statismo's and scalismo-faces' published file format):
per part ``G`` in shape, color, expression: ``/G/model/{mean, pcaBasis, pcaVariance,
noiseVariance}`` and ``/G/representer/{points (3, N), cells (3, M)}``; ``/version``;
landmarks in ``/metadata/landmarks/json`` or the legacy TLMS text block. Format 0.8 stores
the basis already scaled by ``sqrt(variance)``. morphgen's extras (regions, named
blendshapes, the exact landmark-vertex map) live under ``/morphgen``, which scalismo ignores.
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from morphgen.errors import ModelFormatError
from morphgen.model.morphable import Blendshapes, MorphableModel, PCAComponent

PARTS = ("shape", "color", "expression")
_REPRESENTER = {
    "shape": "gravis::MeshShapeRepresenter",
    "color": "gravis::MeshColorRepresenter",
    "expression": "gravis::MeshShapeRepresenter",
}
_DS = {"compression": "gzip", "compression_opts": 4, "shuffle": True}


def _dataset(f: h5py.File, key: str, path: Path, ndim: int | None = None) -> np.ndarray:
    if key not in f:
        raise ModelFormatError(f"{path}: dataset /{key} is missing")
    value = np.asarray(f[key][()])
    if ndim is not None and value.ndim != ndim and not (ndim == 1 and value.ndim == 2):
        raise ModelFormatError(f"{path}: /{key} has shape {value.shape}, expected {ndim} dims")
    if value.dtype.kind == "f" and not np.isfinite(value).all():
        raise ModelFormatError(f"{path}: /{key} contains NaN or infinite values")
    return value


def _version(f: h5py.File) -> tuple[int, int]:
    if "version" not in f:
        return (0, 9)
    g = f["version"]
    major = int(np.asarray(g["majorVersion"][()]).reshape(-1)[0]) if "majorVersion" in g else 0
    minor = int(np.asarray(g["minorVersion"][()]).reshape(-1)[0]) if "minorVersion" in g else 9
    return (major, minor)


def _read_component(f: h5py.File, part: str, path: Path, legacy: bool) -> PCAComponent:
    mean = _dataset(f, f"{part}/model/mean", path).astype(np.float32).reshape(-1)
    basis = _dataset(f, f"{part}/model/pcaBasis", path, ndim=2).astype(np.float32)
    variance = _dataset(f, f"{part}/model/pcaVariance", path).astype(np.float32).reshape(-1)
    if basis.ndim != 2 or basis.shape[0] != mean.shape[0]:
        raise ModelFormatError(
            f"{path}: /{part}/model/pcaBasis has shape {basis.shape}, "
            f"expected ({mean.shape[0]}, k) to match the mean"
        )
    if variance.shape[0] != basis.shape[1]:
        raise ModelFormatError(
            f"{path}: /{part}/model/pcaVariance has {variance.shape[0]} entries, "
            f"expected {basis.shape[1]} (one per basis column)"
        )
    if (variance < 0).any():
        raise ModelFormatError(f"{path}: /{part}/model/pcaVariance has negative values")
    if legacy:  # format 0.8: columns are U * sqrt(lambda); renormalise to orthonormal U
        norms = np.linalg.norm(basis, axis=0)
        basis = basis / np.where(norms > 0, norms, 1.0)[None, :]
    return PCAComponent(mean, basis, variance)


def _triangles(f: h5py.File, path: Path) -> np.ndarray:
    for part in PARTS:
        key = f"{part}/representer/cells"
        if key in f:
            cells = _dataset(f, key, path, ndim=2)
            if cells.dtype.kind == "f":
                raise ModelFormatError(f"{path}: /{key} holds floats, expected integer indices")
            if cells.shape[0] != 3:
                raise ModelFormatError(f"{path}: /{key} has shape {cells.shape}, expected (3, M)")
            return cells.T.astype(np.int32)
    raise ModelFormatError(f"{path}: no /shape/representer/cells triangle list")


def _nearest_vertices(mean: np.ndarray, points: np.ndarray) -> np.ndarray:
    from scipy.spatial import cKDTree

    return cKDTree(mean.reshape(-1, 3)).query(points)[1].astype(np.int64)


def _read_landmarks(f: h5py.File, mean: np.ndarray, path: Path) -> dict[str, int]:
    if "morphgen/landmarks/names" in f:
        names = [
            n.decode() if isinstance(n, bytes) else str(n)
            for n in f["morphgen/landmarks/names"][()]
        ]
        idx = np.asarray(f["morphgen/landmarks/vertices"][()]).astype(int)
        return dict(zip(names, idx.tolist(), strict=True))
    entries: list[tuple[str, list[float]]] = []
    if "metadata/landmarks/json" in f:
        raw = f["metadata/landmarks/json"][()]
        text = raw.decode() if isinstance(raw, bytes) else str(np.asarray(raw).reshape(-1)[0])
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelFormatError(f"{path}: /metadata/landmarks/json is not JSON: {exc}") from None
        entries = [(str(d["id"]), [float(c) for c in d["coordinates"]]) for d in items]
    elif "metadata/landmarks/text" in f:
        raw = f["metadata/landmarks/text"][()]
        text = raw.decode() if isinstance(raw, bytes) else str(np.asarray(raw).reshape(-1)[0])
        for line in text.splitlines():  # TLMS: "name visible x y z"
            parts = line.split()
            if len(parts) >= 5:
                entries.append((parts[0], [float(v) for v in parts[2:5]]))
    if not entries:
        return {}
    idx = _nearest_vertices(mean, np.array([c for _, c in entries], dtype=np.float64))
    return {name: int(i) for (name, _), i in zip(entries, idx, strict=True)}


def _strings(values: np.ndarray) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def is_statismo(path: str | Path) -> bool:
    """True when ``path`` is an HDF5 file with a ``/shape/model`` group."""
    try:
        with h5py.File(path, "r") as f:
            return "shape/model/mean" in f
    except OSError:
        return False


def read_statismo(path: str | Path) -> MorphableModel:
    """Load a BFM 2017/2019 (or any Statismo-layout) ``.h5`` model, validating everything."""
    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except FileNotFoundError:
        raise ModelFormatError(f"{path}: no such file") from None
    except OSError as exc:
        raise ModelFormatError(f"{path}: not a readable HDF5 file ({exc})") from None
    with f:
        if "shape" not in f:
            raise ModelFormatError(f"{path}: no /shape group; not a Statismo/BFM model")
        legacy = _version(f) < (0, 9)
        shape = _read_component(f, "shape", path, legacy)
        if "color" in f:
            color = _read_component(f, "color", path, legacy)
            if color.mean.size and float(color.mean.max()) > 2.0:  # stored as 0-255
                color = PCAComponent(color.mean / 255.0, color.basis, color.variance / 255.0**2)
        else:
            grey = np.full_like(shape.mean, 0.7)
            color = PCAComponent(grey, np.zeros((grey.size, 0)), np.zeros(0))
        expression = _read_component(f, "expression", path, legacy) if "expression" in f else None
        triangles = _triangles(f, path)
        landmarks = _read_landmarks(f, shape.mean, path)
        extra = f.get("morphgen")
        regions = (
            np.asarray(extra["regions"][()]) if extra is not None and "regions" in extra else None
        )
        blendshapes = None
        if extra is not None and "blendshapes" in extra:
            g = extra["blendshapes"]
            blendshapes = Blendshapes(_strings(g["names"][()]), np.asarray(g["deltas"][()]))
        name = path.stem
        if extra is not None and "name" in extra.attrs:
            name = str(extra.attrs["name"])
    return MorphableModel(
        shape=shape,
        color=color,
        expression=expression,
        triangles=triangles,
        blendshapes=blendshapes,
        landmarks=landmarks,
        regions=regions,
        name=name,
        source=str(path),
    )


def _write_component(f: h5py.File, part: str, comp: PCAComponent, model: MorphableModel) -> None:
    g = f.create_group(f"{part}/model")
    g.create_dataset("mean", data=comp.mean.astype(np.float32), **_DS)
    g.create_dataset("pcaBasis", data=comp.basis.astype(np.float32), **_DS)
    g.create_dataset("pcaVariance", data=comp.variance.astype(np.float32))
    g.create_dataset("noiseVariance", data=np.zeros(1, dtype=np.float32))
    r = f.create_group(f"{part}/representer")
    r.attrs["name"] = _REPRESENTER[part]
    r.attrs["datasetType"] = "POLYGON_MESH"
    if part == "color":
        r.attrs["colorspace"] = "RGB"
    r.create_dataset("points", data=model.mean_vertices().T.astype(np.float32), **_DS)
    r.create_dataset("cells", data=model.triangles.T.astype(np.int32), **_DS)


def write_statismo(model: MorphableModel, path: str | Path) -> None:
    """Save ``model`` in the Statismo layout (format 0.9), morphgen extras under ``/morphgen``.

    The file is written to a temporary name and renamed, and holds no timestamps, so the
    same model always gives the same bytes.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with h5py.File(tmp, "w", track_order=True) as f:
        v = f.create_group("version")
        v.create_dataset("majorVersion", data=np.int32(0))
        v.create_dataset("minorVersion", data=np.int32(9))
        f.create_group("catalog")
        for part, comp in (("shape", model.shape), ("color", model.color)):
            _write_component(f, part, comp, model)
        if model.expression is not None:
            _write_component(f, "expression", model.expression, model)
        mean = model.mean_vertices()
        items = [
            {"id": name, "coordinates": mean[i].astype(float).tolist(), "uncertainty": [1.0] * 3}
            for name, i in model.landmarks.items()
        ]
        f.create_dataset("metadata/landmarks/json", data=json.dumps(items))
        extra = f.create_group("morphgen")
        extra.attrs["name"] = model.name
        names = list(model.landmarks)
        extra.create_dataset(
            "landmarks/names", data=np.array(names, dtype=object), dtype=h5py.string_dtype()
        )
        extra.create_dataset(
            "landmarks/vertices", data=np.array([model.landmarks[n] for n in names], dtype=np.int64)
        )
        if model.regions is not None:
            extra.create_dataset("regions", data=model.regions.astype(np.uint8), **_DS)
        if model.blendshapes is not None:
            b = extra.create_group("blendshapes")
            b.create_dataset(
                "names",
                data=np.array(model.blendshapes.names, dtype=object),
                dtype=h5py.string_dtype(),
            )
            b.create_dataset("deltas", data=model.blendshapes.deltas.astype(np.float32), **_DS)
    tmp.replace(path)
