"""Identity folders: ``DIR/images/<identity>/<key>.png`` (ImageFolder layout), labels beside.

Masks, depth, extras and metadata live in parallel trees (``DIR/masks/...``,
``DIR/depth/...``, ``DIR/metadata/...``) with the same relative paths, so that an
ImageFolder-style loader pointed at ``DIR/images`` sees only the images. A shard is a
group of samples; its index file ``DIR/index/shard-%06d.json`` lists every file it wrote
with its sha256 and is written last, so an index exists only for a finished shard.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from morphgen.io.atomic import write_bytes
from morphgen.io.encode import encode_json
from morphgen.io.options import Member, OutputOptions, encode_sample, identity_dir, sample_key

FOLDERS = {"image": "images", "mask": "masks", "depth": "depth", "json": "metadata"}


def member_path(member: Member, identity: int, key: str) -> str:
    """The path of a member relative to the dataset directory."""
    folder = FOLDERS.get(member.kind, member.kind)
    return f"{folder}/{identity_dir(identity)}/{key}.{member.ext}"


def write_folders(
    out_dir: Path, index_path: Path, samples: Sequence[Any], options: OutputOptions
) -> None:
    """Write every sample's files under ``out_dir``, then the shard's index file."""
    files: dict[str, str] = {}
    keys = []
    for sample in samples:
        identity = int(sample.params.identity)
        key = sample_key(identity, sample.params.sample)
        keys.append(key)
        for member in encode_sample(sample, options):
            if member.kind == "cls":
                continue
            rel = member_path(member, identity, key)
            write_bytes(out_dir / rel, member.data)
            files[rel] = hashlib.sha256(member.data).hexdigest()
    write_bytes(index_path, encode_json({"keys": keys, "files": files}))
