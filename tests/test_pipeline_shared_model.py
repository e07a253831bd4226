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
