"""Check a dataset against its manifest and say exactly what is wrong.

Per shard: the file exists, its size and sha256 match, it reads, it holds the listed
number of samples of the listed identities, each sample has its image (and mask/depth
when the config asked for them), masks hold only ids of the dataset's label set, and the
metadata is complete and agrees with the sample's key. For identity folders, every file
in the shard's index is checked against its own sha256 too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from morphgen.hashing import sha256_file
from morphgen.io.atomic import is_temp
from morphgen.io.formats import get_format
from morphgen.io.integrity import folder_file_problems
from morphgen.io.lock import run_in_progress
from morphgen.io.paths import OutsidePath, dataset_path
from morphgen.io.readers import Dataset
from morphgen.io.shards import ShardEntry
from morphgen.progress import progress

# Metadata every sample carries: enough to re-render it exactly (landmarks when configured).
REQUIRED_METADATA = ("identity", "sample", "params", "camera", "backend")


def _sample_problems(sample: dict[str, Any], valid: np.ndarray, config: dict) -> Iterator[str]:
    key = sample["key"]
    output = config.get("output", {})
    if sample["rgb"] is None:
        yield f"{key}: no image"
    if output.get("mask", True):
        mask = sample["mask"]
        if mask is None:
            yield f"{key}: no mask"
        else:
            bad = sorted(set(np.unique(mask).tolist()) - set(valid.tolist()))
            if bad:
                yield f"{key}: mask holds ids {bad} outside the label set"
    if output.get("depth", "none") != "none" and sample["depth"] is None:
        yield f"{key}: no depth"
    meta = sample["metadata"]
    if not isinstance(meta, dict):
        yield f"{key}: no metadata"
        return
    required = REQUIRED_METADATA + (("landmarks",) if output.get("landmarks", True) else ())
    missing = [name for name in required if name not in meta]
    if missing:
        yield f"{key}: metadata lacks {', '.join(missing)}"
    if (meta.get("identity"), meta.get("sample")) != (sample["identity"], sample["sample"]):
        yield (f"{key}: metadata says identity {meta.get('identity')} sample {meta.get('sample')}")


def shard_problems(ds: Dataset, entry: ShardEntry) -> Iterator[str]:
    """Every problem of one shard, each prefixed with its file."""
    try:
        path = dataset_path(ds.directory, entry.file)
    except OutsidePath as exc:
        yield f"{exc}; not read"
        return
    if not path.is_file():
        yield f"{entry.file}: missing"
        return
    size = path.stat().st_size
    if size != entry.bytes:
        yield f"{entry.file}: {size} bytes, the manifest says {entry.bytes}"
    digest = sha256_file(path)
    if digest != entry.sha256:
        yield f"{entry.file}: sha256 {digest[:12]}..., the manifest says {entry.sha256[:12]}..."
    valid = np.array([c["id"] for c in ds.manifest.labels.get("classes", [])])
    try:
        if ds.manifest.format == "folders":
            yield from (f"{entry.file}: {p}" for p in folder_file_problems(ds.directory, path))
        count = 0
        identities = []
        for sample in ds.shard_samples(entry):
            count += 1
            identities.append(sample["identity"])
            yield from (
                f"{entry.file}: {p}" for p in _sample_problems(sample, valid, ds.manifest.config)
            )
    except Exception as exc:  # any decoding failure is a finding, not a crash
        yield f"{entry.file}: unreadable ({type(exc).__name__}: {exc})"
        return
    if count != entry.samples:
        yield f"{entry.file}: {count} samples, the manifest says {entry.samples}"
    if identities and (min(identities), max(identities)) != tuple(entry.identities):
        yield (
            f"{entry.file}: identities {min(identities)}-{max(identities)}, the manifest says "
            f"{entry.identities[0]}-{entry.identities[1]}"
        )


def dataset_problems(ds: Dataset) -> Iterator[str]:
    """Every problem of a dataset: unfinished or unlisted shards, then each shard's."""
    planned = ds.manifest.plan["shards"]
    live = run_in_progress(ds.directory)
    if not ds.manifest.complete:
        missing = planned - len(ds.manifest.shards)
        todo = "a generate run is writing them now" if live else "run generate again"
        yield f"manifest: {missing} of {planned} shards unfinished ({todo})"
    listed = {entry.file for entry in ds.shards}
    shard_dir = ds.directory / get_format(ds.manifest.format).shard_dir
    if shard_dir.is_dir():
        for path in sorted(shard_dir.iterdir()):
            rel = path.relative_to(ds.directory).as_posix()
            if is_temp(path):
                run = "the run in progress" if live else "an interrupted run"
                yield f"{rel}: temp file of {run}"
            elif rel not in listed:
                yield f"{rel}: not in the manifest"
    for entry in progress(ds.shards, "verify", unit="shard"):
        yield from shard_problems(ds, entry)
