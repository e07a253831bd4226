"""Manifest round trip, config hashing and open_dataset over every format."""

from __future__ import annotations

import json

import numpy as np
import pytest
from io_fakes import fake_manifest, fake_sample

from morphgen.config.schema import Output
from morphgen.errors import MorphgenError
from morphgen.io.manifest import config_hash, label_info, load_manifest, save_manifest
from morphgen.io.readers import open_dataset
from morphgen.io.shards import write_shard

CONFIG = {"seed": 1, "render": {"backend": "auto", "device": None}, "output": {"format": "x"}}


def test_config_hash_ignores_device_placement_only():
    base = config_hash(CONFIG, "abc", "cpu")
    moved = {**CONFIG, "render": {"backend": "cpu", "device": 3}}
    assert config_hash(moved, "abc", "cpu") == base
    assert config_hash({**CONFIG, "seed": 2}, "abc", "cpu") != base
    assert config_hash(CONFIG, "abd", "cpu") != base
    assert config_hash(CONFIG, "abc", "egl") != base


def test_label_info_lists_classes_and_absent_ones():
    info = label_info("celebamask")
    assert info["classes"][0] == {"id": 0, "name": "background", "colour": [0, 0, 0]}
    assert "neck_l" in info["absent"]


@pytest.mark.parametrize("fmt", ["webdataset", "hdf5", "folders"])
def test_open_dataset_iterates_finished_shards(tmp_path, fmt):
    manifest = fake_manifest(fmt, 2, 2, "celebamask")
    options = Output(format=fmt)
    for index in range(2):
        samples = [fake_sample(index, j) for j in range(2)]
        entry = write_shard(tmp_path, index, samples, options)
        manifest.shards[index] = entry
        save_manifest(tmp_path, manifest)
    loaded = load_manifest(tmp_path)
    assert loaded.complete and loaded.to_dict() == manifest.to_dict()
    data = json.loads((tmp_path / "manifest.json").read_text())
    assert data["shards"][1]["identities"] == [1, 1] and data["complete"] is True
    ds = open_dataset(tmp_path)
    samples = list(ds)
    assert len(ds) == 4 and [s["identity"] for s in samples] == [0, 0, 1, 1]
    np.testing.assert_array_equal(samples[3]["rgb"], fake_sample(1, 1).rgb)
    assert samples[3]["metadata"]["sample"] == 1


def test_unreadable_manifest_and_missing_dataset_are_clear(tmp_path):
    with pytest.raises(MorphgenError, match="no manifest.json"):
        open_dataset(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(MorphgenError, match="not a readable morphgen manifest"):
        load_manifest(tmp_path)
