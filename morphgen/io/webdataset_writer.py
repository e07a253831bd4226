"""WebDataset tar shards: each sample's members consecutive under its key, fixed tar headers.

Every header field that could differ between runs (mtime, owner, mode) is fixed and
members come in plan order, so the same samples always give byte-identical shards.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from morphgen.io.atomic import atomic_file
from morphgen.io.options import OutputOptions, encode_sample, sample_key

_MTIME = 0


def _member_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = _MTIME
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_tar(path: Path, samples: Sequence[Any], options: OutputOptions) -> None:
    """Write ``samples`` as one WebDataset shard at ``path`` (atomically)."""
    with (
        atomic_file(path) as fh,
        tarfile.open(fileobj=fh, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        for sample in samples:
            key = sample_key(sample.params.identity, sample.params.sample)
            for member in encode_sample(sample, options):
                name = f"{key}.{member.suffix}"
                tar.addfile(_member_info(name, len(member.data)), io.BytesIO(member.data))
