"""Read a morphgen dataset back, whatever its format, as one dict per sample.

A sample dict is described in ``io/members.py``. For training, read WebDataset shards
with the ``webdataset`` library and HDF5 shards with h5py directly (see the README).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from morphgen.errors import MorphgenError
from morphgen.io.formats import get_format
from morphgen.io.manifest import Manifest, load_manifest
from morphgen.io.members import SampleRecord
from morphgen.io.paths import dataset_path
from morphgen.io.shards import ShardEntry


def read_shard(fmt: str, directory: Path, path: Path) -> Iterator[SampleRecord]:
    """The samples of one shard file of format ``fmt`` in dataset ``directory``."""
    return get_format(fmt).read(directory, path)


class Dataset:
    """A morphgen dataset directory: its manifest and its finished shards' samples."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        manifest = load_manifest(self.directory)
        if manifest is None:
            raise MorphgenError(f"{self.directory}: no manifest.json; not a morphgen dataset")
        self.manifest: Manifest = manifest

    @property
    def shards(self) -> list[ShardEntry]:
        """Finished shards in index order."""
        return [self.manifest.shards[i] for i in sorted(self.manifest.shards)]

    def shard_samples(self, entry: ShardEntry) -> Iterator[SampleRecord]:
        """The samples of one shard (``OutsidePath`` when the manifest names a path outside)."""
        path = dataset_path(self.directory, entry.file)
        return get_format(self.manifest.format).read(self.directory, path)

    def __iter__(self) -> Iterator[SampleRecord]:
        for entry in self.shards:
            yield from self.shard_samples(entry)

    def __len__(self) -> int:
        return sum(entry.samples for entry in self.shards)


def open_dataset(directory: str | Path) -> Dataset:
    """Open a dataset directory written by ``morphgen generate``."""
    return Dataset(directory)
