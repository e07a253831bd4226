"""Read and write the Statismo / scalismo-faces HDF5 layout of BFM 2017 and 2019.

Layout facts (REFERENCE section 1; scalismo's and scalismo-faces' published readers and
writers): per part ``G`` in shape, color, expression: ``/G/model/{mean, pcaBasis, pcaVariance,
noiseVariance}`` and ``/G/representer/{points (3, N), cells (3, M)}`` with the attributes
``name`` and ``datasetType``; an older representer keeps ``reference-mesh/vertex-coordinates
(N, 3)`` and ``reference-mesh/triangle-list (M, 3)`` instead. The format version sits in
``/G/version`` (and ``/version``); scalismo treats a missing one as 0.8, whose basis is stored
already scaled by ``sqrt(variance)``. Landmarks are a scalismo landmark JSON list in
``/metadata/landmarks/json`` or TLMS lines (``id visible x y z``) in
``/metadata/landmarks/text``. morphgen's extras (regions, named blendshapes, the exact
landmark-vertex map, per-corner texture coordinates ``uv (M, 3, 2)``, the model name) live
under ``/morphgen``, which scalismo ignores.
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from morphgen.errors import ModelFormatError
from morphgen.model.h5size import check_declared_size
from morphgen.model.morphable import Blendshapes, MorphableModel, PCAComponent

PARTS = ("shape", "color", "expression")
_REPRESENTER = {
    "shape": "gravis::MeshShapeRepresenter",
    "color": "gravis::MeshColorRepresenter",
    "expression": "gravis::MeshShapeRepresenter",
}
_CATALOG_TYPE = {
    "shape": "POLYGON_MESH_MODEL",
    "color": "POLYGON_MESH_DATA_MODEL",
    "expression": "POLYGON_MESH_DATA_MODEL",
}
_CHUNK_BYTES = 1 << 20  # whole-array reads: ~1 MiB chunks decompress fastest (measured)
_STRING = h5py.string_dtype()


def _text(value: object) -> str:
    """A string from an HDF5 string dataset or attribute, whatever its storage."""
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0] if value.size else b""
    if isinstance(value, bytes | np.bytes_):
        value = bytes(value).decode("utf-8", errors="replace")
    return str(value).rstrip("\x00")


def _strings(values: np.ndarray) -> list[str]:
    return [_text(v) for v in np.asarray(values, dtype=object).reshape(-1)]


def _dataset(f: h5py.File, key: str, path: Path) -> np.ndarray:
    """A numeric dataset, checked present, numeric and finite."""
    node = f.get(key)
    if not isinstance(node, h5py.Dataset):
        raise ModelFormatError(f"{path}: dataset /{key} is missing")
    check_declared_size(node, path, key)
    value = np.asarray(node[()])
    if value.dtype.kind not in "fiub":
        raise ModelFormatError(f"{path}: /{key} has dtype {value.dtype}, expected numbers")
    if value.dtype.kind == "f" and not np.isfinite(value).all():
        raise ModelFormatError(f"{path}: /{key} contains NaN or infinite values")
    return value


def _vector(f: h5py.File, key: str, path: Path) -> np.ndarray:
    """A 1-D dataset; (n, 1) and (1, n) column/row matrices are accepted too."""
    value = _dataset(f, key, path)
    if value.ndim > 2 or (value.ndim == 2 and min(value.shape) != 1):
        raise ModelFormatError(f"{path}: /{key} has shape {value.shape}, expected a vector")
    return value.reshape(-1)


def _version(f: h5py.File, group: str) -> tuple[int, int] | None:
    """``(major, minor)`` stored under ``group/version``, or None when absent."""
    g = f.get(f"{group}/version".lstrip("/"))
    if not isinstance(g, h5py.Group) or "majorVersion" not in g:
        return None
    major = int(np.asarray(g["majorVersion"][()]).reshape(-1)[0])
    minor = int(np.asarray(g["minorVersion"][()]).reshape(-1)[0]) if "minorVersion" in g else 0
    return (major, minor)


def _prescaled(basis: np.ndarray, variance: np.ndarray, version: tuple[int, int] | None) -> bool:
    """Whether the basis columns are ``U * sqrt(variance)`` (format 0.8) rather than ``U``.

    A declared version decides; without one, the column norms do: unit norms mean an
    orthonormal basis, norms equal to ``sqrt(variance)`` a pre-scaled one.
    """
    if version is not None:
        return version < (0, 9)
    if basis.shape[1] == 0:
        return False
    norms = np.linalg.norm(basis.astype(np.float64), axis=0)
    return not np.allclose(norms, 1.0, rtol=1e-2, atol=1e-3)


def _read_component(
    f: h5py.File, part: str, path: Path, file_version: tuple[int, int] | None
) -> PCAComponent:
    mean = _vector(f, f"{part}/model/mean", path)
    basis = _dataset(f, f"{part}/model/pcaBasis", path)
    variance = _vector(f, f"{part}/model/pcaVariance", path).astype(np.float64)
    if basis.ndim != 2 or basis.shape[0] != mean.shape[0]:
        raise ModelFormatError(
            f"{path}: /{part}/model/pcaBasis has shape {basis.shape}, "
            f"expected ({mean.shape[0]}, k) to match /{part}/model/mean"
        )
    if variance.shape[0] != basis.shape[1]:
        raise ModelFormatError(
            f"{path}: /{part}/model/pcaVariance has {variance.shape[0]} entries, "
            f"expected {basis.shape[1]} (one per pcaBasis column)"
        )
    if (variance < 0).any():
        raise ModelFormatError(f"{path}: /{part}/model/pcaVariance has negative values")
    basis = basis.astype(np.float32)
    version = _version(f, part) or file_version
    if _prescaled(basis, variance, version):  # columns are U * sqrt(lambda): recover U
        norms = np.linalg.norm(basis.astype(np.float64), axis=0)
        basis = (basis / np.where(norms > 0, norms, 1.0)[None, :]).astype(np.float32)
    return PCAComponent(mean, basis, variance)


def _representer(f: h5py.File, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Reference points ``(N, 3)`` and triangles ``(M, 3)`` of the first part that has them."""
    for part in PARTS:
        rep = f"{part}/representer"
        if f"{rep}/cells" in f:  # statismo 0.9 / 1.x: (3, N) points, (3, M) cells
            keys, transposed = (f"{rep}/points", f"{rep}/cells"), True
        elif f"{rep}/reference-mesh/triangle-list" in f:  # older gravis: (N, 3), (M, 3)
            mesh = f"{rep}/reference-mesh"
            keys, transposed = (f"{mesh}/vertex-coordinates", f"{mesh}/triangle-list"), False
        else:
            continue
        points, cells = (_dataset(f, key, path) for key in keys)
        want = ("(3, N)", "(3, M)") if transposed else ("(N, 3)", "(M, 3)")
        for key, value, shape in zip(keys, (points, cells), want, strict=True):
            if value.ndim != 2 or value.shape[0 if transposed else 1] != 3:
                raise ModelFormatError(f"{path}: /{key} has shape {value.shape}, expected {shape}")
        if cells.dtype.kind == "f":
            raise ModelFormatError(f"{path}: /{keys[1]} holds floats, expected integer indices")
        if transposed:
            points, cells = points.T, cells.T
        return points.astype(np.float32), cells.astype(np.int64)
    raise ModelFormatError(f"{path}: no /shape/representer with a triangle list (cells)")


def _landmark_entries(f: h5py.File, path: Path) -> list[tuple[str, list[float]]]:
    """``(id, coordinates)`` from the JSON landmark block, else from the legacy TLMS text."""
    if "metadata/landmarks/json" in f:
        text = _text(f["metadata/landmarks/json"][()])
        try:
            items = json.loads(text)
            return [(str(d["id"]), [float(c) for c in d["coordinates"][:3]]) for d in items]
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise ModelFormatError(
                f"{path}: /metadata/landmarks/json is not a landmark list "
                f'[{{"id": ..., "coordinates": [x, y, z]}}, ...] ({exc})'
            ) from None
    entries = []
    if "metadata/landmarks/text" in f:
        for number, line in enumerate(_text(f["metadata/landmarks/text"][()]).splitlines(), 1):
            fields = line.split()
            if not fields:
                continue
            try:
                entries.append((fields[0], [float(v) for v in fields[2:5]]))
                if len(fields) != 5:
                    raise ValueError(f"{len(fields)} fields")
            except ValueError as exc:
                raise ModelFormatError(
                    f"{path}: /metadata/landmarks/text line {number} is not TLMS "
                    f"'id visible x y z' ({exc})"
                ) from None
    return entries


def _nearest_vertices(vertices: np.ndarray, points: np.ndarray) -> np.ndarray:
    from scipy.spatial import cKDTree

    return cKDTree(vertices).query(points)[1].astype(np.int64)


def _read_landmarks(f: h5py.File, vertices: np.ndarray, path: Path) -> dict[str, int]:
    """Landmark name -> vertex: morphgen's exact map, else each point's nearest vertex."""
    if "morphgen/landmarks/names" in f:
        names = _strings(f["morphgen/landmarks/names"][()])
        idx = _vector(f, "morphgen/landmarks/vertices", path).astype(np.int64)
        if len(names) != len(idx):
            raise ModelFormatError(
                f"{path}: /morphgen/landmarks has {len(names)} names and {len(idx)} vertices"
            )
        return dict(zip(names, idx.tolist(), strict=True))
    entries = _landmark_entries(f, path)
    if not entries:
        return {}
    idx = _nearest_vertices(vertices, np.array([c for _, c in entries], dtype=np.float64))
    return {name: int(i) for (name, _), i in zip(entries, idx, strict=True)}


def _read_extras(
    f: h5py.File, path: Path
) -> tuple[np.ndarray | None, Blendshapes | None, np.ndarray | None]:
    """morphgen's regions, named blendshapes and per-corner UVs, when the file has them."""
    regions = _vector(f, "morphgen/regions", path) if "morphgen/regions" in f else None
    uv = _dataset(f, "morphgen/uv", path) if "morphgen/uv" in f else None
    blendshapes = None
    if "morphgen/blendshapes" in f:
        names = _strings(f["morphgen/blendshapes/names"][()])
        deltas = _dataset(f, "morphgen/blendshapes/deltas", path)
        try:
            blendshapes = Blendshapes(names, deltas)
        except ModelFormatError as exc:
            raise ModelFormatError(f"{path}: /morphgen/blendshapes: {exc}") from None
    return regions, blendshapes, uv


def _to_unit_colour(color: PCAComponent) -> PCAComponent:
    """Colour stored as 0-255 becomes [0, 1]; [0, 1] colour is kept."""
    if color.mean.size and float(color.mean.max()) > 2.0:
        return PCAComponent(color.mean / 255.0, color.basis, color.variance / 255.0**2)
    return color


def read_statismo(path: str | Path) -> MorphableModel:
    """Load a BFM 2017/2019 (or any Statismo-layout) ``.h5`` model, validating everything.

    Every problem raises one ``ModelFormatError`` naming the file and the dataset.
    """
    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except FileNotFoundError:
        raise ModelFormatError(f"{path}: no such file") from None
    except OSError as exc:
        raise ModelFormatError(f"{path}: not a readable HDF5 file ({exc})") from None
    with f:
        if "shape/model" not in f:
            raise ModelFormatError(f"{path}: no /shape/model group; not a Statismo/BFM model")
        version = _version(f, "")
        shape = _read_component(f, "shape", path, version)
        points, triangles = _representer(f, path)
        if points.shape[0] * 3 != shape.mean.shape[0]:
            raise ModelFormatError(
                f"{path}: the representer has {points.shape[0]} points but /shape/model/mean "
                f"has {shape.mean.shape[0]} values (expected 3 per point)"
            )
        if "color/model" in f:
            color = _to_unit_colour(_read_component(f, "color", path, version))
        else:  # a shape-only model: a constant light grey, no colour variation
            grey = np.full_like(shape.mean, 0.7)
            color = PCAComponent(grey, np.zeros((grey.size, 0)), np.zeros(0))
        expression = (
            _read_component(f, "expression", path, version) if "expression/model" in f else None
        )
        landmarks = _read_landmarks(f, points, path)  # landmarks lie on the reference mesh
        regions, blendshapes, uv = _read_extras(f, path)
        name = path.stem
        if "morphgen" in f and "name" in f["morphgen"].attrs:
            name = _text(f["morphgen"].attrs["name"])
    try:
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
            uv=uv,
        )
    except ModelFormatError as exc:
        raise ModelFormatError(f"{path}: {exc}") from None


def _chunks(shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """Chunks of about ``_CHUNK_BYTES`` (float32), cut along the longest axis only."""
    if not shape or min(shape) == 0:
        return None
    axis = int(np.argmax(shape))
    rest = int(np.prod(shape)) // shape[axis]
    chunks = list(shape)
    chunks[axis] = max(1, min(shape[axis], _CHUNK_BYTES // (4 * rest)))
    return tuple(chunks)


def _array(g: h5py.Group, name: str, data: np.ndarray) -> None:
    """A gzip+shuffle compressed dataset (small or empty arrays stay contiguous)."""
    chunks = _chunks(data.shape) if data.size >= 1024 else None
    options = {"chunks": chunks, "compression": "gzip", "compression_opts": 4, "shuffle": True}
    g.create_dataset(name, data=data, **(options if chunks else {}))


def _string(g: h5py.Group, name: str, value: str) -> None:
    g.create_dataset(name, data=value, dtype=_STRING)


def _write_component(f: h5py.File, part: str, comp: PCAComponent, model: MorphableModel) -> None:
    v = f.create_group(f"{part}/version")
    v.create_dataset("majorVersion", data=np.int32(0))
    v.create_dataset("minorVersion", data=np.int32(9))
    g = f.create_group(f"{part}/model")
    _array(g, "mean", comp.mean.astype(np.float32))
    _array(g, "pcaBasis", np.asarray(comp.basis, dtype=np.float32))
    _array(g, "pcaVariance", comp.variance.astype(np.float32))
    g.create_dataset("noiseVariance", data=np.zeros(1, dtype=np.float32))
    info = f.create_group(f"{part}/modelinfo")
    info.create_dataset("scores", data=np.zeros((1, 1), dtype=np.float32))
    r = f.create_group(f"{part}/representer")
    r.attrs["name"] = _REPRESENTER[part]
    r.attrs["datasetType"] = "POLYGON_MESH"
    if part == "color":
        r.attrs["colorspace"] = "RGB"
        _string(r, "colorspace", "RGB")
    _array(r, "points", np.ascontiguousarray(model.mean_vertices().T, dtype=np.float32))
    _array(r, "cells", np.ascontiguousarray(model.triangles.T, dtype=np.int32))


def _write_catalog(f: h5py.File, parts: list[str]) -> None:
    """scalismo-faces' catalog: one entry for the whole model and one per part."""
    entry = f.create_group("catalog/MorphableModel")
    _string(entry, "modelPath", "/")
    _string(entry, "modelType", "CUSTOM_MODEL")
    for part in parts:
        sub = f.create_group(f"catalog/MorphableModel.{part}")
        _string(sub, "modelPath", f"/{part}")
        _string(sub, "modelType", _CATALOG_TYPE[part])


def _landmark_json(model: MorphableModel) -> str:
    """scalismo's landmark JSON: id, coordinates on the mean shape, isotropic 1 mm uncertainty."""
    mean = model.mean_vertices()
    identity = np.eye(3).tolist()
    items = [
        {
            "id": name,
            "coordinates": mean[i].astype(float).tolist(),
            "uncertainty": {"stddevs": [1.0, 1.0, 1.0], "pcvectors": identity},
        }
        for name, i in model.landmarks.items()
    ]
    return json.dumps(items)


def _write_extras(f: h5py.File, model: MorphableModel) -> None:
    extra = f.create_group("morphgen")
    extra.attrs["name"] = model.name
    names = list(model.landmarks)
    extra.create_dataset("landmarks/names", data=np.array(names, dtype=object), dtype=_STRING)
    vertices = np.array([model.landmarks[n] for n in names], dtype=np.int64)
    extra.create_dataset("landmarks/vertices", data=vertices)
    if model.regions is not None:
        _array(extra, "regions", np.asarray(model.regions, dtype=np.uint8))
    if model.uv is not None:
        _array(extra, "uv", np.asarray(model.uv, dtype=np.float32))
    if model.blendshapes is not None:
        b = extra.create_group("blendshapes")
        names = model.blendshapes.names
        b.create_dataset("names", data=np.array(names, dtype=object), dtype=_STRING)
        _array(b, "deltas", np.asarray(model.blendshapes.deltas, dtype=np.float32))


def write_statismo(model: MorphableModel, path: str | Path) -> None:
    """Save ``model`` in the Statismo layout (format 0.9), morphgen extras under ``/morphgen``.

    The file is written to a temporary name and renamed, and holds no timestamps, so the
    same model always gives the same bytes.
    """
    path = Path(path)
    parts = ["shape", "color"] + (["expression"] if model.expression is not None else [])
    tmp = path.with_name(path.name + ".tmp")
    try:
        with h5py.File(tmp, "w", track_order=True) as f:
            v = f.create_group("version")
            v.create_dataset("majorVersion", data=np.int32(0))
            v.create_dataset("minorVersion", data=np.int32(9))
            _write_catalog(f, parts)
            for part in parts:
                _write_component(f, part, getattr(model, part), model)
            _string(f.create_group("metadata/landmarks"), "json", _landmark_json(model))
            _write_extras(f, model)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ModelFormatError(f"{path}: cannot write the model ({exc})") from None
