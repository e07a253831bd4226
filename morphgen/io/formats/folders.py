"""Identity folders: ``DIR/images/<identity>/<key>.png`` (ImageFolder layout), labels beside.

Masks, depth, extras and metadata live in parallel trees (``DIR/masks/...``,
``DIR/depth/...``, ``DIR/metadata/...``) with the same relative paths, so that an
ImageFolder-style loader pointed at ``DIR/images`` sees only the images. A shard is a
group of samples; its index file ``DIR/index/shard-%06d.json`` lists every file it wrote
with its sha256 and is written last, so an index exists only for a finished shard.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from morphgen.clock import NO_CLOCK, StageClock
from morphgen.config.schema import Output
from morphgen.io.atomic import write_bytes
from morphgen.io.encode import encode_json
from morphgen.io.formats.registry import ShardFormat
from morphgen.io.layout import identity_dir, sample_key
from morphgen.io.members import (
    Member,
    SampleRecord,
    decode_member,
    encode_sample,
    member_suffix,
    new_sample,
)
from morphgen.io.paths import dataset_path

FOLDERS = {"image": "images", "mask": "masks", "depth": "depth", "json": "metadata"}
_FOLDER_KINDS = {folder: kind for kind, folder in FOLDERS.items()}


def member_path(member: Member, identity: int, key: str) -> str:
    """The path of a member relative to the dataset directory."""
    folder = FOLDERS.get(member.kind, member.kind)
    return f"{folder}/{identity_dir(identity)}/{key}.{member.ext}"


def write_folders(
    out_dir: Path,
    index_path: Path,
    samples: Iterable[Any],
    options: Output,
    clock: StageClock = NO_CLOCK,
) -> None:
    """Write every sample's files under ``out_dir``, then the shard's index file."""
    files: dict[str, str] = {}
    keys = []
    for sample in samples:
        identity = int(sample.params.identity)
        key = sample_key(identity, sample.params.sample)
        keys.append(key)
        with clock.stage("encode"):
            members = encode_sample(sample, options)
        for member in members:
            if member.kind == "cls":
                continue
            rel = member_path(member, identity, key)
            write_bytes(out_dir / rel, member.data)
            files[rel] = hashlib.sha256(member.data).hexdigest()
    write_bytes(index_path, encode_json({"keys": keys, "files": files}))


def read_folders(out_dir: Path, index_path: Path) -> Iterator[SampleRecord]:
    """Samples of one shard of the identity-folders layout, from its index file."""
    index = json.loads(Path(index_path).read_text())
    by_key: dict[str, list[str]] = {}
    for rel in index["files"]:
        by_key.setdefault(Path(rel).stem, []).append(rel)
    for key in index["keys"]:
        sample = new_sample(key)
        for rel in by_key.get(key, []):
            folder = rel.split("/", 1)[0]
            suffix = member_suffix(_FOLDER_KINDS.get(folder, folder), rel.rsplit(".", 1)[1])
            decode_member(sample, suffix, dataset_path(out_dir, rel).read_bytes())
        yield sample


FORMAT = ShardFormat(
    name="folders",
    shard_dir="index",
    parts=("index", *FOLDERS.values()),
    shard_file=lambda index: f"index/shard-{index:06d}.json",
    write=write_folders,
    read=read_folders,
)
