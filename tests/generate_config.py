"""The small config and helpers shared by the generate tests."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from morphgen.config import Config, parse_config

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
