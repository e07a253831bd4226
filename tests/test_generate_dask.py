"""A Dask LocalCluster of 2 worker processes writes the same bytes as a local run."""

from __future__ import annotations

import shutil
from pathlib import Path

from generate_config import config, tree_bytes

from morphgen.io.manifest import load_manifest, save_manifest
from morphgen.run.generate import generate


def test_dask_local_cluster_matches_local_run_and_resumes(tmp_path: Path):
    local = tmp_path / "local"
    generate(config(), local, workers=1, progress=False)
    # the cluster resumes a run that finished shard 0 only
    dask = tmp_path / "dask"
    shutil.copytree(local, dask)
    manifest = load_manifest(dask)
    for index in (1, 2, 3):
        (dask / manifest.shards.pop(index).file).unlink()
    save_manifest(dask, manifest)
    kept = dask / manifest.shards[0].file
    stamp = kept.stat().st_mtime_ns
    summary = generate(config(), dask, workers=2, executor="dask", progress=False)
    assert summary.rendered == 6
    assert kept.stat().st_mtime_ns == stamp
    assert tree_bytes(dask) == tree_bytes(local)
