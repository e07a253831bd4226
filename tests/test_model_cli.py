"""``morphgen model info|export``: what they print and write, and bad input (exit 2, one line)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

from morphgen import cli
from morphgen.labels import LABEL_IDS
from morphgen.model.statismo import write_statismo
from morphgen.model.synthetic import synthetic_model


def _srgb8(linear: np.ndarray) -> np.ndarray:
    """8-bit sRGB of linear [0, 1] colour (the standard transfer function)."""
    x = np.clip(linear, 0.0, 1.0)
    return np.round(255 * np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055))


@pytest.fixture
def model_file(tmp_path):
    model = synthetic_model(n_lat=40, n_lon=60, components=(6, 4, 3), seed=5)
    path = tmp_path / "small.h5"
    write_statismo(model, path)
    return path, model


@pytest.fixture
def bare_file(tmp_path):
    """A model with neither regions nor landmarks."""
    model = synthetic_model(n_lat=12, n_lon=18, components=(2, 2, 1), seed=6)
    full_landmarks = dict(model.landmarks)
    model.landmarks, model.regions = {}, None
    path = tmp_path / "bare.h5"
    write_statismo(model, path)
    return path, full_landmarks


def test_info_reports_spread_and_regions(model_file, capsys):
    path, model = model_file
    assert cli.main(["model", "info", str(path)]) == 0
    out = capsys.readouterr().out
    variance = model.shape.variance.astype(np.float64)
    k90 = int(np.argmax(np.cumsum(variance) / variance.sum() >= 0.9)) + 1
    rms = np.sqrt(variance.sum() / model.n_vertices)
    assert f"shape:       6 components, {rms:.3g} mm RMS per vertex" in out
    assert f"90% of the variance in the first {k90}," in out
    assert "expression:  3 components" in out and "blendshapes: none" in out
    for name in ("nose", "neck", "left_eye"):
        assert f"{name} {(model.regions == LABEL_IDS[name]).sum()}" in out


def test_info_warns_without_regions_and_derives_them_from_a_landmark_file(
    bare_file, tmp_path, capsys
):
    path, landmarks = bare_file
    assert cli.main(["model", "info", str(path)]) == 0
    captured = capsys.readouterr()
    assert "regions:     none: every vertex is skin" in captured.out
    assert "landmarks:   0: none" in captured.out
    assert "warning" in captured.err and "--landmarks" in captured.err
    marks = tmp_path / "ibug.json"
    marks.write_text(json.dumps([landmarks[f"ibug{i:02d}"] for i in range(1, 69)]))
    assert cli.main(["model", "info", str(path), "--landmarks", str(marks)]) == 0
    captured = capsys.readouterr()
    assert "ibug01..ibug68 (68)" in captured.out and "nose " in captured.out
    assert captured.err == ""


@pytest.mark.parametrize("ascii", [False, True])
def test_export_mean_and_samples_load_in_trimesh(model_file, tmp_path, capsys, ascii):
    path, model = model_file
    out = tmp_path / "meshes"
    argv = ["model", "export", str(path), "--mean", str(out / "mean.ply"), "--samples", "2"]
    argv += ["--out-dir", str(out), "--seed", "7", "--scale", "1.5"] + (["--ascii"] * ascii)
    assert cli.main(argv) == 0
    assert (out / "mean.ply").read_bytes()[:40].count(b"ascii" if ascii else b"binary") == 1
    mean = trimesh.load(out / "mean.ply", process=False)
    np.testing.assert_allclose(mean.vertices, model.mean_vertices(), atol=1e-3)
    np.testing.assert_array_equal(mean.faces, model.triangles)
    np.testing.assert_array_equal(
        mean.visual.vertex_colors[:, :3], _srgb8(model.color.mean.reshape(-1, 3))
    )
    # the samples: shape then colour coefficients from one generator, times --scale
    rng = np.random.default_rng(7)
    cs = 1.5 * rng.standard_normal((2, model.shape.n_components))
    cc = 1.5 * rng.standard_normal((2, model.color.n_components))
    s = model.shape
    shape = s.mean + (cs[1] * np.sqrt(s.variance.astype(np.float64))) @ s.basis.T
    c = model.color
    color = c.mean + (cc[1] * np.sqrt(c.variance.astype(np.float64))) @ c.basis.T
    sample = trimesh.load(out / "sample_001.ply", process=False)
    np.testing.assert_allclose(sample.vertices, shape.reshape(-1, 3), atol=1e-3)
    got = sample.visual.vertex_colors[:, :3].astype(int)
    assert np.abs(got - _srgb8(color.reshape(-1, 3))).max() <= 1
    assert "sample_001.ply" in capsys.readouterr().out


def _fails(argv: list[str], capsys, *expected: str) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("morphgen: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and all(text in err for text in expected), err


def test_bad_input_exits_2_with_one_line(model_file, tmp_path, capsys):
    path, model = model_file
    missing = tmp_path / "absent.h5"
    _fails(["model", "info", str(missing)], capsys, str(missing), "no such file")
    text = tmp_path / "notes.txt"
    text.write_text("a model?\n")
    _fails(["model", "info", str(text)], capsys, str(text), "neither")
    regions = tmp_path / "r.npy"
    np.save(regions, np.ones(3, np.uint8))
    _fails(["model", "info", str(path), "--regions", str(regions)], capsys, str(regions))
    export = ["model", "export", str(path)]
    _fails(export, capsys, "--mean")
    _fails([*export, "--samples", "-1"], capsys, "--samples -1")
    _fails([*export, "--samples", "1", "--scale", "nan"], capsys, "--scale nan")
    blocked = tmp_path / "file"
    blocked.write_text("")
    target = blocked / "mean.ply"
    _fails([*export, "--mean", str(target)], capsys, str(target), "cannot write")
