"""The worker side of the benchmark: a spawned process that runs shard tasks on command.

It runs the pipeline's own shard step (``ShardContext.run``) with a ``StageClock``, which
times the steps outside the renderer (scene sampling, encoding, writing), and reads the
Renderer's own per-stage laps (``Renderer.stage_seconds``). Nothing is patched or
re-implemented here.

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
from pathlib import Path
from typing import Any

from morphgen.clock import StageClock
from morphgen.run.job import JobSpec, ShardContext

perf = time.perf_counter


def timed_run(ctx: ShardContext, spec: JobSpec, indices: Sequence[int]) -> dict:
    """Run shards through the job's own ``ShardContext.run`` with a clock; wall and CPU
    seconds, images, seconds per stage."""
    renderer = ctx.renderer
    renderer.stage_seconds.clear()
    clock = StageClock()
    out_dir = Path(spec.out_dir)
    start, cpu = perf(), time.process_time()
    images = sum(ctx.run(k, out_dir, clock).samples for k in indices)
    seconds, cpu = perf() - start, time.process_time() - cpu
    outside = clock.seconds
    stages = {"sampling": outside.get("sampling", 0.0), **renderer.stage_seconds}
    stages["encode"] = outside.get("encode", 0.0)
    stages["write"] = outside.get("write", 0.0)
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
    from morphgen.io.members import encode_sample, sample_metadata

    renderer = ctx.renderer
    backend = renderer.backend
    frames: list[Any] = []
    draw = backend.draw
    backend.draw = lambda frame: frames.append(frame) or draw(frame)
    try:
        samples = renderer.render_many([ctx.sampler.scene(i, j) for i, j in ctx.shards[index]])
    finally:
        del backend.draw
    options = ctx.output

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
            conn.send(timed_run(ctx, spec, arg))
        elif kind == "reference":
            conn.send(reference(ctx, *arg))
    ctx.close()
