"""Ctrl-C stops every worker at once and leaves no shard under a final name that is unlisted."""

from __future__ import annotations

import os
import signal
import time

import psutil
import yaml
from generate_config import CONFIG, start_run, wait_for_shards

from morphgen.bench.pool import local_workers
from morphgen.hashing import sha256_file
from morphgen.io import atomic
from morphgen.io.manifest import load_manifest
from morphgen.io.readers import read_shard

# Shards that take a while each, so that the workers are mid-shard when Ctrl-C comes.
SLOW_SHARDS = {
    **CONFIG,
    "identities": {"count": 48, "images_per_identity": 6},
    "output": {**CONFIG["output"], "samples_per_shard": 6},
}


def test_ctrl_c_stops_the_workers_within_a_second(tmp_path):
    """Exit 130, no traceback, no temp file; every shard file is listed, whole and its own."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(SLOW_SHARDS))
    out = tmp_path / "d"
    proc = start_run(cfg, out, workers=2)
    wait_for_shards(proc, out, 1)
    workers = local_workers(proc.pid)
    assert len(workers) == 2
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.monotonic()
    _, still = psutil.wait_procs(workers, timeout=10)  # unfixed, they render on
    stopped_after = time.monotonic() - sent
    assert not still and stopped_after < 3.0, f"workers ran on {stopped_after:.1f} s"
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "Traceback" not in err.decode()
    assert not [p for p in out.rglob("*") if atomic.is_temp(p)]
    before = sorted((out / "shards").iterdir())
    time.sleep(0.5)
    assert sorted((out / "shards").iterdir()) == before  # nobody is writing any more
    manifest = load_manifest(out)
    listed = {out / e.file for e in manifest.shards.values()}
    assert set(before) == listed and len(listed) < 12
    for entry in manifest.shards.values():
        assert sha256_file(out / entry.file) == entry.sha256
        assert len(list(read_shard("webdataset", out, out / entry.file))) == entry.samples == 6
