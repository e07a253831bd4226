"""Is a listed shard still what the manifest recorded? Checked on every resume and by verify.

A shard is intact when its file has the recorded size and sha256 and, for identity
folders, every file its index lists exists with the index's sha256. A path a manifest or
index names is used only when it stays inside the dataset directory and passes through
no symbolic link (``dataset_path``): a manifest is data, and may have been edited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from morphgen.hashing import sha256_file
from morphgen.io.formats import get_format
from morphgen.io.paths import OutsidePath, dataset_path
from morphgen.io.shards import ShardEntry


def index_files(index_path: Path) -> dict[str, str]:
    """The files (relative path to sha256) an identity-folders index lists."""
    files = json.loads(index_path.read_text())["files"]
    if not isinstance(files, dict):
        raise ValueError("'files' is not a mapping")
    return {str(rel): str(digest) for rel, digest in files.items()}


def folder_file_problems(root: Path, index_path: Path) -> Iterator[str]:
    """Problems with the files one identity-folders shard lists in its index."""
    for rel, digest in index_files(index_path).items():
        try:
            path = dataset_path(root, rel)
        except OutsidePath as exc:
            yield str(exc)
            continue
        if not path.is_file():
            yield f"{rel}: missing"
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            yield f"{rel}: sha256 differs from the shard index"


def shard_damage(root: Path, entry: ShardEntry, fmt: str) -> str | None:
    """Why the shard of ``entry`` under ``root`` is not as recorded; None when it is intact."""
    expected = get_format(fmt).shard_file(entry.index)
    if entry.file != expected:
        return f"listed for shard {entry.index}, whose file is {expected}"
    try:
        path = dataset_path(root, entry.file)
    except OutsidePath as exc:
        return str(exc).removeprefix(f"{entry.file}: ")
    if not path.is_file():
        return "missing"
    if path.stat().st_size != entry.bytes:
        return f"{path.stat().st_size} bytes, the manifest says {entry.bytes}"
    if sha256_file(path) != entry.sha256:
        return "sha256 differs from the manifest"
    if fmt == "folders":
        try:
            return next(folder_file_problems(root, path), None)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"unreadable index ({exc})"
    return None
