"""One finished shard: written in its format (``io/formats``), described for the manifest."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from morphgen.clock import NO_CLOCK, StageClock
from morphgen.config.schema import Output
from morphgen.hashing import sha256_file
from morphgen.io.formats import get_format


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


def write_shard(
    out_dir: Path,
    index: int,
    samples: Iterable[Any],
    options: Output,
    clock: StageClock = NO_CLOCK,
) -> ShardEntry:
    """Write shard ``index`` of ``samples`` under ``out_dir``; its manifest entry.

    ``samples`` is read once, in order (it may render each sample on demand).
    """
    fmt = get_format(options.format)
    rel = fmt.shard_file(index)
    path = out_dir / rel
    identities: list[int] = []

    def noted() -> Iterator[Any]:
        for sample in samples:
            identities.append(int(sample.params.identity))
            yield sample

    fmt.write(out_dir, path, noted(), options, clock)
    return ShardEntry(
        index=index,
        file=rel,
        samples=len(identities),
        identities=(min(identities), max(identities)),
        sha256=sha256_file(path),
        bytes=path.stat().st_size,
    )
