"""Broken model files: one ModelFormatError naming the file, never a crash later or wrong masks."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from morphgen.cli import main
from morphgen.config import parse_config
from morphgen.errors import ConfigError, ModelFormatError
from morphgen.model.load import load_model
from morphgen.model.morphable import Blendshapes
from morphgen.model.statismo import write_statismo
from morphgen.model.synthetic import synthetic_model


@pytest.fixture
def model_file(tmp_path) -> Path:
    path = tmp_path / "model.h5"
    write_statismo(synthetic_model(n_lat=12, n_lon=20, components=(3, 2, 2)), path)
    return path


def _replace(path: Path, key: str, **dataset) -> None:
    with h5py.File(path, "r+") as f:
        del f[key]
        f.create_dataset(key, **dataset)


def test_unknown_region_ids_in_a_model_file_are_refused(model_file):
    with h5py.File(model_file, "r+") as f:
        f["morphgen/regions"][...] = 200
    with pytest.raises(ModelFormatError, match=r"model.h5: .*unknown label ids \[200\]"):
        load_model(model_file)


def test_region_ids_beyond_a_byte_are_not_wrapped_into_valid_ones(model_file):
    with h5py.File(model_file, "r") as f:
        n = f["morphgen/regions"].shape[0]
    _replace(model_file, "morphgen/regions", data=np.full(n, 256 + 3, dtype=np.int32))
    with pytest.raises(ModelFormatError, match=r"unknown label ids \[259\]"):
        load_model(model_file)


def test_a_model_without_triangles_is_refused_at_load(model_file, tmp_path, capsys):
    _replace(model_file, "shape/representer/cells", data=np.zeros((3, 0), dtype=np.int32))
    with pytest.raises(ModelFormatError, match=r"model.h5: .*no triangles"):
        load_model(model_file)
    out = tmp_path / "render"
    code = main(["render", "--model", str(model_file), "--random-seed", "1", "--out", str(out)])
    assert code == 2 and "no triangles" in capsys.readouterr().err


def test_a_huge_declared_basis_is_refused_before_reading(model_file):
    columns = 257 * 2**30 // (720 * 4)  # a 257 GiB float32 basis in a file of a few kB
    _replace(model_file, "shape/model/pcaBasis", shape=(720, columns), dtype="float32")
    with pytest.raises(ModelFormatError, match=r"model.h5: /shape/model/pcaBasis declares"):
        load_model(model_file)


def test_a_blendshape_name_mismatch_names_the_file(tmp_path):
    model = synthetic_model(n_lat=12, n_lon=20, components=(3, 2, 2))
    model.blendshapes = Blendshapes(["jawOpen"], np.zeros((3 * model.n_vertices, 1)))
    path = tmp_path / "bs.h5"
    write_statismo(model, path)
    with h5py.File(path, "r+") as f:
        names = f["morphgen/blendshapes/names"]
        del f["morphgen/blendshapes/names"]
        f["morphgen/blendshapes/names"] = np.array([b"jawOpen", b"smile"], dtype=object)
        del names
    with pytest.raises(ModelFormatError, match=r"bs.h5: /morphgen/blendshapes: .*shape"):
        load_model(path)


def test_a_missing_preset_blendshape_names_the_model_file(tmp_path):
    from morphgen.sampling.sampler import Sampler

    model = synthetic_model(n_lat=12, n_lon=20, components=(3, 2, 2))
    model.blendshapes = Blendshapes(["jawOpen"], np.zeros((3 * model.n_vertices, 1)))
    model.source = str(tmp_path / "mine.h5")
    config = parse_config({"expression": {"presets": {"probability": 1.0}}})
    with pytest.raises(ConfigError, match=r"the model .*mine.h5 has no blendshape"):
        Sampler(config, model)
