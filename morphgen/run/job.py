"""Shard planning and the shard task: a pure function of (config, shard index).

The sampler's plan (every (identity, sample) pair in order) is cut into contiguous runs
of ``output.samples_per_shard``; shard ``k`` is run ``k``. A shard task draws its scenes
with ``Sampler.scene(i, j)``, renders them and writes the shard; it reads nothing from
other shards, so any worker may run any shard in any order and the bytes are the same.

Each worker process keeps one ``ShardContext`` (model, sampler, renderer) per job in a
process-local cache, so the model is loaded and the renderer built once per worker.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from morphgen.clock import NO_CLOCK, StageClock
from morphgen.config.schema import Config
from morphgen.hashing import sha256_file
from morphgen.io.manifest import config_hash
from morphgen.io.shards import ShardEntry, write_shard
from morphgen.render.renderer import Renderer
from morphgen.render.sample import Sample
from morphgen.run.build import build_renderer, load_model, model_file
from morphgen.sampling.sampler import Sampler

Pair = tuple[int, int]


def plan_shards(plan: Sequence[Pair], per_shard: int) -> list[list[Pair]]:
    """The plan cut into contiguous runs of ``per_shard`` pairs (the last may be shorter)."""
    return [list(plan[k : k + per_shard]) for k in range(0, len(plan), per_shard)]


@dataclass(frozen=True)
class JobSpec:
    """Everything a worker needs to run any shard of a job (picklable)."""

    config: Config
    out_dir: str
    backend: str  # the concrete backend: cpu, egl or osmesa
    # the model file's sha256, hashed once by the parent (None: each worker hashes the file)
    model_sha256: str | None = None

    @cached_property
    def cache_key(self) -> str:
        """What a worker's cached context depends on: config and backend."""
        return config_hash(self.config.to_dict(), "", self.backend)

    def hashed(self) -> JobSpec:
        """This spec with the model file's sha256, for workers to share."""
        if self.model_sha256 is not None:
            return self
        return replace(self, model_sha256=sha256_file(model_file(self.config)))


class ShardContext:
    """A job's model, sampler, shard plan and (lazily) renderer, in one process."""

    def __init__(self, spec: JobSpec):
        self.spec = spec
        config = spec.config
        self.output = config.output
        loaded = load_model(config, sha256=spec.model_sha256)
        self.model, self.model_path, self.model_sha256 = loaded.model, loaded.path, loaded.sha256
        self.sampler = Sampler(config, self.model)
        self.shards = plan_shards(self.sampler.plan(), self.output.samples_per_shard)
        self.hash = config_hash(config.to_dict(), self.model_sha256, spec.backend)
        self._renderer: Renderer | None = None

    @property
    def renderer(self) -> Renderer:
        """The renderer, built on first use and kept for every later shard."""
        if self._renderer is None:
            self._renderer = build_renderer(self.model, self.spec.config, self.spec.backend)
        return self._renderer

    def run(self, index: int, out_dir: Path, clock: StageClock = NO_CLOCK) -> ShardEntry:
        """Render shard ``index`` and write it under ``out_dir``; its manifest entry.

        The stages ``sampling``, ``render``, ``encode`` and ``write`` are timed on ``clock``
        (the renderer times its own steps in ``Renderer.stage_seconds``). The freed pages
        of the shard's arrays go back to the system at the end (``release_free_memory``).
        """
        try:
            with clock.stage("write"):
                samples = self._samples(index, clock)
                return write_shard(out_dir, index, samples, self.output, clock)
        finally:
            release_free_memory()

    def _samples(self, index: int, clock: StageClock) -> Iterator[Sample]:
        """Shard ``index``'s samples, each rendered when the writer asks for it."""
        with clock.stage("sampling"):
            scenes = [self.sampler.scene(i, j) for i, j in self.shards[index]]
        rendered = self.renderer.iter_render(scenes)
        while True:
            with clock.stage("render"):
                sample = next(rendered, None)
            if sample is None:
                return
            yield sample

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None


_CONTEXTS: dict[str, ShardContext] = {}


def context_for(spec: JobSpec) -> ShardContext:
    """This process's context for ``spec``'s job (built once, then reused)."""
    ctx = _CONTEXTS.get(spec.cache_key)
    if ctx is None:
        ctx = _CONTEXTS[spec.cache_key] = ShardContext(spec)
    return ctx


def _libc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (None elsewhere)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # no C library by that name, no malloc_trim
        return None


_TRIM = _libc_trim()


def release_free_memory() -> None:
    """Return the allocator's free pages to the system.

    glibc keeps the pages of freed per-image arrays for reuse; trimmed after each shard, a
    BFM-sized worker waiting between shards holds about 20 MB less, for under 1 ms a shard.
    """
    if _TRIM is not None:
        _TRIM(0)


def run_shard(spec: JobSpec, index: int) -> ShardEntry:
    """The shard task that executors send to workers."""
    return context_for(spec).run(index, Path(spec.out_dir))
