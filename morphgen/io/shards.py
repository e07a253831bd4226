"""One finished shard: write it in the configured format and describe it for the manifest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from morphgen.io.atomic import sha256_file
from morphgen.io.folder_writer import write_folders
from morphgen.io.hdf5_writer import write_hdf5
from morphgen.io.options import OutputOptions
from morphgen.io.webdataset_writer import write_tar


@dataclass(frozen=True)
class ShardEntry:
    """The manifest's record of a finished shard (``file`` is relative to the dataset)."""

    index: int
    file: str
    samples: int
    identities: tuple[int, int]  # first and last identity in the shard
    sha256: str
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["identities"] = list(self.identities)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ShardEntry:
        return cls(
            index=int(d["index"]),
            file=str(d["file"]),
            samples=int(d["samples"]),
            identities=(int(d["identities"][0]), int(d["identities"][1])),
            sha256=str(d["sha256"]),
            bytes=int(d["bytes"]),
        )


def shard_file(fmt: str, index: int) -> str:
    """The path of shard ``index`` relative to the dataset (the index file for folders)."""
    if fmt == "webdataset":
        return f"shards/morphgen-{index:06d}.tar"
    if fmt == "hdf5":
        return f"shards/morphgen-{index:06d}.h5"
    return f"index/shard-{index:06d}.json"


def write_shard(
    out_dir: Path, index: int, samples: Sequence[Any], options: OutputOptions
) -> ShardEntry:
    """Write shard ``index`` of ``samples`` under ``out_dir``; its manifest entry."""
    rel = shard_file(options.format, index)
    path = out_dir / rel
    if options.format == "webdataset":
        write_tar(path, samples, options)
    elif options.format == "hdf5":
        write_hdf5(path, samples, options)
    else:
        write_folders(out_dir, path, samples, options)
    identities = [int(s.params.identity) for s in samples]
    return ShardEntry(
        index=index,
        file=rel,
        samples=len(samples),
        identities=(min(identities), max(identities)),
        sha256=sha256_file(path),
        bytes=path.stat().st_size,
    )
