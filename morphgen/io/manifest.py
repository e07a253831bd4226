"""``DIR/manifest.json``: what a dataset is (config, model, labels) and its finished shards.

The manifest is rewritten atomically after every finished shard; a shard is finished
exactly when it is listed here. It holds no timestamps, so the same command gives the
same manifest whatever the number of workers.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from morphgen.errors import MorphgenError
from morphgen.io.atomic import write_bytes
from morphgen.io.layout import MANIFEST
from morphgen.io.shards import ShardEntry

# Config keys that choose where rendering runs but not what it produces.
_PLACEMENT_KEYS = (("render", "backend"), ("render", "device"))


def config_hash(config: dict[str, Any], model_sha256: str, backend: str) -> str:
    """Identity of a dataset's content: config (minus device placement), model, backend."""
    content = copy.deepcopy(config)
    for section, key in _PLACEMENT_KEYS:
        if isinstance(content.get(section), dict):
            content[section].pop(key, None)
    blob = json.dumps(
        {"config": content, "model": model_sha256, "backend": backend},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def label_info(set_name: str) -> dict[str, Any]:
    """The label set a dataset's masks use: classes with colours, and absent classes."""
    from morphgen.labelsets import absent_classes, get_set

    s = get_set(set_name)
    classes = [
        {"id": cid, "name": name, "colour": list(s.colours[name])} for cid, name in s.classes
    ]
    return {"set": set_name, "classes": classes, "absent": absent_classes(set_name)}


@dataclass
class Manifest:
    """A dataset's manifest; ``shards`` maps shard index to its entry."""

    morphgen_version: str
    format: str
    config: dict[str, Any]
    config_hash: str
    seed: int
    model: dict[str, Any]  # path, sha256, name
    backend: str
    labels: dict[str, Any]
    plan: dict[str, int]  # shards, samples, identities, samples_per_shard
    shards: dict[int, ShardEntry] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Whether every planned shard is finished."""
        return len(self.shards) == self.plan["shards"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "morphgen_version": self.morphgen_version,
            "format": self.format,
            "complete": self.complete,
            "config_hash": self.config_hash,
            "seed": self.seed,
            "model": self.model,
            "backend": self.backend,
            "labels": self.labels,
            "plan": self.plan,
            "shards": [self.shards[i].to_dict() for i in sorted(self.shards)],
            "config": self.config,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Manifest:
        shards = [ShardEntry.from_dict(s) for s in d.get("shards", [])]
        return cls(
            morphgen_version=str(d["morphgen_version"]),
            format=str(d["format"]),
            config=dict(d["config"]),
            config_hash=str(d["config_hash"]),
            seed=int(d["seed"]),
            model=dict(d["model"]),
            backend=str(d["backend"]),
            labels=dict(d["labels"]),
            plan={k: int(v) for k, v in d["plan"].items()},
            shards={s.index: s for s in shards},
        )


def load_manifest(out_dir: Path) -> Manifest | None:
    """The manifest in ``out_dir``, or None when there is none."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return None
    try:
        return Manifest.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MorphgenError(f"{path}: not a readable morphgen manifest ({exc})") from None


def save_manifest(out_dir: Path, manifest: Manifest) -> None:
    """Write the manifest atomically (temp file + rename), unless the file already holds it.

    Numbers that JSON cannot hold (NaN, infinity) are an error, never written.
    """
    text = json.dumps(manifest.to_dict(), indent=1, default=str, allow_nan=False) + "\n"
    path = Path(out_dir) / MANIFEST
    with contextlib.suppress(OSError):
        if not path.is_symlink() and path.read_bytes() == text.encode():
            return  # unchanged: a complete dataset on a full disk is left as it is
    write_bytes(path, text.encode())
