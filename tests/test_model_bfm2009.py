"""BFM 2009 ``01_MorphableModel.mat``: synthetic files in micrometres with 1-based triangles."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from scipy.io import savemat

from morphgen.errors import ModelFormatError
from morphgen.model.bfm2009 import read_bfm2009

# An octahedron (closed, centred on the origin), counter-clockwise seen from outside.
OCTA = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], float)
OUTWARD = np.array(
    [[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]]
)


def _variables(inward: bool = False, seed: int = 0) -> dict[str, np.ndarray]:
    """BFM 2009 variables: shape in micrometres, texture 0-255, EV as standard deviations."""
    rng = np.random.default_rng(seed)
    n = len(OCTA)
    shape_pc = np.linalg.qr(rng.normal(size=(3 * n, 3)))[0]
    tex_pc = np.linalg.qr(rng.normal(size=(3 * n, 2)))[0]
    tl = OUTWARD[:, [0, 2, 1]] if inward else OUTWARD
    return {
        "shapeMU": (OCTA * 80_000.0).reshape(-1, 1),  # 80 mm in micrometres
        "shapePC": shape_pc.astype(np.float32),
        "shapeEV": np.array([[30_000.0], [10_000.0], [2_000.0]]),  # sd in micrometres
        "texMU": np.full((3 * n, 1), 150.0),
        "texPC": tex_pc.astype(np.float32),
        "texEV": np.array([[40.0], [10.0]]),
        "tl": (tl + 1).astype(np.float64),  # 1-based, stored as doubles like MATLAB does
        "segbin": np.ones((n, 4)),
    }


def test_units_indices_and_instances(tmp_path):
    v = _variables()
    path = tmp_path / "01_MorphableModel.mat"
    savemat(path, v)
    model = read_bfm2009(path)
    assert model.expression is None and model.units == "mm"
    np.testing.assert_array_equal(model.triangles, OUTWARD)
    c = np.array([1.0, -0.5, 2.0])
    expected_um = v["shapeMU"][:, 0] + v["shapePC"] @ (c * v["shapeEV"][:, 0])
    np.testing.assert_allclose(model.shape.instance(c), expected_um / 1000.0, atol=1e-3)
    np.testing.assert_allclose(model.shape.variance, (v["shapeEV"][:, 0] / 1000.0) ** 2, rtol=1e-6)
    t = np.array([0.7, -1.2])
    expected_tex = (v["texMU"][:, 0] + v["texPC"] @ (t * v["texEV"][:, 0])) / 255.0
    np.testing.assert_allclose(model.color.instance(t), expected_tex, atol=1e-5)


def test_inward_winding_is_flipped(tmp_path):
    path = tmp_path / "inward.mat"
    savemat(path, _variables(inward=True))
    tris = read_bfm2009(path).triangles
    verts = OCTA[tris]
    normals = np.cross(verts[:, 1] - verts[:, 0], verts[:, 2] - verts[:, 0])
    assert (np.einsum("ij,ij->i", normals, verts.mean(axis=1)) > 0).all()  # all point outwards


def test_v73_mat_file_is_read_through_hdf5(tmp_path):
    v = _variables(seed=4)
    path = tmp_path / "v73.mat"
    with h5py.File(path, "w", userblock_size=512) as f:
        for key, value in v.items():
            f[key] = np.asarray(value).T  # MATLAB writes column-major
    with open(path, "r+b") as fh:
        fh.write(b"MATLAB 7.3 MAT-file, Platform: GLNXA64".ljust(116))
    v5 = tmp_path / "v5.mat"
    savemat(v5, v)
    a, b = read_bfm2009(path), read_bfm2009(v5)
    np.testing.assert_allclose(a.shape.basis, b.shape.basis)
    np.testing.assert_array_equal(a.triangles, b.triangles)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda v: v.pop("texEV"), "texEV"),
        (lambda v: v.update(tl=v["tl"] + 10), "expected 1..6"),
        (lambda v: v.update(tl=v["tl"] - 1), "expected 1..6"),
        (lambda v: v.update(shapePC=v["shapePC"][:-3]), "shapePC has shape"),
        (lambda v: v.update(shapeEV=v["shapeEV"][:2]), "shapeEV has 2 entries"),
        (lambda v: v["shapeMU"].__setitem__((0, 0), np.nan), "NaN"),
    ],
)
def test_bad_variables(tmp_path, change, message):
    v = _variables()
    change(v)
    path = tmp_path / "bad.mat"
    savemat(path, v)
    with pytest.raises(ModelFormatError) as err:
        read_bfm2009(path)
    assert str(path) in str(err.value) and message in str(err.value)
