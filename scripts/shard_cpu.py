"""CPU ms per image of the shard task and its stage times: ``python scripts/shard_cpu.py``.

Runs the pipeline's own shard step (``ShardContext.run``) on the benchmark's config (the
BFM-sized synthetic model, every output, WebDataset) in this one process: a warm-up shard,
then ``--shards`` timed ones. CPU time (user + system) hardly depends on how many other
jobs share the cores, so running it alternately in two checkouts compares them fairly on
a busy machine; the stage times are wall-clock ms per image. ``--model default
--no-textures`` against ``--model default`` is the textures' cost on the default model.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from pathlib import Path

from morphgen.bench.runner import BenchOptions, bench_config, bfm_sized_model, cache_dir
from morphgen.clock import StageClock
from morphgen.run.job import JobSpec, ShardContext

STAGES = ("encode", "background", "shading", "expression", "raster", "dress", "sampling")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=3, help="timed shards of 32 images")
    parser.add_argument("--size", type=int, default=256, help="image width and height")
    parser.add_argument(
        "--model", choices=("bfm", "default"), default="bfm", help="BFM-sized or default model"
    )
    parser.add_argument(
        "--no-textures", action="store_true", help="appearance.textures off (per-vertex colour)"
    )
    args = parser.parse_args()
    opts = BenchOptions()
    model = bfm_sized_model(cache_dir(opts)) if args.model == "bfm" else None
    config = bench_config(model, args.size, "cpu", opts.per_shard * (args.shards + 1), opts)
    if args.no_textures:
        look = config.appearance.model_copy(update={"textures": False})
        config = config.model_copy(update={"appearance": look})
    with tempfile.TemporaryDirectory(prefix="morphgen-shard-cpu-") as tmp:
        out = Path(tmp)
        ctx = ShardContext(JobSpec(config, tmp, "cpu"))
        ctx.run(0, out)
        ctx.renderer.stage_seconds.clear()
        clock = StageClock()
        start = cpu_seconds()
        for index in range(1, args.shards + 1):
            ctx.run(index, out, clock)
        cpu = cpu_seconds() - start
    images = args.shards * opts.per_shard
    stages = {**clock.seconds, **ctx.renderer.stage_seconds}
    timed = " ".join(f"{name} {stages.get(name, 0.0) / images * 1e3:.2f}" for name in STAGES)
    print(f"CPU {cpu / images * 1e3:.1f} ms/image | wall ms: {timed}")


if __name__ == "__main__":
    main()
