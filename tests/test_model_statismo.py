"""Statismo / BFM 2017-2019 HDF5: files written by hand in the exact layout, and the writer."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

from morphgen.errors import ModelFormatError
from morphgen.model.morphable import Blendshapes
from morphgen.model.statismo import read_statismo, write_statismo
from morphgen.model.synthetic import synthetic_model

N, M = 40, 30
LMS = (("nose", 1, 3), ("chin", 0, 9))  # TLMS name, visible, vertex


def _mesh(rng):
    points = rng.normal(scale=50.0, size=(N, 3)).astype(np.float32)
    cells = np.stack([np.arange(M), (np.arange(M) + 1) % N, (np.arange(M) + 7) % N])
    return points, cells.astype(np.int32)


def _orthonormal(rng, k):
    q, _ = np.linalg.qr(rng.normal(size=(3 * N, k)))
    return q.astype(np.float32)


def _write_part(f, part, mean, basis, variance, points, cells, version=None):
    g = f.create_group(f"{part}/model")
    g["mean"] = mean.astype(np.float32)
    g["pcaBasis"] = basis.astype(np.float32)
    g["pcaVariance"] = variance.astype(np.float32)
    g["noiseVariance"] = np.zeros(1, np.float32)
    r = f.create_group(f"{part}/representer")
    r.attrs["name"] = "gravis::MeshShapeRepresenter"
    r.attrs["datasetType"] = "POLYGON_MESH"
    r["points"] = points.T
    r["cells"] = cells
    if version is not None:
        f[f"{part}/version/majorVersion"] = np.int32(version[0])
        f[f"{part}/version/minorVersion"] = np.int32(version[1])


@pytest.fixture
def bfm2017(tmp_path):
    """A BFM 2017-like file (format 0.9) and the arrays it was made from."""
    rng = np.random.default_rng(1)
    points, cells = _mesh(rng)
    parts = {
        "shape": (points.reshape(-1), _orthonormal(rng, 5), np.array([400, 200, 90, 10, 1.0])),
        "color": (
            rng.uniform(0.2, 0.8, 3 * N),
            _orthonormal(rng, 4),
            np.array([0.5, 0.2, 0.1, 0.01]),
        ),
        "expression": (np.zeros(3 * N), _orthonormal(rng, 3), np.array([50.0, 20.0, 5.0])),
    }
    path = tmp_path / "model2017-1_bfm_nomouth.h5"
    with h5py.File(path, "w") as f:
        f["version/majorVersion"] = np.int32(0)
        f["version/minorVersion"] = np.int32(9)
        for part, (mean, basis, var) in parts.items():
            _write_part(f, part, mean, basis, var, points, cells)
        f["color/representer"].attrs["colorspace"] = "RGB"
        lms = [
            {"id": "center.nose.tip", "coordinates": points[7].tolist(), "uncertainty": {}},
            {"id": "right.eye.corner_outer", "coordinates": (points[12] + 0.01).tolist()},
        ]
        f.create_dataset("metadata/landmarks/json", data=json.dumps(lms), dtype=h5py.string_dtype())
    return path, parts, cells


def test_reads_bfm2017_layout_and_instances_match(bfm2017):
    path, parts, cells = bfm2017
    model = read_statismo(path)
    assert model.n_vertices == N and model.n_triangles == M
    np.testing.assert_array_equal(model.triangles, cells.T)
    c = np.random.default_rng(5).standard_normal((3, 5))
    mean, basis, var = parts["shape"]
    expected = mean[None] + (c * np.sqrt(var)) @ basis.T
    np.testing.assert_allclose(model.shape.instance(c), expected, rtol=1e-5, atol=1e-3)
    ce = np.array([1.0, -2.0, 0.5])
    _, ebasis, evar = parts["expression"]
    np.testing.assert_allclose(
        model.expression_offsets(coeffs=ce)[0].reshape(-1), ebasis @ (ce * np.sqrt(evar)), atol=1e-4
    )
    np.testing.assert_allclose(model.color.mean, parts["color"][0], rtol=1e-6)
    assert model.landmarks == {"center.nose.tip": 7, "right.eye.corner_outer": 12}


def test_format_08_prescaled_basis_tlms_landmarks_and_no_expression(tmp_path):
    rng = np.random.default_rng(2)
    points, cells = _mesh(rng)
    u, var = _orthonormal(rng, 4), np.array([900.0, 100.0, 25.0, 4.0])
    scaled = u * np.sqrt(var)  # format 0.8 stores U * sqrt(lambda)
    path = tmp_path / "old.h5"
    with h5py.File(path, "w") as f:
        _write_part(f, "shape", points.reshape(-1), scaled, var, points, cells, version=(0, 8))
        grey = np.full(3 * N, 128.0)  # colour stored as 0-255
        cvar = np.array([400.0, 100.0])
        _write_part(f, "color", grey, _orthonormal(rng, 2), cvar, points, cells, (0, 8))
        text = "".join(f"{n} {v} {' '.join(map(str, points[i]))}\n" for n, v, i in LMS)
        f["metadata/landmarks/text"] = text
    model = read_statismo(path)
    assert model.expression is None
    np.testing.assert_allclose(np.linalg.norm(model.shape.basis, axis=0), 1.0, atol=1e-5)
    c = np.array([1.0, -0.5, 2.0, 0.3])
    # the 0.8 meaning of an instance: mean + scaled basis @ c
    np.testing.assert_allclose(model.shape.instance(c), points.reshape(-1) + scaled @ c, atol=1e-3)
    np.testing.assert_allclose(model.color.mean, 128.0 / 255.0, rtol=1e-6)
    np.testing.assert_allclose(model.color.variance, np.array([400.0, 100.0]) / 255.0**2, rtol=1e-5)
    assert model.landmarks == {"nose": 3, "chin": 9}


@pytest.mark.parametrize("prescaled", [True, False])
def test_versionless_basis_is_detected_by_column_norms(tmp_path, prescaled):
    rng = np.random.default_rng(3)
    points, cells = _mesh(rng)
    u, var = _orthonormal(rng, 3), np.array([400.0, 36.0, 9.0])
    path = tmp_path / "noversion.h5"
    with h5py.File(path, "w") as f:
        _write_part(
            f, "shape", points.reshape(-1), u * np.sqrt(var) if prescaled else u, var, points, cells
        )
    model = read_statismo(path)
    np.testing.assert_allclose(model.shape.basis, u, atol=1e-5)


def test_older_gravis_representer_reference_mesh(tmp_path):
    rng = np.random.default_rng(4)
    points, cells = _mesh(rng)
    path = tmp_path / "gravis.h5"
    with h5py.File(path, "w") as f:
        _write_part(f, "shape", points.reshape(-1), _orthonormal(rng, 2), np.ones(2), points, cells)
        del f["shape/representer/points"], f["shape/representer/cells"]
        f["shape/representer/reference-mesh/vertex-coordinates"] = points
        f["shape/representer/reference-mesh/triangle-list"] = cells.T
        f["version/majorVersion"], f["version/minorVersion"] = np.int32(0), np.int32(9)
    np.testing.assert_array_equal(read_statismo(path).triangles, cells.T)


def _small_model():
    model = synthetic_model(n_lat=12, n_lon=16, components=(6, 5, 4), seed=3)
    rng = np.random.default_rng(0)
    deltas = rng.normal(size=(3 * model.n_vertices, 2)).astype(np.float32)
    model.blendshapes = Blendshapes(["jawOpen", "mouthSmile_L"], deltas)
    model.name = "tiny test head"
    return model


def test_writer_round_trip_and_layout(tmp_path):
    model = _small_model()
    path = tmp_path / "out.h5"
    write_statismo(model, path)
    back = read_statismo(path)
    for part in ("shape", "color", "expression"):
        a, b = getattr(model, part), getattr(back, part)
        np.testing.assert_array_equal(a.mean, b.mean)
        np.testing.assert_allclose(a.basis, b.basis, atol=1e-6)
        np.testing.assert_array_equal(a.variance, b.variance)
    np.testing.assert_array_equal(back.triangles, model.triangles)
    np.testing.assert_array_equal(back.regions, model.regions)
    np.testing.assert_array_equal(back.blendshapes.deltas, model.blendshapes.deltas)
    assert back.blendshapes.names == model.blendshapes.names
    assert back.landmarks == model.landmarks and back.name == "tiny test head"
    with h5py.File(path, "r") as f:  # what a scalismo-style reader relies on
        assert f["shape/representer/cells"].dtype == np.int32
        assert f["shape/representer/cells"].shape == (3, model.n_triangles)
        assert f["shape/representer/points"].shape == (3, model.n_vertices)
        assert f["shape/representer"].attrs["datasetType"] == "POLYGON_MESH"
        assert (int(f["version/majorVersion"][()]), int(f["version/minorVersion"][()])) == (0, 9)
        assert f["catalog/MorphableModel.shape/modelPath"][()] == b"/shape"
        assert f["shape/model/pcaBasis"].compression == "gzip"
        assert f["shape/model/pcaBasis"].shuffle
        items = json.loads(f["metadata/landmarks/json"][()])
        first = items[0]
        vertex = model.landmarks[first["id"]]
        np.testing.assert_allclose(first["coordinates"], model.mean_vertices()[vertex], atol=1e-4)


def test_writer_is_deterministic(tmp_path):
    model = _small_model()
    write_statismo(model, tmp_path / "a.h5")
    write_statismo(model, tmp_path / "b.h5")
    assert (tmp_path / "a.h5").read_bytes() == (tmp_path / "b.h5").read_bytes()


def _break(path, key, value):
    with h5py.File(path, "a") as f:
        del f[key]
        f[key] = value


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("shape/model/pcaBasis", None, "/shape/model/pcaBasis is missing"),
        ("shape/model/pcaBasis", np.zeros((7, 5), np.float32), "to match /shape/model/mean"),
        ("shape/model/pcaVariance", np.ones(3, np.float32), "expected 5"),
        ("shape/model/mean", np.full(3 * N, np.nan, np.float32), "NaN"),
        ("shape/representer/cells", np.full((3, M), N + 5, np.int32), "expected 0..39"),
        ("shape/representer/cells", np.zeros((3, M), np.float32), "floats"),
        ("shape/representer/cells", np.zeros((4, M), np.int32), "expected (3, M)"),
        ("color/model/mean", np.zeros(3 * N - 3, np.float32), "color"),
        ("metadata/landmarks/json", "not json", "landmarks/json"),
    ],
)
def test_bad_files_raise_one_clear_error(bfm2017, key, value, message):
    path = bfm2017[0]
    if value is None:
        with h5py.File(path, "a") as f:
            del f[key]
    else:
        _break(path, key, value)
    with pytest.raises(ModelFormatError) as err:
        read_statismo(path)
    assert str(path) in str(err.value) and message in str(err.value)
