"""The peer comparison of ``morphgen bench --peer``: checks of the checkout, interleaved rounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from morphgen.bench.peer import check_face3d
from morphgen.bench.report import markdown
from morphgen.bench.runner import BenchOptions
from morphgen.bench.versus import compare_peer
from morphgen.errors import MorphgenError
from morphgen.model.statismo import write_statismo
from morphgen.model.synthetic import synthetic_model

# A stand-in for face3d's modules with the functions the pipeline calls (the real checkout
# is not available to the tests); each call does real array work of the right shapes.
FAKE = {
    "transform.py": """
import numpy as np
def angle2matrix(angles):
    y = np.radians(angles[1])
    return np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
def similarity_transform(vertices, s, R, t3d):
    return s * vertices.dot(R.T) + np.asarray(t3d, np.float32)
def to_image(vertices, h, w):
    out = vertices.copy(); out[:, 0] += w / 2; out[:, 1] = h - (out[:, 1] + h / 2) - 1
    return out
""",
    "light.py": """
import numpy as np
def add_light(vertices, triangles, colors, light_positions, light_intensities):
    return np.clip(colors * light_intensities[0], 0, 1)
""",
    "render.py": """
import numpy as np
def render_colors(vertices, triangles, colors, h, w):
    image = np.zeros((h, w, 3), np.float32)
    uv = np.clip(vertices[:, :2].astype(int), 0, [w - 1, h - 1])
    image[uv[:, 1], uv[:, 0]] = colors
    return image
""",
}


def _checkout(root: Path, built: bool = True) -> Path:
    mesh = root / "face3d" / "mesh"
    (mesh / "cython").mkdir(parents=True)
    for name, text in FAKE.items():
        (mesh / name).write_text(text)
    (mesh / "__init__.py").write_text("raise ImportError('the package __init__ is skipped')\n")
    if built:
        (mesh / "cython" / "mesh_core_cython.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    return root


def test_a_missing_or_unbuilt_checkout_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MorphgenError, match="not a face3d checkout"):
        check_face3d(tmp_path)
    with pytest.raises(MorphgenError, match="build_ext --inplace"):
        check_face3d(_checkout(tmp_path / "unbuilt", built=False))


def test_rounds_interleave_and_the_ratio_is_their_median(tmp_path: Path) -> None:
    model = tmp_path / "small.h5"
    write_statismo(synthetic_model(n_lat=24, n_lon=48), model)
    opts = BenchOptions(images=8, per_shard=8, per_identity=8, runs=2, cache_dir=tmp_path)
    v = compare_peer("face3d", _checkout(tmp_path / "f3d"), 1, opts, lambda _: None, model)
    assert len(v["rounds"]) == 2
    for r in v["rounds"]:
        assert r["morphgen"] > 0 and r["face3d"] > 0
        assert r["ratio"] == pytest.approx(r["morphgen"] / r["face3d"])
    ratios = sorted(r["ratio"] for r in v["rounds"])
    assert v["ratio"] == pytest.approx(sum(ratios) / 2) and v["ratio_range"] == ratios
    report = markdown({"versus": v})
    assert "morphgen vs face3d" in report and f"**{v['ratio']:.2f}**" in report
