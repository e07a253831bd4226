"""A worker loads only what rendering and writing its format need (each import costs memory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

CODE = """
import json, sys, tempfile
from morphgen.config import parse_config
from morphgen.run.job import JobSpec, run_shard
config = parse_config({"identities": {"count": 1, "images_per_identity": 2},
                       "camera": {"width": 32, "height": 32}, "output": {"format": "webdataset"},
                       "model": {"path": sys.argv[1] if len(sys.argv) > 1 else None}})
run_shard(JobSpec(config, tempfile.mkdtemp(), "cpu"), 0)
print(json.dumps(sorted(sys.modules)))
"""
# what only other formats, model files not yet cached, configs on disk or the parent need
# (textures use scipy.ndimage, which loads scipy.sparse and scipy.special, so those are not
# listed)
PARENT_ONLY = ("h5py", "scipy.stats", "dask", "distributed")


# what only textures need (their set-up, once per model): a model without UVs has none, so
# its workers never load them. Hair fits each head without scipy.spatial's k-d tree.
TEXTURES_ONLY = ("scipy.ndimage", "scipy.sparse.csgraph", "scipy.spatial")


def _worker_modules(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """Modules loaded by a process that ran one webdataset shard (of the model in ``args``)."""
    # the model comes from this machine's shared cache (filled by the first run)
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", CODE, *args], capture_output=True, text=True, env=env
        )
        assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_a_webdataset_worker_never_imports_what_it_does_not_use() -> None:
    loaded = _worker_modules()
    assert not loaded & set(PARENT_ONLY), sorted(loaded & set(PARENT_ONLY))
    assert set(TEXTURES_ONLY) <= loaded  # the default model is textured: the check can fail


def test_a_worker_of_a_model_without_uvs_never_imports_texture_code(tmp_path) -> None:
    from morphgen.model.statismo import write_statismo
    from morphgen.model.synthetic import synthetic_model

    path = tmp_path / "no-uv.h5"
    write_statismo(synthetic_model(n_lat=24, n_lon=40, components=(5, 4, 3)), path)
    env = {**os.environ, "MORPHGEN_CACHE": str(tmp_path / "cache")}
    loaded = _worker_modules(str(path), env=env)
    assert not loaded & set(PARENT_ONLY + TEXTURES_ONLY), sorted(loaded & set(TEXTURES_ONLY))


def test_the_fork_servers_preload_holds_nothing_a_worker_may_not_need() -> None:
    """Local workers fork from a server that imported ``run.preload``: it holds only what
    every worker loads (no parent-only or texture-only module)."""
    code = "import json, sys, morphgen.run.preload; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout))
    assert "morphgen.render.cpu_backend" in loaded  # the check can fail
    unwanted = loaded & set(PARENT_ONLY + TEXTURES_ONLY)
    assert not unwanted, sorted(unwanted)
