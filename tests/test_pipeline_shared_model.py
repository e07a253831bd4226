"""The per-machine model cache: written once, memory-mapped, equal to the loaded model."""

from __future__ import annotations

import numpy as np

from morphgen.model.shared import shared_model
from morphgen.model.synthetic import synthetic_model


def test_model_is_exported_once_and_mapped(tmp_path, monkeypatch):
    monkeypatch.setenv("MORPHGEN_CACHE", str(tmp_path))
    model = synthetic_model(n_lat=12, n_lon=20, components=(5, 4, 3))
    calls = []

    def load():
        calls.append(1)
        return model

    first = shared_model("abc", load)
    second = shared_model("abc", load)
    assert len(calls) == 1
    assert isinstance(second.shape.basis.base, np.memmap)
    assert not second.shape.basis.flags.writeable
    np.testing.assert_array_equal(second.shape.basis, model.shape.basis)
    np.testing.assert_array_equal(second.expression.variance, model.expression.variance)
    np.testing.assert_array_equal(first.regions, model.regions)
    assert second.landmarks == model.landmarks and second.name == model.name
    c = np.linspace(-1, 1, 5, dtype=np.float32)
    np.testing.assert_array_equal(second.shape_instance(c), model.shape_instance(c))


def test_unwritable_cache_falls_back_to_the_loaded_model(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("MORPHGEN_CACHE", str(blocker / "cache"))
    model = synthetic_model(n_lat=12, n_lon=20, components=(2, 2, 2))
    assert shared_model("abc", lambda: model) is model


def test_a_tampered_cache_is_found_and_written_again(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MORPHGEN_CACHE", str(tmp_path / "cache"))
    model = synthetic_model(n_lat=12, n_lon=20, components=(3, 2, 2))
    calls = []

    def load():
        calls.append(1)
        return model

    shared_model("abc", load)
    (mean_file,) = (tmp_path / "cache").glob("abc-*/shape_mean.npy")
    np.save(mean_file, np.load(mean_file) * 1.3)  # same shape and dtype, other values
    again = shared_model("abc", load)
    assert len(calls) == 2 and "shape_mean.npy differs" in capsys.readouterr().err
    np.testing.assert_array_equal(again.shape.mean, model.shape.mean)
    assert isinstance(again.shape.basis.base, np.memmap)  # shared again, from a new copy
    shared_model("abc", load)
    assert len(calls) == 2  # the new copy is intact: no third load


def test_the_cache_is_private_and_a_shared_one_is_not_used(tmp_path, monkeypatch):
    model = synthetic_model(n_lat=12, n_lon=20, components=(2, 2, 2))
    monkeypatch.setenv("MORPHGEN_CACHE", str(tmp_path / "mine"))
    shared_model("abc", lambda: model)
    assert (tmp_path / "mine").stat().st_mode & 0o777 == 0o700
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    open_dir.chmod(0o777)  # anyone may plant arrays here
    monkeypatch.setenv("MORPHGEN_CACHE", str(open_dir))
    assert shared_model("abc", lambda: model) is model and not list(open_dir.iterdir())
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "mine")
    monkeypatch.setenv("MORPHGEN_CACHE", str(link))
    assert shared_model("abc", lambda: model) is model


def test_the_default_cache_is_per_user(monkeypatch):
    import os

    from morphgen.model.shared import cache_root

    monkeypatch.delenv("MORPHGEN_CACHE", raising=False)
    assert cache_root().name == f"morphgen-models-{os.getuid()}"


def test_workers_take_the_parents_model_digest_instead_of_hashing_the_file(monkeypatch):
    from morphgen.config import parse_config
    from morphgen.hashing import sha256_file
    from morphgen.run import build
    from morphgen.run.job import JobSpec, ShardContext

    config = parse_config({"identities": {"count": 1, "images_per_identity": 1}})
    spec = JobSpec(config, "unused", "cpu").hashed()
    model = build.model_file(config)
    assert spec.model_sha256 == sha256_file(model)
    assert spec.hashed() is spec and spec.cache_key == JobSpec(config, "x", "cpu").cache_key

    hashed = []
    monkeypatch.setattr(build, "sha256_file", lambda path: hashed.append(path) or sha256_file(path))
    ctx = ShardContext(spec)
    assert model not in hashed and ctx.model_sha256 == spec.model_sha256
    assert ShardContext(JobSpec(config, "unused", "cpu")).model_sha256 == spec.model_sha256
    assert hashed == [model]
