"""The small config and helpers shared by the generate tests."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

from morphgen.config import Config, parse_config
from morphgen.io.manifest import load_manifest

# 4 identities x 2 images of 48 px on the default model, 2 images per shard.
CONFIG = {
    "seed": 7,
    "identities": {"count": 4, "images_per_identity": 2},
    "camera": {"width": 48, "height": 48},
    "render": {"backend": "cpu"},
    "output": {"samples_per_shard": 2, "labels": "celebamask"},
}


def config(**changes) -> Config:
    """CONFIG with top-level keys replaced."""
    data = json.loads(json.dumps(CONFIG))
    data.update(changes)
    return parse_config(data)


def write_config(directory: Path) -> Path:
    """CONFIG as a YAML file in ``directory``."""
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    return path


def tree_bytes(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` by relative path."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def start_run(config: Path, out: Path, workers: int) -> subprocess.Popen:
    """``morphgen generate`` in a new session (so a signal can reach it and its workers)."""
    cmd = [sys.executable, "-m", "morphgen.cli", "generate", "--config", str(config)]
    cmd += ["--out", str(out), "--workers", str(workers), "--quiet"]
    return subprocess.Popen(
        cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def wait_for_shards(proc: subprocess.Popen, out: Path, count: int) -> None:
    """Wait until the manifest lists ``count`` shards (fail if the run ends first)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        manifest = load_manifest(out) if (out / "manifest.json").is_file() else None
        if manifest is not None and len(manifest.shards) >= count:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.005)
    raise AssertionError("no shard finished in time")
