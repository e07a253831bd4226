"""Shard writers read back with the real webdataset library, plain h5py and the folder layout."""

from __future__ import annotations

import errno
import hashlib
import json
import tarfile
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
import webdataset as wds
from io_fakes import fake_sample

from morphgen.config.schema import Output
from morphgen.errors import MorphgenError
from morphgen.io import atomic
from morphgen.io.encode import DEPTH_PNG_UNIT_MM, decode_depth_png16
from morphgen.io.readers import read_shard
from morphgen.io.shards import write_shard

SAMPLES = [fake_sample(i, j) for i in (3, 4) for j in range(2)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_webdataset_library_decodes_every_member(tmp_path):
    options = Output(extras=("normals",))
    entry = write_shard(tmp_path, 7, SAMPLES, options)
    assert entry.file == "shards/morphgen-000007.tar"
    assert (entry.samples, entry.identities) == (4, (3, 4))
    url = str(tmp_path / entry.file)
    ds = wds.WebDataset(url, shardshuffle=False).decode(
        wds.handle_extension("depth.png", decode_depth_png16), "rgb8"
    )
    got = list(ds)
    assert [s["__key__"] for s in got] == [
        "id000003_s0000",
        "id000003_s0001",
        "id000004_s0000",
        "id000004_s0001",
    ]
    for sample, fake in zip(got, SAMPLES, strict=True):
        np.testing.assert_array_equal(sample["png"], fake.rgb)
        np.testing.assert_array_equal(sample["mask.png"][..., 0], fake.mask)  # rgb8 replicates
        np.testing.assert_array_equal(sample["normals.png"], fake.extras["normals"])
        np.testing.assert_allclose(sample["depth.png"], fake.depth, atol=DEPTH_PNG_UNIT_MM / 2)
        assert sample["cls"] == fake.params.identity
        assert sample["json"]["identity"] == fake.params.identity
        assert sample["json"]["params"]["yaw"] == pytest.approx(fake.params.yaw)
    # "l8" gives the mask ids directly
    masks = wds.WebDataset(url, shardshuffle=False).decode("l8")
    np.testing.assert_array_equal(next(iter(masks))["mask.png"], SAMPLES[0].mask)


def test_webdataset_npy_depth_and_jpeg(tmp_path):
    options = Output(image_format="jpg", jpeg_quality=90, depth="npy", mask=False)
    entry = write_shard(tmp_path, 0, SAMPLES[:1], options)
    with tarfile.open(tmp_path / entry.file) as tar:
        names = tar.getnames()
    assert names == [
        "id000003_s0000.jpg",
        "id000003_s0000.depth.npy",
        "id000003_s0000.json",
        "id000003_s0000.cls",
    ]
    sample = next(
        iter(wds.WebDataset(str(tmp_path / entry.file), shardshuffle=False).decode("rgb8"))
    )
    np.testing.assert_array_equal(sample["depth.npy"], SAMPLES[0].depth)
    assert sample["jpg"].shape == SAMPLES[0].rgb.shape


def test_tar_shards_are_byte_identical_and_headers_fixed(tmp_path):
    a = write_shard(tmp_path / "a", 0, SAMPLES, Output())
    time.sleep(1.05)
    b = write_shard(tmp_path / "b", 0, SAMPLES, Output())
    assert a.sha256 == b.sha256 == _digest(tmp_path / "b" / b.file)
    with tarfile.open(tmp_path / "a" / a.file) as tar:
        for info in tar:
            assert (info.mtime, info.uid, info.gid, info.uname, info.mode) == (0, 0, 0, "", 0o644)


def test_hdf5_shard_reads_with_plain_h5py_and_is_reproducible(tmp_path):
    options = Output(format="hdf5", extras=("normals",), depth="npy")
    entry = write_shard(tmp_path / "a", 2, SAMPLES, options)
    path = tmp_path / "a" / entry.file
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["image"][1], SAMPLES[1].rgb)
        np.testing.assert_array_equal(f["mask"][3], SAMPLES[3].mask)
        np.testing.assert_array_equal(f["depth"][2], SAMPLES[2].depth)
        np.testing.assert_array_equal(f["identity"][()], [3, 3, 4, 4])
        np.testing.assert_array_equal(f["landmark_visible"][0], SAMPLES[0].landmark_visible)
        np.testing.assert_array_equal(f["extras/normals"][0], SAMPLES[0].extras["normals"])
        assert f["image"].compression == "gzip" and f["image"].chunks == (1, 32, 32, 3)
        assert json.loads(f["metadata"][2])["sample"] == 0
    time.sleep(1.05)
    again = write_shard(tmp_path / "b", 2, SAMPLES, options)
    assert again.sha256 == entry.sha256
    back = list(read_shard("hdf5", path.parent, path))
    assert [(s["identity"], s["sample"]) for s in back] == [(3, 0), (3, 1), (4, 0), (4, 1)]
    np.testing.assert_array_equal(back[1]["extras"]["normals"], SAMPLES[1].extras["normals"])


def test_identity_folders_layout(tmp_path):
    entry = write_shard(tmp_path, 1, SAMPLES, Output(format="folders"))
    images = sorted(
        p.relative_to(tmp_path / "images").as_posix()
        for p in (tmp_path / "images").rglob("*")
        if p.is_file()
    )
    # ImageFolder-style: only images under images/<identity>/
    assert images == [
        "id000003/id000003_s0000.png",
        "id000003/id000003_s0001.png",
        "id000004/id000004_s0000.png",
        "id000004/id000004_s0001.png",
    ]
    assert (tmp_path / "masks/id000004/id000004_s0001.png").is_file()
    assert (tmp_path / "metadata/id000004/id000004_s0001.json").is_file()
    back = list(read_shard("folders", tmp_path, tmp_path / entry.file))
    np.testing.assert_array_equal(back[2]["rgb"], SAMPLES[2].rgb)
    np.testing.assert_array_equal(back[2]["mask"], SAMPLES[2].mask)
    np.testing.assert_allclose(back[2]["depth"], SAMPLES[2].depth, atol=0.05)
    assert back[2]["metadata"]["identity"] == 4


def test_tar_reader_round_trip(tmp_path):
    entry = write_shard(tmp_path, 0, SAMPLES, Output())
    back = list(read_shard("webdataset", tmp_path, tmp_path / entry.file))
    assert [(s["identity"], s["sample"]) for s in back] == [(3, 0), (3, 1), (4, 0), (4, 1)]
    np.testing.assert_array_equal(back[3]["mask"], SAMPLES[3].mask)


def test_landmarks_switched_off_leave_metadata_without_them(tmp_path):
    entry = write_shard(tmp_path, 0, SAMPLES[:1], Output(landmarks=False))
    meta = next(read_shard("webdataset", tmp_path, tmp_path / entry.file))["metadata"]
    assert "landmarks" not in meta and "landmark_visible" not in meta and "params" in meta


def test_png16_depth_out_of_range_is_a_clear_error(tmp_path):
    far = fake_sample(0, 0)
    far.depth[:] = 7000.0
    with pytest.raises(MorphgenError, match="output.depth: npy"):
        write_shard(tmp_path, 0, [far], Output())
    assert not list((tmp_path / "shards").iterdir())  # no temp file left behind


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_full_disk_keeps_finished_files(tmp_path, monkeypatch, code):
    done = write_shard(tmp_path, 0, SAMPLES[:1], Output())
    before = (tmp_path / done.file).read_bytes()

    def full(fd):
        raise OSError(code, "simulated")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(atomic.WriteError, match="run the same command again"):
        write_shard(tmp_path, 1, SAMPLES[1:2], Output())
    monkeypatch.undo()
    assert sorted(p.name for p in (tmp_path / "shards").iterdir()) == ["morphgen-000000.tar"]
    assert (tmp_path / done.file).read_bytes() == before


def test_clean_stale_temps(tmp_path):
    (tmp_path / "shards").mkdir()
    stale = tmp_path / "shards" / ".morphgen-000001.tar.tmp-999"
    stale.write_bytes(b"partial")
    keep = tmp_path / "shards" / "morphgen-000000.tar"
    keep.write_bytes(b"done")
    assert atomic.clean_stale_temps(tmp_path) == [stale]
    assert keep.exists() and not stale.exists()
