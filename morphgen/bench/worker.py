"""The worker side of the benchmark: a spawned process that runs shard tasks on command.

It calls the pipeline's own shard task (``morphgen.run.job.run_shard``) and only adds
clocks around it: the Renderer's own per-stage laps (``Renderer.stage_seconds``) and
wrappers around the three shard steps outside the renderer (scene sampling, sample
encoding, shard writing). Nothing of the pipeline is re-implemented here.

Protocol over a ``multiprocessing`` pipe: after start-up and one warm-up run the worker
sends a ``ready`` dict; then each ``("run", shard_indices)`` is answered with a timing
dict, each ``("reference", (shard_index, min_seconds))`` with reference figures, and
``None`` ends the process.
"""

from __future__ import annotations

import os
import statistics
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from morphgen.run.job import JobSpec, ShardContext

perf = time.perf_counter


def _timed(fn: Callable[..., Any], seconds: dict[str, float], stage: str) -> Callable[..., Any]:
    """``fn`` adding its run time to ``seconds[stage]``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = perf()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds[stage] = seconds.get(stage, 0.0) + perf() - start

    return wrapper


class ShardClock:
    """Times the shard steps the Renderer does not: sampling scenes, encoding, writing."""

    def __init__(self, ctx: ShardContext) -> None:
        import morphgen.io.webdataset_writer as wds_writer
        import morphgen.run.job as shards

        self.seconds: dict[str, float] = {}
        ctx.sampler.scene = _timed(ctx.sampler.scene, self.seconds, "sampling")
        wds_writer.encode_sample = _timed(wds_writer.encode_sample, self.seconds, "encode")
        shards.write_shard = _timed(shards.write_shard, self.seconds, "write")


def timed_run(ctx: ShardContext, clock: ShardClock, spec: JobSpec, indices: Sequence[int]) -> dict:
    """Run shards through ``run_shard``; wall and CPU seconds, images, seconds per stage."""
    from morphgen.run.job import run_shard

    renderer = ctx.renderer
    renderer.stage_seconds.clear()
    clock.seconds.clear()
    start, cpu = perf(), time.process_time()
    images = sum(run_shard(spec, k).samples for k in indices)
    seconds, cpu = perf() - start, time.process_time() - cpu
    stages = dict(renderer.stage_seconds)
    outside = dict(clock.seconds)
    outside["write"] = outside.get("write", 0.0) - outside.get("encode", 0.0)
    stages = {"sampling": outside.get("sampling", 0.0), **stages}
    stages["encode"] = outside.get("encode", 0.0)
    stages["write"] = outside["write"]
    stages["other"] = max(0.0, seconds - sum(stages.values()))
    return {"seconds": seconds, "cpu_seconds": cpu, "images": images, "stages": stages}


def _repeat_median(fn: Callable[[], Any], items: int, min_seconds: float) -> float:
    """Median seconds per item of ``fn`` (which handles ``items`` items) over >= 3 calls."""
    times = []
    deadline = perf() + min_seconds
    while len(times) < 3 or perf() < deadline:
        start = perf()
        fn()
        times.append((perf() - start) / items)
    return statistics.median(times)


def reference(ctx: ShardContext, index: int, min_seconds: float) -> dict:
    """The rasteriser alone on this shard's frames, and encoding alone on its samples."""
    from morphgen.io import encode
    from morphgen.io.options import encode_sample, sample_metadata

    renderer = ctx.renderer
    backend = renderer.backend
    frames: list[Any] = []
    draw = backend.draw
    backend.draw = lambda frame: frames.append(frame) or draw(frame)
    try:
        samples = renderer.render_many([ctx.sampler.scene(i, j) for i, j in ctx.shards[index]])
    finally:
        del backend.draw
    options = ctx.options

    def each(fn: Callable[[Any], Any], things: Sequence[Any]) -> Callable[[], None]:
        return lambda: [fn(x) for x in things]

    per_image = {
        "raster": _repeat_median(each(draw, frames), len(frames), min_seconds),
        "encode": _repeat_median(
            each(lambda s: encode_sample(s, options), samples), len(samples), min_seconds / 2
        ),
        "encode_rgb": _repeat_median(
            each(lambda s: encode.encode_image(s.rgb, options.image_format), samples),
            len(samples),
            min_seconds / 4,
        ),
        "encode_mask": _repeat_median(
            each(lambda s: encode.encode_mask(s.mask), samples), len(samples), min_seconds / 4
        ),
        "encode_depth": _repeat_median(
            each(lambda s: encode.encode_depth_png16(s.depth), samples),
            len(samples),
            min_seconds / 4,
        ),
        "encode_json": _repeat_median(
            each(lambda s: encode.encode_json(sample_metadata(s, options)), samples),
            len(samples),
            min_seconds / 4,
        ),
    }
    return {name: seconds * 1e3 for name, seconds in per_image.items()}


def worker_main(conn: Any, spec: JobSpec, warmup: Sequence[int]) -> None:
    """Serve the benchmark; any failure goes back to the parent as ``{"error": traceback}``."""
    try:
        _serve(conn, spec, warmup)
    except Exception:
        conn.send({"error": traceback.format_exc()})


def _serve(conn: Any, spec: JobSpec, warmup: Sequence[int]) -> None:
    """Load the job, run the warm-up shards (numba load or compile, GL start), then serve."""
    from morphgen.run.job import context_for, run_shard

    start = perf()
    ctx = context_for(spec)
    loaded = perf()
    renderer = ctx.renderer
    built = perf()
    clock = ShardClock(ctx)
    images = sum(run_shard(spec, k).samples for k in warmup)
    conn.send(
        {
            "pid": os.getpid(),
            "backend": renderer.backend_name,
            "load_s": loaded - start,
            "renderer_s": built - loaded,
            "warmup_s": perf() - built,
            "warmup_images": images,
        }
    )
    while (message := conn.recv()) is not None:
        kind, arg = message
        if kind == "run":
            conn.send(timed_run(ctx, clock, spec, arg))
        elif kind == "reference":
            conn.send(reference(ctx, *arg))
    ctx.close()
