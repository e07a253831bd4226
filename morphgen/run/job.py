"""Shard planning and the shard task: a pure function of (config, shard index).

The sampler's plan (every (identity, sample) pair in order) is cut into contiguous runs
of ``output.samples_per_shard``; shard ``k`` is run ``k``. A shard task draws its scenes
with ``Sampler.scene(i, j)``, renders them and writes the shard; it reads nothing from
other shards, so any worker may run any shard in any order and the bytes are the same.

Each worker process keeps one ``ShardContext`` (model, sampler, renderer) per job in a
process-local cache, so the model is loaded and the renderer built once per worker.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from morphgen.io.atomic import sha256_file
from morphgen.io.manifest import config_hash
from morphgen.io.options import OutputOptions
from morphgen.io.shards import ShardEntry, write_shard

Pair = tuple[int, int]


def plan_shards(plan: Sequence[Pair], per_shard: int) -> list[list[Pair]]:
    """The plan cut into contiguous runs of ``per_shard`` pairs (the last may be shorter)."""
    return [list(plan[k : k + per_shard]) for k in range(0, len(plan), per_shard)]


@dataclass(frozen=True)
class JobSpec:
    """Everything a worker needs to run any shard of a job (picklable)."""

    config: Any  # morphgen.config.Config
    out_dir: str
    backend: str  # the concrete backend: cpu, egl or osmesa
    device: int | None = None  # EGL GPU; None = the config's or the default

    @cached_property
    def cache_key(self) -> str:
        """What a worker's cached context depends on: config, backend and device."""
        return config_hash(self.config.to_dict(), "", f"{self.backend}:{self.device}")


class ShardContext:
    """A job's model, sampler, shard plan and (lazily) renderer, in one process."""

    def __init__(self, spec: JobSpec):
        from morphgen.model.load import DEFAULT_MODEL, load_model
        from morphgen.model.shared import shared_model
        from morphgen.sampling.sampler import Sampler

        self.spec = spec
        config = spec.config
        self.options = OutputOptions.from_config(config.output)
        self.model_path = Path(config.model.path or DEFAULT_MODEL)
        overrides = [Path(p) for p in (config.model.regions, config.model.landmarks) if p]
        self.model_sha256 = sha256_file(self.model_path)
        # the shared-memory key covers user region/landmark files, which change the model
        share_key = hashlib.sha256(
            "".join([self.model_sha256, *(sha256_file(p) for p in overrides)]).encode()
        ).hexdigest()
        self.model = shared_model(
            share_key,
            lambda: load_model(self.model_path, config.model.regions, config.model.landmarks),
        )
        self.model.sha256 = self.model_sha256  # into every sample's metadata
        self.sampler = Sampler(config, self.model)
        self.shards = plan_shards(self.sampler.plan(), self.options.samples_per_shard)
        self.hash = config_hash(config.to_dict(), self.model_sha256, spec.backend)
        self._renderer: Any = None

    @property
    def renderer(self) -> Any:
        """The renderer, built on first use and kept for every later shard."""
        if self._renderer is None:
            from morphgen.labelsets import remap_table
            from morphgen.render.renderer import Renderer
            from morphgen.render.select import make_backend

            config = self.spec.config
            device = self.spec.device if self.spec.device is not None else config.render.device
            outputs = {"mask"} if self.options.mask else set()
            if self.options.depth != "none":
                outputs.add("depth")
            if self.options.landmarks:
                outputs.add("landmarks")
            self._renderer = Renderer(
                self.model,
                make_backend(self.spec.backend, device),
                outputs=frozenset(outputs),
                extras=tuple(self.options.extras),
                background_dir=config.background.directory,
                label_map=remap_table(self.options.labels),
            )
        return self._renderer

    def run(self, index: int, out_dir: Path) -> ShardEntry:
        """Render shard ``index`` and write it under ``out_dir``; its manifest entry."""
        scenes = [self.sampler.scene(i, j) for i, j in self.shards[index]]
        samples = self.renderer.render_many(scenes)
        return write_shard(out_dir, index, samples, self.options)

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


def run_shard(spec: JobSpec, index: int) -> ShardEntry:
    """The shard task that executors send to workers."""
    return context_for(spec).run(index, Path(spec.out_dir))
