"""The default-model build on a tiny synthetic ICT-style folder (no ICT data needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from morphgen.errors import MorphgenError
from morphgen.labels import LABEL_IDS
from morphgen.model.build.ict import ICTLayout, Part, build_default_model, round_mantissa

N_IDENTITIES = 5
GRID = 6  # a GRID x GRID skin sheet facing +z
LAYOUT = ICTLayout(
    parts=(
        Part("face", 0, GRID * GRID - 1, "skin"),
        Part("teeth", 36, 39, "teeth"),
        Part("sclera", 40, 44, "sclera"),
        Part("iris", 45, 47, "iris"),
        Part("lashes", 48, 51, "drop"),
    ),
    n_identities=N_IDENTITIES,
)
KEPT = np.r_[0:45]


def _mesh(rng: np.random.Generator) -> tuple[np.ndarray, list[list[int]]]:
    """Vertices (cm) and 0-based polygons: a skin sheet, a tooth quad, an eye cap, iris, lashes."""
    u, v = np.meshgrid(np.linspace(-5, 5, GRID), np.linspace(-5, 5, GRID))
    sheet = np.c_[u.ravel(), v.ravel(), 8.0 - 0.05 * (u.ravel() ** 2 + v.ravel() ** 2)]
    polys = []
    for r in range(GRID - 1):
        for c in range(GRID - 1):
            a = r * GRID + c
            polys.append([a, a + 1, a + GRID + 1, a + GRID])  # counter-clockwise from +z
    teeth = np.array([[-1, -3, 7], [1, -3, 7], [1, -2, 7], [-1, -2, 7]], float)
    polys.append([36, 37, 38, 39])
    angles = np.linspace(0, 2 * np.pi, 4, endpoint=False)
    ring = np.c_[3 + np.cos(angles), 3 + np.sin(angles), np.full(4, 8.0)]
    sclera = np.r_[[[3.0, 3.0, 8.5]], ring]
    polys += [[40, 41 + i, 41 + (i + 1) % 4] for i in range(4)]
    iris = np.array([[3.0, 3.0, 8.2], [3.3, 3.0, 8.1], [2.7, 3.0, 8.1]])  # centred on the eye
    polys.append([45, 46, 47])
    lashes = rng.normal(size=(4, 3)) + [3, 4, 8]
    polys.append([48, 49, 50, 51])
    return np.concatenate([sheet, teeth, sclera, iris, lashes]), polys


def _write_obj(path: Path, verts: np.ndarray, polys: list[list[int]]) -> None:
    lines = ["# tiny ICT-style mesh", "mtllib none.mtl"]
    lines += [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in verts]
    lines += ["usemtl M_Face"]
    lines += ["f " + " ".join(f"{i + 1}/{i + 1}" for i in p) for p in polys]
    path.write_text("\n".join(lines) + "\n")


def make_folder(root: Path, mirrored: bool = False, seed: int = 0) -> dict:
    """Write a tiny ICT-style ``FaceXModel`` folder; returns the arrays written (cm)."""
    rng = np.random.default_rng(seed)
    folder = root / "FaceXModel"
    folder.mkdir(parents=True)
    neutral, polys = _mesh(rng)
    if mirrored:
        neutral[:, 0] *= -1.0
        polys = [p[::-1] for p in polys]
    modes = rng.normal(scale=0.2, size=(N_IDENTITIES, len(neutral), 3))
    modes *= np.linspace(1.0, 0.2, N_IDENTITIES)[:, None, None]
    identities = neutral[None] + modes
    # eyeBlink_L moves the subject's left side: +x, or -x in the mirrored folder.
    blink = neutral.copy()
    left = neutral[:, 0] * (-1 if mirrored else 1) > 1.0
    blink[left, 1] -= 0.4
    jaw = neutral.copy()
    jaw[neutral[:, 1] < -2.0, 1] -= 1.0
    _write_obj(folder / "generic_neutral_mesh.obj", neutral, polys)
    for i, ident in enumerate(identities):
        _write_obj(folder / f"identity{i:03d}.obj", ident, polys)
    _write_obj(folder / "eyeBlink_L.obj", blink, polys)
    _write_obj(folder / "jawOpen.obj", jaw, polys)
    landmarks = [int(i) for i in rng.integers(0, GRID * GRID, size=68)]
    index = {"expressions": ["eyeBlink_L", "jawOpen"], "idx_to_landmark_verts": landmarks}
    (folder / "vertex_indices.json").write_text(json.dumps(index))
    return {"neutral": neutral, "identities": identities, "blink": blink, "jaw": jaw}


def _build(root: Path, **kw):
    kw.setdefault("shape_retained", 1.0)
    kw.setdefault("expression_retained", 1.0)
    kw.setdefault("mantissa_bits", None)
    return build_default_model(root, LAYOUT, **kw)


def test_tiny_build_keeps_parts_converts_units_and_blendshapes(tmp_path):
    data = make_folder(tmp_path)
    model, report = _build(tmp_path)
    assert not report.mirrored
    assert model.n_vertices == KEPT.size  # iris shell and lashes dropped
    np.testing.assert_allclose(model.mean_vertices(), data["neutral"][KEPT] * 10.0, atol=1e-4)
    # 25 sheet quads + 1 tooth quad -> 52 triangles, 4 sclera triangles; iris and lashes gone
    assert model.n_triangles == 56
    assert model.triangles.max() < model.n_vertices
    assert model.blendshapes.names == ["eyeBlink_L", "jawOpen"]
    expected = (data["blink"] - data["neutral"])[KEPT].reshape(-1) * 10.0
    np.testing.assert_allclose(model.blendshapes.deltas[:, 0], expected, atol=1e-4)
    assert model.regions[36] == LABEL_IDS["teeth"]
    assert model.regions[40] == LABEL_IDS["left_eye"]  # the eye sits at +x
    assert set(f"ibug{i:02d}" for i in range(1, 69)) <= set(model.landmarks)
    assert model.landmarks["left_pupil"] == 40  # the sclera's front pole


def test_shape_pca_reproduces_ict_sampler_statistics(tmp_path):
    data = make_folder(tmp_path)
    model, report = _build(tmp_path)
    # ICT's sampler: neutral + sum_i w_i (identity_i - neutral), w ~ N(0, 1): mean neutral,
    # covariance D D^T. The model's: basis diag(variance) basis^T.
    d = ((data["identities"] - data["neutral"][None])[:, KEPT] * 10.0).reshape(N_IDENTITIES, -1)
    ict_cov = d.T @ d
    basis = model.shape.basis.astype(np.float64)
    model_cov = basis @ np.diag(model.shape.variance) @ basis.T
    np.testing.assert_allclose(model_cov, ict_cov, atol=1e-3 * np.abs(ict_cov).max())
    np.testing.assert_allclose(basis.T @ basis, np.eye(basis.shape[1]), atol=1e-5)
    assert report.shape_components == N_IDENTITIES
    # and by sampling: per-coordinate variances agree
    rng = np.random.default_rng(1)
    w = rng.normal(size=(20000, N_IDENTITIES))
    ict_samples = w @ d
    model_samples = model.shape.offsets(rng.normal(size=(20000, model.shape.n_components)))
    ratio = model_samples.var(axis=0).sum() / ict_samples.var(axis=0).sum()
    assert abs(ratio - 1.0) < 0.05


def test_truncation_reports_retained_variance(tmp_path):
    make_folder(tmp_path)
    model, report = _build(tmp_path, shape_retained=0.8)
    assert model.shape.n_components < N_IDENTITIES
    v = model.shape.variance
    assert report.shape_retained >= 0.8
    assert report.shape_retained > (v[:-1].sum() / v.sum()) * 0.999  # not more than needed


def test_mirrored_folder_is_flipped_to_subject_left(tmp_path):
    data = make_folder(tmp_path, mirrored=True)
    model, report = _build(tmp_path)
    assert report.mirrored
    flipped = -data["neutral"][KEPT, 0] * 10
    np.testing.assert_allclose(model.mean_vertices()[:, 0], flipped, atol=1e-4)
    moved = np.abs(model.blendshapes.deltas[:, 0].reshape(-1, 3)).sum(axis=1) > 0
    assert model.mean_vertices()[moved, 0].min() > 0  # eyeBlink_L now moves +x
    v = model.mean_vertices()
    tri = model.triangles[:50]  # the skin sheet
    normals = np.cross(v[tri[:, 1]] - v[tri[:, 0]], v[tri[:, 2]] - v[tri[:, 0]])
    assert (normals[:, 2] > 0).all()  # front faces still counter-clockwise from +z


def test_colour_model_on_tiny_mesh(tmp_path):
    make_folder(tmp_path)
    model, _ = _build(tmp_path)
    b = model.color.basis.astype(np.float64)
    np.testing.assert_allclose(b.T @ b, np.eye(b.shape[1]), atol=1e-5)
    assert (np.diff(model.color.variance) <= 1e-12).all()
    mean = model.color.mean.reshape(-1, 3)
    assert ((mean >= 0) & (mean <= 1)).all()
    teeth = model.regions == LABEL_IDS["teeth"]
    assert np.abs(model.color.basis.reshape(-1, 3, b.shape[1])[teeth]).max() == 0  # fixed
    pupil = model.landmarks["left_pupil"]  # the front pole: inside the painted pupil
    assert mean[pupil].max() < 0.01 and not b.reshape(-1, 3, b.shape[1])[pupil].any()
    skin = mean[model.regions == LABEL_IDS["skin"]]
    assert (skin[:, 0] >= skin[:, 1]).all() and (skin[:, 1] >= skin[:, 2]).all()


def test_build_is_deterministic(tmp_path):
    make_folder(tmp_path)
    a, _ = _build(tmp_path, mantissa_bits=16)
    b, _ = _build(tmp_path, mantissa_bits=16)
    for x, y in ((a.shape.basis, b.shape.basis), (a.color.basis, b.color.basis)):
        assert x.tobytes() == y.tobytes()


def test_round_mantissa_error_bound():
    x = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    y = round_mantissa(x, 16)
    assert y.dtype == np.float32
    assert np.abs(y - x).max() <= np.abs(x).max() * 2.0**-17
    assert len(np.unique(y.view(np.uint32) & 0x7F)) == 1  # low 7 bits cleared


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda f: (f / "vertex_indices.json").unlink(), "vertex_indices.json"),
        (lambda f: (f / "identity004.obj").unlink(), "identity004.obj: missing"),
        (lambda f: _drop_vertex(f / "identity002.obj"), "identity002.obj: 51 vertices, expected"),
        (lambda f: _garble(f / "jawOpen.obj"), "jawOpen.obj: unparsable"),
        (lambda f: _change_face(f / "identity001.obj"), "identity001.obj: its faces differ"),
        (lambda f: (f / "vertex_indices.json").write_text("{"), "not readable JSON"),
        (lambda f: (f / "vertex_indices.json").write_text('{"x": 1}'), "'expressions'"),
    ],
)
def test_bad_folders_name_the_file(tmp_path, damage, message):
    make_folder(tmp_path)
    damage(tmp_path / "FaceXModel")
    with pytest.raises(MorphgenError, match=message):
        _build(tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(MorphgenError, match="not a folder"):
        _build(tmp_path / "nope")


def _drop_vertex(path: Path) -> None:
    lines = path.read_text().splitlines()
    first_v = next(i for i, line in enumerate(lines) if line.startswith("v "))
    path.write_text("\n".join(lines[:first_v] + lines[first_v + 1 :]))


def _garble(path: Path) -> None:
    path.write_text(path.read_text().replace("v ", "v abc ", 1))


def _change_face(path: Path) -> None:
    path.write_text(path.read_text().replace("f 1/1 2/2", "f 2/2 1/1", 1))


SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_default_model.py"


def _script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_default_model", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_writes_same_bytes_twice_and_the_model_loads(tmp_path, capsys):
    statismo = pytest.importorskip("morphgen.model.statismo")
    make_folder(tmp_path / "ict")
    script = _script()
    outs = [tmp_path / "a.h5", tmp_path / "b.h5"]
    for out in outs:
        assert script.main([str(tmp_path / "ict"), "--out", str(out)], layout=LAYOUT) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    digest = (tmp_path / "a.sha256").read_text().split()[0]
    assert digest in capsys.readouterr().out
    model = statismo.read_statismo(outs[0])
    assert model.n_vertices == KEPT.size
    assert model.blendshapes.names == ["eyeBlink_L", "jawOpen"]
    assert model.regions[36] == LABEL_IDS["teeth"]
    assert model.landmarks["left_pupil"] == 40


def test_script_reports_a_bad_folder_and_exits_2(tmp_path):
    import subprocess
    import sys

    make_folder(tmp_path)
    (tmp_path / "FaceXModel" / "identity000.obj").unlink()
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), "--out", str(tmp_path / "x.h5")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "error:" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "x.h5").exists()
