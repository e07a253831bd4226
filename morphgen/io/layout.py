"""A dataset directory's layout: the names of its manifest, lock, preview and sample keys.

Each format (``io/formats/``) names its own shard files and the folders it writes; this
module holds what every dataset shares.
"""

from __future__ import annotations

import re

MANIFEST = "manifest.json"
LOCK = ".morphgen.lock"
PREVIEW = "preview.png"
_KEY = re.compile(r"^id(\d+)_s(\d+)$")


def shard_stem(index: int) -> str:
    """The name of shard ``index`` without folder or extension."""
    return f"morphgen-{index:06d}"


def sample_key(identity: int, sample: int) -> str:
    """A sample's key: no dots, so WebDataset groups its members correctly."""
    return f"id{identity:06d}_s{sample:04d}"


def parse_key(key: str) -> tuple[int, int]:
    """(identity, sample) from a key such as ``id000012_s0003`` (``sample_key``'s inverse)."""
    match = _KEY.match(key)
    if not match:
        raise ValueError(f"not a morphgen sample key: {key!r}")
    return int(match.group(1)), int(match.group(2))


def identity_dir(identity: int) -> str:
    """The folder name of an identity (sorts in identity order)."""
    return f"id{identity:06d}"
