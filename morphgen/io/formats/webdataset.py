"""WebDataset tar shards: each sample's members consecutive under its key, fixed tar headers.

Every header field that could differ between runs (mtime, owner, mode) is fixed and
members come in plan order, so the same samples always give byte-identical shards.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from morphgen.clock import NO_CLOCK, StageClock
from morphgen.config.schema import Output
from morphgen.io.atomic import atomic_file
from morphgen.io.formats.registry import ShardFormat
from morphgen.io.layout import sample_key, shard_stem
from morphgen.io.members import SampleRecord, decode_member, encode_sample, new_sample

_MTIME = 0


def _member_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = _MTIME
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_tar(
    out_dir: Path, path: Path, samples: Iterable[Any], options: Output, clock: StageClock = NO_CLOCK
) -> None:
    """Write ``samples`` as one WebDataset shard at ``path`` (atomically)."""
    with (
        atomic_file(path) as fh,
        tarfile.open(fileobj=fh, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        for sample in samples:
            key = sample_key(sample.params.identity, sample.params.sample)
            with clock.stage("encode"):
                members = encode_sample(sample, options)
            for member in members:
                name = f"{key}.{member.suffix}"
                tar.addfile(_member_info(name, len(member.data)), io.BytesIO(member.data))


def read_tar(out_dir: Path, path: Path) -> Iterator[SampleRecord]:
    """Samples of a WebDataset shard, in order."""
    current: SampleRecord | None = None
    with tarfile.open(path, "r") as tar:
        for info in tar:
            if not info.isfile():
                continue
            key, _, suffix = info.name.partition(".")
            if current is None or current["key"] != key:
                if current is not None:
                    yield current
                current = new_sample(key)
            decode_member(current, suffix, tar.extractfile(info).read())
    if current is not None:
        yield current


FORMAT = ShardFormat(
    name="webdataset",
    shard_dir="shards",
    parts=("shards",),
    shard_file=lambda index: f"shards/{shard_stem(index)}.tar",
    write=write_tar,
    read=read_tar,
)
