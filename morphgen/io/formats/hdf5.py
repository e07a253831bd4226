"""HDF5 shards: one file per shard, one chunked, gzip-compressed dataset per output.

Layout (N samples of H x W pixels; see the README's formats section):
``image`` (N, H, W, 3) uint8, ``mask`` (N, H, W) uint8, ``depth`` (N, H, W) float32 mm,
``identity`` / ``sample`` (N,) int64, ``key`` / ``metadata`` (N,) UTF-8 strings (JSON),
``landmarks`` (N, L, 2) float32 pixels, ``landmark_visible`` (N, L) bool,
``extras/<name>`` (N, H, W, C) uint8. Object timestamps are off, so bytes are reproducible.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from morphgen.clock import NO_CLOCK, StageClock
from morphgen.config.schema import Output
from morphgen.errors import MorphgenError
from morphgen.io.atomic import write_bytes
from morphgen.io.encode import encode_json
from morphgen.io.formats.registry import ShardFormat
from morphgen.io.layout import sample_key, shard_stem
from morphgen.io.members import SampleRecord, new_sample, sample_metadata

if TYPE_CHECKING:  # h5py is imported where a shard is written or read: workers that
    import h5py  # write other formats never load it (~11 MB each)

FORMAT_TAG = "morphgen-hdf5-shard-1"


def _stack(samples: Sequence[Any], name: str, get: Any, dtype: str) -> np.ndarray:
    arrays = [np.asarray(get(s), dtype=dtype) for s in samples]
    if len({a.shape for a in arrays}) != 1:
        raise MorphgenError(
            f"output.format: hdf5 needs every image of a shard to have one size; {name} shapes "
            f"differ ({sorted({a.shape for a in arrays})}); use webdataset or folders"
        )
    return np.stack(arrays)


def _put(group: h5py.Group, name: str, data: np.ndarray) -> None:
    """A dataset chunked one sample at a time (images) or whole (vectors), compressed."""
    chunks = (1, *data.shape[1:]) if data.ndim > 1 else None
    group.create_dataset(
        name, data=data, chunks=chunks, compression="gzip", compression_opts=4, track_times=False
    )


def write_hdf5(
    out_dir: Path, path: Path, samples: Iterable[Any], options: Output, clock: StageClock = NO_CLOCK
) -> None:
    """Write ``samples`` as one HDF5 shard at ``path`` (atomically).

    The shard is built in memory (h5py's core driver, no backing store) and its bytes
    are written with one checked write: h5py reports write errors of a file on disk only
    from finalisers, where a full disk would go unnoticed and leave a corrupt shard.
    """
    import h5py

    samples = list(samples)  # every array is stacked across the shard
    memory = h5py.File(
        path.name, "w", driver="core", backing_store=False, libver=("earliest", "v110")
    )
    with memory as f:
        _fill(f, samples, options, clock)
        f.flush()
        image = f.id.get_file_image()
    write_bytes(path, image)


def _fill(f: h5py.File, samples: Sequence[Any], options: Output, clock: StageClock) -> None:
    """Every dataset of one shard, in ``f``."""
    import h5py

    text = h5py.string_dtype("utf-8")
    f.attrs["format"] = FORMAT_TAG
    f.attrs["depth_unit"] = "mm"
    _put(f, "image", _stack(samples, "image", lambda s: s.rgb, "uint8"))
    if options.mask:
        _put(f, "mask", _stack(samples, "mask", lambda s: s.mask, "uint8"))
    if options.depth != "none":
        _put(f, "depth", _stack(samples, "depth", lambda s: s.depth, "float32"))
    if options.landmarks:
        _put(f, "landmarks", _stack(samples, "landmarks", lambda s: s.landmarks, "float32"))
        visible = _stack(samples, "landmark_visible", lambda s: s.landmark_visible, "bool")
        _put(f, "landmark_visible", visible)
    for name in options.extras:
        _put(f, f"extras/{name}", _stack(samples, name, lambda s, n=name: s.extras[n], "uint8"))
    _put(f, "identity", np.array([s.params.identity for s in samples], dtype=np.int64))
    _put(f, "sample", np.array([s.params.sample for s in samples], dtype=np.int64))
    keys = [sample_key(s.params.identity, s.params.sample) for s in samples]
    f.create_dataset("key", data=np.array(keys, dtype=object), dtype=text, track_times=False)
    with clock.stage("encode"):
        meta = [encode_json(sample_metadata(s, options)).decode() for s in samples]
    f.create_dataset("metadata", data=np.array(meta, dtype=object), dtype=text, track_times=False)


def read_hdf5(out_dir: Path, path: Path) -> Iterator[SampleRecord]:
    """Samples of an HDF5 shard, in order."""
    import h5py

    with h5py.File(path, "r") as f:
        keys = [k.decode() if isinstance(k, bytes) else str(k) for k in f["key"][()]]
        extras = list(f["extras"]) if "extras" in f else []
        for n, key in enumerate(keys):
            sample = new_sample(key)
            sample["rgb"] = f["image"][n]
            sample["mask"] = f["mask"][n] if "mask" in f else None
            sample["depth"] = f["depth"][n] if "depth" in f else None
            sample["metadata"] = json.loads(f["metadata"][n])
            sample["cls"] = int(f["identity"][n])
            sample["extras"] = {name: f["extras"][name][n] for name in extras}
            yield sample


FORMAT = ShardFormat(
    name="hdf5",
    shard_dir="shards",
    parts=("shards",),
    shard_file=lambda index: f"shards/{shard_stem(index)}.h5",
    write=write_hdf5,
    read=read_hdf5,
)
