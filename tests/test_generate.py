"""End-to-end ``generate``: determinism over workers, kill and resume, refusal, full disk."""

from __future__ import annotations

import errno
import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest
import webdataset as wds
from generate_config import (
    CONFIG,
    config,
    start_run,
    tree_bytes,
    wait_for_shards,
    write_config,
)

from morphgen.bench.pool import local_workers
from morphgen.cli import main
from morphgen.errors import MorphgenError
from morphgen.hashing import sha256_file
from morphgen.io import atomic
from morphgen.io.manifest import load_manifest
from morphgen.io.readers import open_dataset
from morphgen.run.generate import generate


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The dataset of CONFIG, generated in this process with one worker."""
    out = tmp_path_factory.mktemp("reference")
    summary = generate(config(), out, workers=1, progress=False)
    assert (summary.images, summary.identities, summary.shards, summary.rendered) == (8, 4, 4, 8)
    return out


def test_dataset_reads_back_with_webdataset(reference):
    manifest = load_manifest(reference)
    assert manifest.complete and manifest.backend == "cpu"
    assert [e.identities for e in manifest.shards.values()] == [(0, 0), (1, 1), (2, 2), (3, 3)]
    urls = [str(reference / e.file) for e in manifest.shards.values()]
    samples = list(wds.WebDataset(urls, shardshuffle=False).decode("rgb8"))
    assert len(samples) == 8 and [s["cls"] for s in samples] == [0, 0, 1, 1, 2, 2, 3, 3]
    first = samples[0]
    assert first["png"].shape == (48, 48, 3) and first["json"]["identity"] == 0
    valid = {c["id"] for c in manifest.labels["classes"]}
    masks = [s["mask.png"][..., 0] for s in samples]
    assert set(np.unique(np.stack(masks)).tolist()) <= valid
    assert any((m > 0).sum() > 100 for m in masks)  # a face is in the picture
    assert main(["verify", str(reference)]) == 0


def test_one_and_two_workers_give_identical_bytes(reference, tmp_path):
    generate(config(), tmp_path, workers=2, progress=False)
    assert tree_bytes(tmp_path) == tree_bytes(reference)


def test_a_second_run_renders_nothing(reference, tmp_path):
    generate(config(), tmp_path, workers=1, progress=False)
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "shards").iterdir()}
    summary = generate(config(), tmp_path, workers=1, progress=False)
    assert summary.rendered == 0
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "shards").iterdir()} == stamps


def test_different_config_is_refused_unless_overwrite(reference, tmp_path):
    generate(config(), tmp_path, workers=1, progress=False)
    with pytest.raises(MorphgenError, match="different config.*--overwrite"):
        generate(config(seed=8), tmp_path, workers=1, progress=False)
    assert tree_bytes(tmp_path) == tree_bytes(reference)  # untouched
    generate(config(seed=8), tmp_path, workers=1, overwrite=True, progress=False)
    assert load_manifest(tmp_path).seed == 8
    assert tree_bytes(tmp_path) != tree_bytes(reference)


def test_full_disk_stops_cleanly_and_resume_finishes(reference, tmp_path, monkeypatch, capsys):
    real_fsync = os.fsync
    calls = {"n": 0}

    def fsync_until_full(fd):
        calls["n"] += 1
        if calls["n"] > 5:  # shard, dir, manifest, dir ... then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync_until_full)
    args = ["generate", "--config", str(write_config(tmp_path)), "--out", str(tmp_path / "d")]
    assert main([*args, "--workers", "1", "--quiet"]) == 2
    assert "the disk is full" in capsys.readouterr().err
    monkeypatch.undo()
    out = tmp_path / "d"
    manifest = load_manifest(out)
    assert 0 < len(manifest.shards) < 4
    assert not [p for p in out.rglob("*") if atomic.is_temp(p)]
    for entry in manifest.shards.values():
        assert sha256_file(out / entry.file) == entry.sha256
    generate(config(), out, workers=1, progress=False)
    assert tree_bytes(out) == tree_bytes(reference)


def test_kill_9_and_resume_equals_uninterrupted_run(reference, tmp_path):
    config_file = write_config(tmp_path)
    out = tmp_path / "d"
    proc = start_run(config_file, out, workers=1)
    wait_for_shards(proc, out, 1)
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, as a power loss would
    proc.wait()
    finished = load_manifest(out).shards
    assert 1 <= len(finished) < 4, "the run finished before it could be killed"
    stamps = {e.file: (out / e.file).stat().st_mtime_ns for e in finished.values()}
    rerun = start_run(config_file, out, workers=1)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    assert {f: (out / f).stat().st_mtime_ns for f in stamps} == stamps  # not redone
    assert not [p for p in out.rglob("*") if atomic.is_temp(p)]
    assert tree_bytes(out) == tree_bytes(reference)


@pytest.mark.parametrize("fmt", ["hdf5", "folders"])
def test_other_formats_generate_verify_and_read_back(tmp_path, fmt):
    import h5py

    output = {**CONFIG["output"], "format": fmt, "depth": "npy", "extras": ["normals"]}
    generate(config(output=output), tmp_path, workers=1, progress=False)
    assert main(["verify", str(tmp_path)]) == 0
    samples = list(open_dataset(tmp_path))
    assert [s["identity"] for s in samples] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert samples[0]["depth"].dtype == np.float32 and samples[0]["depth"].max() > 0
    if fmt == "hdf5":
        with h5py.File(tmp_path / "shards" / "morphgen-000001.h5") as f:
            assert f["image"].shape == (2, 48, 48, 3) and list(f["identity"]) == [1, 1]
            assert f["extras/normals"].shape == (2, 48, 48, 3)
    else:
        ids = sorted(p.name for p in (tmp_path / "images").iterdir())
        assert ids == ["id000000", "id000001", "id000002", "id000003"]


def test_manifest_config_renders_the_same_dataset(reference, tmp_path):
    manifest = json.loads((reference / "manifest.json").read_text())
    saved = tmp_path / "from_manifest.yaml"
    saved.write_text(json.dumps(manifest["config"]))
    args = ["generate", "--config", str(saved), "--out", str(tmp_path / "d"), "--workers", "1"]
    assert main([*args, "--quiet"]) == 0
    assert tree_bytes(tmp_path / "d") == tree_bytes(reference)


def test_a_second_run_into_the_same_directory_is_refused(tmp_path):
    from morphgen.run.generate import directory_lock

    with directory_lock(tmp_path), pytest.raises(MorphgenError, match="another morphgen"):
        generate(config(), tmp_path, workers=1, progress=False)
    assert not (tmp_path / ".morphgen.lock").exists()


def test_a_directory_with_foreign_dataset_parts_is_not_touched(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "mine.png").write_bytes(b"user data")
    with pytest.raises(MorphgenError, match="no manifest.json but holds images"):
        generate(config(), tmp_path, workers=1, progress=False)
    assert (tmp_path / "images" / "mine.png").read_bytes() == b"user data"


def test_a_killed_worker_ends_the_run_with_a_message_and_resume_finishes(reference, tmp_path):
    config_file = write_config(tmp_path)
    out = tmp_path / "d"
    proc = start_run(config_file, out, workers=2)
    wait_for_shards(proc, out, 1)
    workers = local_workers(proc.pid)
    workers[0].kill()  # as the out-of-memory killer would
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before a worker could be killed")
    assert proc.returncode == 2 and "a worker process died" in err.decode(), err.decode()
    rerun = start_run(config_file, out, workers=1)
    assert rerun.wait(timeout=300) == 0
    assert tree_bytes(out) == tree_bytes(reference)
