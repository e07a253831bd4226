"""Loader cases beyond tests/test_model_statismo.py and test_model_bfm2009.py: BFM 2019-style
version 1.0 files, face12 (no expression) and shape-only files, column-vector datasets, the
reader -> writer -> reader cycle, and more bad input, all written by hand with h5py/scipy."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
from scipy.io import savemat

from morphgen.errors import ModelFormatError
from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.model.statismo import read_statismo, write_statismo
from morphgen.model.synthetic import synthetic_model

HEAD = synthetic_model(n_lat=16, n_lon=24, components=(1, 1, 1), seed=2)
POINTS = HEAD.mean_vertices()  # (N, 3) mm, a head with iBUG landmarks
CELLS = HEAD.triangles.T.astype(np.int32)  # (3, M) as Statismo stores them
N = len(POINTS)
PARTS = ("shape", "color", "expression")


def _orthonormal(rng: np.random.Generator, k: int) -> np.ndarray:
    return np.linalg.qr(rng.normal(size=(3 * N, k)))[0].astype(np.float32)


def _parts(seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """mean (3N,), orthonormal basis (3N, k), variance (k,) per part, as BFM 2019 stores them."""
    rng = np.random.default_rng(seed)
    return {
        "shape": (POINTS.reshape(-1), _orthonormal(rng, 4), np.array([300.0, 80.0, 20.0, 5.0])),
        "color": (rng.uniform(0.3, 0.7, 3 * N), _orthonormal(rng, 3), np.array([0.4, 0.1, 0.02])),
        "expression": (np.zeros(3 * N), _orthonormal(rng, 2), np.array([60.0, 15.0])),
    }


def _write(path, parts, version=(1, 0), column=False, landmarks=None) -> None:
    """A Statismo file: /version at the root only (as BFM 2019), float32 datasets."""
    with h5py.File(path, "w") as f:
        if version:
            f["version/majorVersion"], f["version/minorVersion"] = map(np.int32, version)
        for part, (mean, basis, variance) in parts.items():
            g = f.create_group(f"{part}/model")
            g["mean"] = mean.astype(np.float32).reshape(-1, 1) if column else mean.astype("f4")
            g["pcaBasis"] = basis.astype(np.float32)
            g["pcaVariance"] = variance.astype(np.float32).reshape((-1, 1) if column else -1)
            g["noiseVariance"] = np.zeros(1, np.float32)
            r = f.create_group(f"{part}/representer")
            r.attrs["name"] = "gravis::MeshShapeRepresenter"
            r["points"], r["cells"] = POINTS.T.astype(np.float32), CELLS
        if landmarks is not None:
            items = [{"id": k, "coordinates": POINTS[v].tolist()} for k, v in landmarks.items()]
            f.create_dataset(
                "metadata/landmarks/json", data=json.dumps(items), dtype=h5py.string_dtype()
            )


def _expected(part, coeffs) -> np.ndarray:
    mean, basis, variance = part
    return mean + basis.astype(np.float64) @ (coeffs * np.sqrt(variance))


@pytest.mark.parametrize("column", [False, True])
def test_bfm2019_style_version_1_0_instances(tmp_path, column):
    parts = _parts()
    path = tmp_path / "model2019_bfm.h5"
    _write(path, parts, column=column)
    model = load_model(path)
    assert (model.n_vertices, model.n_triangles) == (N, CELLS.shape[1])
    np.testing.assert_array_equal(model.triangles, CELLS.T)
    cs, cc, ce = np.array([1.5, -1, 0.5, 2]), np.array([-1.0, 0.3, 2.0]), np.array([0.7, -1.2])
    np.testing.assert_allclose(model.shape.instance(cs), _expected(parts["shape"], cs), atol=1e-3)
    # colour already in [0, 1] stays as it is (no 0-255 rescaling)
    np.testing.assert_allclose(model.color.instance(cc), _expected(parts["color"], cc), atol=1e-5)
    offsets = model.expression_offsets(coeffs=ce)[0].reshape(-1)
    np.testing.assert_allclose(offsets, _expected(parts["expression"], ce), atol=1e-3)
    # truncation uses the first k components
    short = model.truncated(shape=2)
    c2 = np.array([1.0, -2.0])
    mean, basis, variance = parts["shape"]
    expected = mean + basis[:, :2] @ (c2 * np.sqrt(variance[:2]))
    np.testing.assert_allclose(short.shape.instance(c2), expected, atol=1e-3)


def test_face12_without_expression_and_shape_only(tmp_path):
    parts = _parts(1)
    del parts["expression"]
    path = tmp_path / "model2017-1_face12_nomouth.h5"
    _write(path, parts, version=(0, 9))
    model = load_model(path)
    assert model.expression is None
    assert not model.expression_offsets(coeffs=np.ones(3)).any()
    del parts["color"]
    shape_only = tmp_path / "shape_only.h5"
    _write(shape_only, parts, version=(0, 9))
    grey = load_model(shape_only)
    assert grey.color.n_components == 0 and np.allclose(grey.color.mean, grey.color.mean[0])


def test_ibug_landmarks_in_the_file_give_derived_regions(tmp_path):
    """Landmark coordinates map to their vertices; 68 iBUG ones paint the regions."""
    path = tmp_path / "with_landmarks.h5"
    _write(path, _parts(), landmarks=HEAD.landmarks)
    model = load_model(path)
    assert model.landmarks == HEAD.landmarks
    assert model.regions is not None
    assert {LABEL_IDS["nose"], LABEL_IDS["neck"]} <= set(np.unique(model.regions).tolist())
    bare = tmp_path / "bare.h5"
    _write(bare, _parts())
    assert load_model(bare).regions is None  # nothing to derive from: every vertex is skin
    marks = tmp_path / "ibug.json"
    marks.write_text(json.dumps([HEAD.landmarks[f"ibug{i:02d}"] for i in range(1, 69)]))
    np.testing.assert_array_equal(load_model(bare, landmarks=marks).regions, model.regions)


def test_read_write_read_is_exact_and_rewrites_the_same_bytes(tmp_path):
    source = tmp_path / "hand.h5"
    _write(source, _parts(3), landmarks={"nose": 5, "chin": 9})
    first = read_statismo(source)
    write_statismo(first, tmp_path / "a.h5")
    again = read_statismo(tmp_path / "a.h5")
    for part in PARTS:
        for field in ("mean", "basis", "variance"):
            a, b = getattr(getattr(first, part), field), getattr(getattr(again, part), field)
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first.triangles, again.triangles)
    assert again.landmarks == {"nose": 5, "chin": 9} and again.regions is None
    write_statismo(again, tmp_path / "b.h5")
    assert (tmp_path / "a.h5").read_bytes() == (tmp_path / "b.h5").read_bytes()


def _broken(tmp_path, edit) -> str:
    path = tmp_path / "broken.h5"
    _write(path, _parts())
    with h5py.File(path, "a") as f:
        edit(f)
    with pytest.raises(ModelFormatError) as err:
        load_model(path)
    assert str(path) in str(err.value)
    return str(err.value)


def _replace(key, value):
    def edit(f):
        del f[key]
        f[key] = value

    return edit


@pytest.mark.parametrize(
    "edit, message",
    [
        (_replace("shape/representer/points", np.zeros((3, N - 1), np.float32)), "points but"),
        (_replace("shape/model/pcaBasis", np.full((3 * N, 4), np.nan, np.float32)), "NaN"),
        (_replace("shape/model/pcaVariance", np.array([1, -1, 1, 1], np.float32)), "negative"),
        (_replace("shape/model/mean", np.zeros((3 * N, 2), np.float32)), "expected a vector"),
        (_replace("shape/model/mean", np.array([b"text"])), "expected numbers"),
        (_replace("shape/model/pcaBasis", np.zeros(3 * N, np.float32)), "pcaBasis has shape"),
        (_replace("expression/model/pcaVariance", np.ones(5, np.float32)), "expression"),
        (lambda f: [f.__delitem__(f"{p}/representer") for p in PARTS], "no /shape/representer"),
        (lambda f: f.__delitem__("shape/model/mean"), "/shape/model/mean is missing"),
        (lambda f: f.__delitem__("shape"), "without /shape/model"),
    ],
)
def test_bad_statismo_files_name_file_and_dataset(tmp_path, edit, message):
    assert message in _broken(tmp_path, edit)


def test_truncated_hdf5_file(tmp_path):
    path = tmp_path / "cut.h5"
    _write(path, _parts())
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(ModelFormatError) as err:
        load_model(path)
    assert str(path) in str(err.value)


def test_random_bytes_and_text(tmp_path):
    for name, data in (("noise.h5", np.random.default_rng(0).bytes(4096)), ("t.mat", b"hi\n")):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ModelFormatError, match="neither a Statismo") as err:
            load_model(path)
        assert str(path) in str(err.value)


def test_bfm2009_without_its_variables_and_with_float_cells(tmp_path):
    path = tmp_path / "other.mat"
    savemat(path, {"vertices": np.zeros((4, 3))})
    with pytest.raises(ModelFormatError, match="variables missing: shapeMU") as err:
        load_model(path)
    assert str(path) in str(err.value)
    path = tmp_path / "float_cells.h5"
    _write(path, _parts())
    with h5py.File(path, "a") as f:
        for part in PARTS:
            cells = f[f"{part}/representer/cells"][()]
            del f[f"{part}/representer/cells"]
            f[f"{part}/representer/cells"] = cells.astype(np.float32)
    with pytest.raises(ModelFormatError, match="floats, expected integer"):
        load_model(path)


def test_an_edited_region_file_is_read_again(tmp_path):
    path = tmp_path / "model.h5"
    _write(path, _parts())
    regions = tmp_path / "regions.json"
    regions.write_text(json.dumps({"nose": [0]}))
    first = load_model(path, regions=regions)
    assert load_model(path, regions=regions) is first
    regions.write_text(json.dumps({"neck": [0, 1]}))
    again = load_model(path, regions=regions)
    assert again.regions[1] == LABEL_IDS["neck"] and first.regions[1] == LABEL_IDS["skin"]
