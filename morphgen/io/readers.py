"""Read a morphgen dataset back, whatever its format, as one dict per sample.

A sample dict has ``key``, ``identity``, ``sample``, ``rgb`` (H, W, 3) uint8, ``mask``
(H, W) uint8 or None, ``depth`` (H, W) float32 mm or None, ``metadata`` (dict), and
``extras`` (name -> uint8 image). For training, read WebDataset shards with the
``webdataset`` library and HDF5 shards with h5py directly (see the README).
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py

from morphgen.errors import MorphgenError
from morphgen.io.encode import decode_depth_png16, decode_image, decode_npy
from morphgen.io.folder_writer import FOLDERS
from morphgen.io.integrity import dataset_path
from morphgen.io.manifest import Manifest, load_manifest
from morphgen.io.options import member_suffix
from morphgen.io.shards import ShardEntry

Sample = dict[str, Any]
_KEY = re.compile(r"^id(\d+)_s(\d+)$")
_FOLDER_KINDS = {folder: kind for kind, folder in FOLDERS.items()}


def parse_key(key: str) -> tuple[int, int]:
    """(identity, sample) from a sample key such as ``id000012_s0003``."""
    match = _KEY.match(key)
    if not match:
        raise ValueError(f"not a morphgen sample key: {key!r}")
    return int(match.group(1)), int(match.group(2))


def _new_sample(key: str) -> Sample:
    identity, index = parse_key(key)
    return {
        "key": key,
        "identity": identity,
        "sample": index,
        "rgb": None,
        "mask": None,
        "depth": None,
        "metadata": None,
        "extras": {},
    }


def _decode_member(sample: Sample, suffix: str, data: bytes) -> None:
    """Decode one member (``png``, ``mask.png``, ``depth.npy``, ``json``...) into ``sample``."""
    kind, _, ext = suffix.rpartition(".")
    if not kind and ext in ("png", "jpg"):
        sample["rgb"] = decode_image(data)
    elif kind == "mask":
        sample["mask"] = decode_image(data)
    elif kind == "depth":
        sample["depth"] = decode_depth_png16(data) if ext == "png" else decode_npy(data)
    elif ext == "json":
        sample["metadata"] = json.loads(data)
    elif ext == "cls":
        sample["cls"] = int(data)
    elif kind:
        sample["extras"][kind] = decode_image(data)


def read_tar(path: Path) -> Iterator[Sample]:
    """Samples of a WebDataset shard, in order."""
    current: Sample | None = None
    with tarfile.open(path, "r") as tar:
        for info in tar:
            if not info.isfile():
                continue
            key, _, suffix = info.name.partition(".")
            if current is None or current["key"] != key:
                if current is not None:
                    yield current
                current = _new_sample(key)
            _decode_member(current, suffix, tar.extractfile(info).read())
    if current is not None:
        yield current


def read_hdf5(path: Path) -> Iterator[Sample]:
    """Samples of an HDF5 shard, in order."""
    with h5py.File(path, "r") as f:
        keys = [k.decode() if isinstance(k, bytes) else str(k) for k in f["key"][()]]
        extras = list(f["extras"]) if "extras" in f else []
        for n, key in enumerate(keys):
            sample = _new_sample(key)
            sample["rgb"] = f["image"][n]
            sample["mask"] = f["mask"][n] if "mask" in f else None
            sample["depth"] = f["depth"][n] if "depth" in f else None
            sample["metadata"] = json.loads(f["metadata"][n])
            sample["cls"] = int(f["identity"][n])
            sample["extras"] = {name: f["extras"][name][n] for name in extras}
            yield sample


def read_folders(out_dir: Path, index_path: Path) -> Iterator[Sample]:
    """Samples of one shard of the identity-folders layout, from its index file."""
    index = json.loads(Path(index_path).read_text())
    by_key: dict[str, list[str]] = {}
    for rel in index["files"]:
        by_key.setdefault(Path(rel).stem, []).append(rel)
    for key in index["keys"]:
        sample = _new_sample(key)
        for rel in by_key.get(key, []):
            folder = rel.split("/", 1)[0]
            suffix = member_suffix(_FOLDER_KINDS.get(folder, folder), rel.rsplit(".", 1)[1])
            _decode_member(sample, suffix, dataset_path(out_dir, rel).read_bytes())
        yield sample


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

    def shard_samples(self, entry: ShardEntry) -> Iterator[Sample]:
        """The samples of one shard (``OutsidePath`` when the manifest names a path outside)."""
        path = dataset_path(self.directory, entry.file)
        if self.manifest.format == "webdataset":
            return read_tar(path)
        if self.manifest.format == "hdf5":
            return read_hdf5(path)
        return read_folders(self.directory, path)

    def __iter__(self) -> Iterator[Sample]:
        for entry in self.shards:
            yield from self.shard_samples(entry)

    def __len__(self) -> int:
        return sum(entry.samples for entry in self.shards)


def open_dataset(directory: str | Path) -> Dataset:
    """Open a dataset directory written by ``morphgen generate``."""
    return Dataset(directory)
