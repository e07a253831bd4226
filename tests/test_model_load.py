"""load_model: loader by content, user region/landmark files, caching, bad input, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy.io import savemat

from morphgen import cli
from morphgen.errors import ModelFormatError
from morphgen.labels import LABEL_IDS
from morphgen.model.landmark_maps import BFM2009_IBUG68
from morphgen.model.load import load_model
from morphgen.model.statismo import write_statismo
from morphgen.model.synthetic import synthetic_model


@pytest.fixture
def h5_model(tmp_path):
    """A small model saved in the Statismo layout, deliberately named ``.mat``."""
    model = synthetic_model(n_lat=14, n_lon=20, components=(5, 4, 3), seed=1)
    path = tmp_path / "looks_like.mat"
    write_statismo(model, path)
    return path, model


def _bfm2009_like(path, n_vertices):
    rng = np.random.default_rng(0)
    verts = rng.normal(scale=60_000.0, size=(n_vertices, 3))
    savemat(
        path,
        {
            "shapeMU": verts.reshape(-1, 1),
            "shapePC": np.eye(3 * n_vertices, 1, dtype=np.float32),
            "shapeEV": np.ones((1, 1)),
            "texMU": np.full((3 * n_vertices, 1), 100.0),
            "texPC": np.eye(3 * n_vertices, 1, dtype=np.float32),
            "texEV": np.ones((1, 1)),
            "tl": np.array([[1, 2, 3], [2, 3, 4]], dtype=np.float64),
        },
    )


def test_loader_chosen_by_content_not_name(h5_model, tmp_path):
    path, model = h5_model
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.triangles, model.triangles)
    mat = tmp_path / "looks_like.h5"
    _bfm2009_like(mat, 8)
    assert load_model(mat).n_vertices == 8


def test_cache_returns_same_object_until_the_file_changes(h5_model):
    path, model = h5_model
    first = load_model(path)
    assert load_model(str(path)) is first
    model.name = "rewritten"
    write_statismo(model, path)
    assert load_model(path).name == "rewritten"


def test_bfm2009_gets_the_published_ibug68_map(tmp_path):
    path = tmp_path / "01_MorphableModel.mat"
    _bfm2009_like(path, 53490)
    model = load_model(path)
    assert model.ibug68().tolist() == list(BFM2009_IBUG68)
    assert model.regions is not None and model.regions.shape == (53490,)


def test_user_region_and_landmark_files(h5_model, tmp_path):
    path, model = h5_model
    n = model.n_vertices
    regions = np.full(n, LABEL_IDS["neck"], dtype=np.uint8)
    np.save(tmp_path / "r.npy", regions)
    (tmp_path / "r.json").write_text(json.dumps({"nose": [0, 5], "left_ear": [7]}))
    (tmp_path / "l.txt").write_text(" ".join(str(i) for i in range(68)))
    (tmp_path / "l.json").write_text(json.dumps({"tip": 3}))
    assert (load_model(path, regions=tmp_path / "r.npy").regions == LABEL_IDS["neck"]).all()
    from_json = load_model(path, regions=tmp_path / "r.json").regions
    assert from_json[5] == LABEL_IDS["nose"] and from_json[7] == LABEL_IDS["left_ear"]
    assert (np.delete(from_json, [0, 5, 7]) == LABEL_IDS["skin"]).all()
    assert load_model(path, landmarks=tmp_path / "l.txt").ibug68().tolist() == list(range(68))
    merged = load_model(path, landmarks=tmp_path / "l.json").landmarks
    assert merged["tip"] == 3 and merged["ibug01"] == model.landmarks["ibug01"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("r.npy", np.zeros(3, np.uint8), "one label id per vertex"),
        ("r.npy", "ids99", "unknown region ids [99]"),
        ("r.json", {"hair": [1]}, "unknown region 'hair'"),
        ("r.json", {"nose": [10**6]}, "vertex indices range"),
        ("l.json", [1, 2, 3], "3 indices, expected 68"),
        ("l.txt", "1 2 x", "expected 68 integer"),
        ("l.json", "{not json", "not a readable JSON"),
    ],
)
def test_bad_user_files(h5_model, tmp_path, name, content, message):
    path, model = h5_model
    target = tmp_path / name
    if name.endswith(".npy"):
        value = content if not isinstance(content, str) else np.full(model.n_vertices, 99, np.uint8)
        np.save(target, value)
    elif isinstance(content, str):
        target.write_text(content)
    else:
        target.write_text(json.dumps(content))
    kind = "regions" if name.startswith("r") else "landmarks"
    with pytest.raises(ModelFormatError) as err:
        load_model(path, **{kind: target})
    assert str(target) in str(err.value) and message in str(err.value)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "neither a Statismo"),
        (b"solid ascii stl\n", "neither a Statismo"),
        (b"MATLAB 5.0 MAT-file, garbage" + b"\0" * 200, "not a readable MATLAB file"),
        (b"\x89HDF\r\n\x1a\n" + b"\0" * 100, "HDF5"),
    ],
)
def test_files_in_neither_layout(tmp_path, content, message):
    path = tmp_path / "model.h5"
    path.write_bytes(content)
    with pytest.raises(ModelFormatError) as err:
        load_model(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_hdf5_without_a_model_and_missing_paths(tmp_path):
    import h5py

    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["data"] = np.zeros(3)
    with pytest.raises(ModelFormatError, match="neither a Statismo"):
        load_model(tmp_path / "other.h5")
    with pytest.raises(ModelFormatError, match="no such file"):
        load_model(tmp_path / "absent.h5")
    with pytest.raises(ModelFormatError, match="is a directory"):
        load_model(tmp_path)


def test_cli_info_and_export(h5_model, tmp_path, capsys):
    path, model = h5_model
    assert cli.main(["model", "info", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"vertices:    {model.n_vertices}" in out and f"triangles:   {model.n_triangles}" in out
    assert "shape:       5 components" in out and "ibug01..ibug68 (68)" in out
    assert f"nose {(model.regions == LABEL_IDS['nose']).sum()}" in out
    mean_ply = tmp_path / "m.ply"
    argv = ["model", "export", str(path), "--mean", str(mean_ply), "--samples", "2"]
    assert cli.main([*argv, "--out-dir", str(tmp_path / "s"), "--seed", "4"]) == 0
    import trimesh

    mesh = trimesh.load(mean_ply, process=False)
    np.testing.assert_allclose(mesh.vertices, model.mean_vertices(), atol=1e-4)
    np.testing.assert_array_equal(mesh.faces, model.triangles)
    sample = trimesh.load(tmp_path / "s" / "sample_001.ply", process=False)
    coeffs = np.random.default_rng(4).standard_normal((2, 5))
    np.testing.assert_allclose(sample.vertices, model.shape_instance(coeffs)[1], atol=1e-3)
    assert sample.visual.vertex_colors.shape == (model.n_vertices, 4)


def test_cli_bad_input_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_text("nothing")
    run = subprocess.run(
        [sys.executable, "-m", "morphgen.cli", "model", "info", str(bad)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and str(bad) in run.stderr
    assert cli.main(["model", "export", str(bad)]) == 2  # neither --mean nor --samples
