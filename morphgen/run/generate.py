"""``generate()``: turn a config into a dataset directory, resuming whatever is finished.

1. Build the job here (model, sampler, shard plan, concrete backend) and its config hash.
2. Lock the directory (one run at a time) and claim it: a link at any name morphgen
   writes is refused; a manifest of another config is refused unless ``overwrite``, which
   removes only the files that manifest lists (never another file in the directory);
   temp files of an interrupted run are removed; listed shards whose file is missing or
   differs from its recorded sha256 (for folders: any file of its index) are said,
   dropped and redone.
3. Run the shards not yet finished on an executor; after each one, the manifest is
   rewritten atomically. A shard is finished exactly when the manifest lists it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from morphgen import __version__
from morphgen.errors import MorphgenError
from morphgen.io.atomic import clean_stale_temps
from morphgen.io.formats import REGISTRY, get_format
from morphgen.io.integrity import index_files, shard_damage
from morphgen.io.layout import LOCK, MANIFEST, PREVIEW
from morphgen.io.lock import directory_lock
from morphgen.io.manifest import Manifest, label_info, load_manifest, save_manifest
from morphgen.io.paths import OutsidePath, dataset_path
from morphgen.io.shards import ShardEntry
from morphgen.run.job import JobSpec, ShardContext, context_for
from morphgen.sampling.sampler import count_background_images

# The names a dataset's files live under (``overwrite`` removes only what a manifest lists).
_DATASET_PARTS = (
    *dict.fromkeys(part for fmt in REGISTRY.values() for part in fmt.parts),
    PREVIEW,
    MANIFEST,
)


@dataclass
class Summary:
    """What a ``generate`` run did."""

    out_dir: Path
    images: int  # images in the dataset
    identities: int
    shards: int
    rendered: int  # images rendered by this run (the rest were already finished)
    seconds: float
    first_shard_seconds: float | None = None  # start-up: model load, compile, first shard
    steady_throughput: float | None = None  # images/s once every worker had finished a shard

    @property
    def throughput(self) -> float:
        return self.rendered / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        text = (
            f"{self.images} images of {self.identities} identities in {self.shards} shards at "
            f"{self.out_dir}\nrendered {self.rendered} images in {self.seconds:.1f} s "
            f"({self.throughput:.1f} images/s)"
        )
        if self.first_shard_seconds is not None:
            text += f"; start-up: first shard after {self.first_shard_seconds:.1f} s"
        if self.steady_throughput is not None:
            text += f"; steady: {self.steady_throughput:.1f} images/s"
        return text


def steady_rate(finished: list[tuple[float, int]], warm_after: int) -> float | None:
    """Images per second after the ``warm_after``-th finished shard (when every worker has
    paid its start-up); None without at least one shard after it."""
    if len(finished) <= warm_after or warm_after < 1:
        return None
    start, _ = finished[warm_after - 1]
    end, _ = finished[-1]
    images = sum(n for _, n in finished[warm_after:])
    return images / (end - start) if end > start else None


def default_workers() -> int:
    """One worker per core available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _new_manifest(ctx: ShardContext) -> Manifest:
    config = ctx.spec.config
    plan = ctx.sampler.plan()
    return Manifest(
        morphgen_version=__version__,
        format=ctx.output.format,
        config=config.to_dict(),
        config_hash=ctx.hash,
        seed=int(config.seed),
        model={
            "path": str(ctx.model_path),
            "sha256": ctx.model_sha256,
            "name": getattr(ctx.model, "name", ""),
        },
        backend=ctx.spec.backend,
        labels=label_info(ctx.output.labels),
        plan={
            "shards": len(ctx.shards),
            "samples": len(plan),
            "identities": len({i for i, _ in plan}),
            "samples_per_shard": ctx.output.samples_per_shard,
        },
    )


def _refuse_links(out_dir: Path, extras: list[str]) -> None:
    """``MorphgenError`` when a name morphgen writes or removes in ``out_dir`` is a link."""
    names = (*_DATASET_PARTS, *extras, LOCK)
    linked = [name for name in names if (out_dir / name).is_symlink()]
    if linked:
        raise MorphgenError(
            f"{out_dir}: {', '.join(linked)} is a symbolic link; morphgen never writes or "
            "removes through links: remove the link or choose another --out"
        )


def _remove_dataset(out_dir: Path, old: Manifest, extras: list[str]) -> None:
    """Remove the files ``old`` lists (shards, each file of a folders index), the manifest
    and preview, then the dataset's folders left empty; never anything else."""
    for entry in old.shards.values():
        try:
            path = dataset_path(out_dir, entry.file)
            if old.format == "folders" and path.is_file():
                with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                    for rel in index_files(path):
                        dataset_path(out_dir, rel).unlink(missing_ok=True)
            path.unlink(missing_ok=True)
        except OutsidePath as exc:  # a hostile or edited manifest: never remove outside
            print(f"morphgen: {exc}; not removed", file=sys.stderr)
    for name in (PREVIEW, MANIFEST):
        (out_dir / name).unlink(missing_ok=True)
    for name in (*_DATASET_PARTS, *extras):
        _remove_empty_dirs(out_dir / name)


def _remove_empty_dirs(top: Path) -> None:
    """Remove ``top`` and the folders below it that are empty (bottom up, no links)."""
    if top.is_symlink() or not top.is_dir():
        return
    for directory, _, _ in sorted(os.walk(top), key=lambda d: -len(d[0])):
        with contextlib.suppress(OSError):  # not empty: a file morphgen did not list
            os.rmdir(directory)


def _intact_shards(out_dir: Path, manifest: Manifest) -> dict[int, ShardEntry]:
    """The listed shards still as recorded; each other one is said and dropped (redone)."""
    kept = {}
    for index, entry in sorted(manifest.shards.items()):
        damage = shard_damage(out_dir, entry, manifest.format)
        if damage is None:
            kept[index] = entry
        else:
            print(f"morphgen: {entry.file}: {damage}; rendering it again", file=sys.stderr)
    return kept


def _listed_on_disk(out_dir: Path, index: int) -> bool:
    """Whether the manifest file in ``out_dir`` lists shard ``index`` (False if unreadable)."""
    try:
        on_disk = load_manifest(out_dir)
    except MorphgenError:
        return False
    return on_disk is not None and index in on_disk.shards


def _remove_unlisted(out_dir: Path, manifest: Manifest, indices: list[int]) -> None:
    """Remove shards that a stopped worker finished but the manifest does not list."""
    for index in indices:
        if index not in manifest.shards:
            (out_dir / get_format(manifest.format).shard_file(index)).unlink(missing_ok=True)


def _existing_manifest(out_dir: Path, overwrite: bool) -> Manifest | None:
    """The manifest in ``out_dir``; an unreadable one is an error unless ``overwrite``."""
    try:
        return load_manifest(out_dir)
    except MorphgenError as exc:
        if not overwrite:
            raise MorphgenError(
                f"{exc}; restore it, or pass --overwrite to start this dataset again (the "
                "files of the shards it listed cannot be known and are replaced by name)"
            ) from None
        print(f"morphgen: {exc}; --overwrite: starting again", file=sys.stderr)
        (out_dir / MANIFEST).unlink()
        return None


def claim(out_dir: Path, fresh: Manifest, overwrite: bool) -> Manifest:
    """The manifest to continue: the existing one for the same config, else ``fresh``."""
    extras = [str(name) for name in fresh.config.get("output", {}).get("extras", [])]
    _refuse_links(out_dir, extras)
    old = _existing_manifest(out_dir, overwrite)
    if old is not None and old.config_hash != fresh.config_hash:
        if not overwrite:
            raise MorphgenError(
                f"{out_dir} holds a dataset of a different config (manifest config hash "
                f"{old.config_hash[:12]}, this run {fresh.config_hash[:12]}: config, model or "
                "backend differ); choose another --out or pass --overwrite to replace it"
            )
        _remove_dataset(out_dir, old, extras)
        old = None
    if old is None:
        found = [name for name in _DATASET_PARTS if (out_dir / name).exists()]
        if found and not overwrite:
            raise MorphgenError(
                f"{out_dir} has no manifest.json but holds {', '.join(found)}; choose another "
                "--out, or pass --overwrite to write the dataset beside them (morphgen removes "
                "only files a manifest lists; files of the same names are replaced)"
            )
        manifest = fresh
    else:
        manifest = old
        manifest.shards = _intact_shards(out_dir, old)
    clean_stale_temps(out_dir)
    save_manifest(out_dir, manifest)
    return manifest


def prepare_dir(out_dir: Path) -> None:
    """Create the output directory, turning permission/space errors into a clear message."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MorphgenError(
            f"--out {out_dir}: cannot create the output directory ({exc.strerror})"
        ) from None


def generate(
    config: Any,
    out_dir: str | Path,
    workers: int | None = None,
    executor: str = "local",
    overwrite: bool = False,
    backend: str | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> Summary:
    """Generate (or finish) the dataset of ``config`` in ``out_dir``.

    ``backend`` overrides ``config.render.backend``; ``executor`` is ``local`` (``workers``
    processes, default one per core; 1 = this process) or ``dask`` (the cluster at
    ``scheduler``, or a LocalCluster of ``workers`` processes when it is None).
    """
    from morphgen.render.select import resolve_backend_name

    start = time.perf_counter()
    if workers is not None and workers < 1:
        raise MorphgenError(f"--workers {workers}: expected a positive number of processes")
    out_dir = Path(out_dir).resolve()
    prepare_dir(out_dir)
    if executor not in ("local", "dask"):
        raise MorphgenError(f"--executor {executor!r}: expected local or dask")
    name = backend or config.render.backend
    spec = JobSpec(config, str(out_dir), resolve_backend_name(name, config.render.device))
    ctx = context_for(spec)
    spec = replace(spec, model_sha256=ctx.model_sha256)  # workers need not hash the model
    if ctx.sampler.background_count:  # once here, not in every worker
        count_background_images(config.background.directory, read_headers=True)
    with directory_lock(out_dir):
        manifest = claim(out_dir, _new_manifest(ctx), overwrite)
        todo = [k for k in range(len(ctx.shards)) if k not in manifest.shards]
        done_before = sum(e.samples for e in manifest.shards.values())
        bar = tqdm(
            total=manifest.plan["samples"],
            initial=done_before,
            unit="img",
            desc="generate",
            disable=not progress or not todo,
            dynamic_ncols=True,
        )

        finished: list[tuple[float, int]] = []  # (time, images) per shard, in order

        def on_done(entry: ShardEntry) -> None:
            manifest.shards[entry.index] = entry
            try:
                save_manifest(out_dir, manifest)
            except BaseException:  # unlisted, the shard must not stay under its final name
                if not _listed_on_disk(out_dir, entry.index):
                    del manifest.shards[entry.index]
                    (out_dir / entry.file).unlink(missing_ok=True)
                raise
            finished.append((time.perf_counter(), entry.samples))
            bar.update(entry.samples)

        parallel = min(len(todo), workers or (default_workers() if executor == "local" else 1))
        try:
            if executor == "local":
                from morphgen.run.executors import run_local

                try:
                    run_local(spec, todo, workers or default_workers(), on_done)
                except BaseException:
                    # the workers are stopped: their temp files and unlisted shards go
                    clean_stale_temps(out_dir)
                    _remove_unlisted(out_dir, manifest, todo)
                    raise
            else:
                from morphgen.run.executors import run_dask

                run_dask(spec, todo, on_done, scheduler=scheduler, workers=workers)
        finally:
            bar.close()
    return Summary(
        out_dir=out_dir,
        images=manifest.plan["samples"],
        identities=manifest.plan["identities"],
        shards=len(manifest.shards),
        rendered=manifest.plan["samples"] - done_before,
        seconds=time.perf_counter() - start,
        first_shard_seconds=finished[0][0] - start if finished else None,
        steady_throughput=steady_rate(finished, max(parallel, 1)),
    )
