"""What a shard format is: its file names, the folders it writes, its writer and its reader."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from morphgen.clock import StageClock
from morphgen.config.schema import Output
from morphgen.io.members import SampleRecord


@dataclass(frozen=True)
class ShardFormat:
    """One output format. Paths are relative to the dataset directory."""

    name: str
    shard_dir: str  # the folder holding its shard files (what verify scans)
    parts: tuple[str, ...]  # every top-level folder it writes (what --overwrite removes)
    shard_file: Callable[[int], str]  # shard index -> its file (the manifest's ``file``)
    # (dataset, shard file, samples read once in order, output, clock); encoding is timed
    # as stage "encode"
    write: Callable[[Path, Path, Iterable[Any], Output, StageClock], None]
    read: Callable[[Path, Path], Iterator[SampleRecord]]  # (dataset, shard file) -> its samples
