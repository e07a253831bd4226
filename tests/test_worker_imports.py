"""A worker loads only what rendering and writing its format need (each import costs memory)."""

from __future__ import annotations

import json
import subprocess
import sys

CODE = """
import json, sys, tempfile
from morphgen.config import parse_config
from morphgen.run.job import JobSpec, run_shard
config = parse_config({"identities": {"count": 1, "images_per_identity": 2},
                       "camera": {"width": 32, "height": 32}, "output": {"format": "webdataset"}})
run_shard(JobSpec(config, tempfile.mkdtemp(), "cpu"), 0)
print(json.dumps(sorted(sys.modules)))
"""
# what only other formats, model files not yet cached, configs on disk or the parent need
# (textures use scipy.ndimage and hair growth scipy.spatial's KD-tree, once per identity,
# which load scipy.sparse and scipy.special, so those are not listed)
PARENT_ONLY = ("h5py", "scipy.stats", "dask", "distributed")


def test_a_webdataset_worker_never_imports_what_it_does_not_use() -> None:
    # the model comes from this machine's shared cache (filled by the first run)
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not loaded & set(PARENT_ONLY), sorted(loaded & set(PARENT_ONLY))
