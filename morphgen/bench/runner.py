"""Run the benchmark matrix: models x sizes x backends x worker counts, plus references.

Each case spawns its workers the way ``generate`` does, warms each up on one shard
(numba cache load or compile, GL start-up), then times ``runs`` rounds in which every
worker runs its own fresh shards through the pipeline's shard task at the same time.
Throughput is images over the round's wall time; figures are medians over rounds.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from morphgen.bench.machine import backend_label, describe_machine, usable_cores
from morphgen.bench.pool import MemoryMonitor, WorkerPool
from morphgen.config.schema import BACKENDS
from morphgen.errors import MorphgenError
from morphgen.run.job import JobSpec

BFM = "bfm"  # the BFM-sized synthetic model
DEFAULT = "default"


@dataclass(frozen=True)
class BenchOptions:
    """What to measure and how long; ``QUICK`` is the short run."""

    sizes: tuple[int, ...] = (128, 256, 512)
    models: tuple[str, ...] = (DEFAULT, BFM)  # or paths of model files
    backends: tuple[str, ...] | None = None  # None: cpu, plus egl where EGL works
    workers: tuple[int, ...] | None = None  # None: 1 and every core
    images: int = 64  # per worker and round
    per_shard: int = 32
    per_identity: int = 8
    runs: int = 5
    reference_seconds: float = 1.0
    first_run: bool = True  # measure numba's compile and cache-load cost
    generate_check: bool = True  # one end-to-end generate() per case at 256 px
    cache_dir: Path | None = None  # where the BFM-sized model file is kept
    # a YAML config measured instead of the defaults (the bench still sets what it plans)
    config: Path | None = None
    work_dir: Path | None = None  # where shards are written (a temp dir inside it)


QUICK = BenchOptions(sizes=(256,), images=32, runs=3, reference_seconds=0.5, first_run=False)


@dataclass(frozen=True)
class Case:
    model: str
    size: int
    backend: str
    workers: int


@dataclass
class Context:
    """What every case needs: options, model files, GL description, progress output."""

    options: BenchOptions
    models: dict[str, Path | None]
    gl: dict[str, Any]
    say: Callable[[str], None]
    model_info: dict[str, dict[str, Any]] = field(default_factory=dict)


def cache_dir(options: BenchOptions) -> Path:
    """Where the BFM-sized model file is kept between runs."""
    if options.cache_dir is not None:
        return Path(options.cache_dir)
    root = os.environ.get("MORPHGEN_CACHE")
    return Path(root) / "bench" if root else Path(tempfile.gettempdir()) / "morphgen-bench"


def bfm_sized_model(directory: Path) -> Path:
    """The BFM-sized synthetic model as a Statismo file, built once (about 15 s).

    The file name carries a hash of the generator's source, so a changed generator
    gives a new file rather than a stale one.
    """
    from morphgen.model import synthetic
    from morphgen.model.statismo import write_statismo

    source = hashlib.sha256(Path(synthetic.__file__).read_bytes()).hexdigest()[:12]
    path = directory / f"synthetic-bfm-sized-199-199-100-{source}.h5"
    if not path.is_file():
        directory.mkdir(parents=True, exist_ok=True)
        write_statismo(synthetic.synthetic_model(), path)
    return path


def bench_config(
    model: Path | None, size: int, backend: str, images: int, opts: BenchOptions
) -> Any:
    """A config with every output on (RGB, mask, depth, landmarks, metadata) in WebDataset."""
    if images % opts.per_identity:
        raise MorphgenError(f"images {images}: expected a multiple of per_identity")
    return planned_config(
        opts,
        {
            "seed": 0,
            "model": {"path": None if model is None else str(model)},
            "identities": {
                "count": images // opts.per_identity,
                "images_per_identity": opts.per_identity,
            },
            "expression": {"components": None},  # every expression component
            "camera": {"width": size, "height": size},
            "render": {"backend": backend},
            "output": {
                "format": "webdataset",
                "image_format": "png",
                "samples_per_shard": opts.per_shard,
                "mask": True,
                "depth": "png16",
                "landmarks": True,
            },
        },
    )


def planned_config(opts: BenchOptions, plan: dict[str, Any]) -> Any:
    """The measured config: ``opts.config`` (or the defaults) with the bench's ``plan``
    (model, image size, backend, identities, shards, outputs) in place of its values."""
    from morphgen.config import load_config, parse_config

    return parse_config(plan) if opts.config is None else load_config(opts.config, plan)


def config_name(config: Path | str | None) -> str:
    """How reports name the measured config (``BenchOptions.config``, or its JSON copy)."""
    return "the default config" if config is None else f"config {config}"


def available_backends(gl: dict[str, Any]) -> tuple[str, ...]:
    """``cpu`` always; ``egl`` (pyrender) when an EGL context comes up, even in software."""
    return ("cpu", "egl") if gl.get("ok") else ("cpu",)


def median(values: list[float]) -> float:
    """The median of ``values`` (0 for none)."""
    return float(statistics.median(values)) if values else 0.0


def _median_stages(rounds: list[dict[str, float]]) -> dict[str, float]:
    names = list(dict.fromkeys(name for r in rounds for name in r))
    return {name: median([r.get(name, 0.0) for r in rounds]) for name in names}


def measure_case(case: Case, ctx: Context, reference: bool) -> dict[str, Any]:
    """Throughput, stage times, memory (and optionally reference figures) of one case."""
    opts = ctx.options
    n = case.workers
    per_round = opts.images // opts.per_shard  # shards per worker per round
    shards = n * (1 + opts.runs * per_round)
    images = shards * opts.per_shard
    config = bench_config(ctx.models[case.model], case.size, case.backend, images, opts)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="morphgen-bench-", dir=opts.work_dir) as tmp:
        spec = JobSpec(config, tmp, case.backend).hashed()
        with WorkerPool.for_job(spec, [[w] for w in range(n)]) as pool:
            rounds = []
            with MemoryMonitor(pool.pids) as memory:
                for r in range(opts.runs):
                    base = n + r * n * per_round
                    work = [
                        range(base + w * per_round, base + (w + 1) * per_round) for w in range(n)
                    ]
                    wall, results = pool.run(work)
                    images = sum(res["images"] for res in results)
                    cpu = sum(res["cpu_seconds"] for res in results)
                    stages: dict[str, float] = {}
                    for res in results:
                        for name, seconds in res["stages"].items():
                            stages[name] = stages.get(name, 0.0) + seconds * 1e3 / images
                    rounds.append(
                        {
                            "images_per_s": images / wall,
                            "cpu_share": cpu / (wall * n),
                            "images_per_cpu_s": images / cpu,
                            "stages": stages,
                        }
                    )
            ref = pool.reference(0, opts.reference_seconds) if reference else None
            ready = pool.ready
        check = None
        if opts.generate_check and case.size == 256:
            check = _generate_check(config, case, Path(tmp) / "generate")
    ips = median([r["images_per_s"] for r in rounds])
    stages = _median_stages([r["stages"] for r in rounds])
    total = sum(stages.values()) or 1.0
    return {
        **asdict(case),
        "backend_label": backend_label(case.backend, ctx.gl),
        **ctx.model_info[case.model],
        "images_per_round": n * per_round * opts.per_shard,
        "rounds_images_per_s": [round(r["images_per_s"], 2) for r in rounds],
        "images_per_s": ips,
        "ms_per_image_per_worker": n * 1e3 / ips if ips else None,
        # the share of the round the workers were running (< 1: waiting for the CPU, e.g.
        # other jobs on the machine) and throughput per CPU-second, which such waits spare
        "cpu_share": median([r["cpu_share"] for r in rounds]),
        "images_per_cpu_s": median([r["images_per_cpu_s"] for r in rounds]),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "stages_ms": stages,
        "stage_share": {name: ms / total for name, ms in stages.items()},
        "slowest_stage": max(stages, key=stages.get) if stages else None,
        "startup": {
            key: median([float(r[key]) for r in ready])
            for key in ("start_s", "load_s", "renderer_s", "warmup_s")
        },
        "warmup_images_per_worker": ready[0]["warmup_images"],
        "memory": {
            "workers_mb": [
                {
                    **{name: round(v, 1) for name, v in memory.peak[pid].items()},
                    "uss_median": round(median(memory.uss[pid]), 1),
                }
                for pid in pool.pids
            ],
            "peak_total_pss_mb": round(memory.peak_total_pss, 1),
            "samples": len(memory.uss[pool.pids[0]]),
        },
        "reference_ms": ref,
        "generate": check,
    }


def _generate_check(config: Any, case: Case, out: Path) -> dict[str, Any]:
    """The real ``generate()`` on the same config, wall time including worker start-up.

    It runs in a child process, so this process never maps the model or keeps a renderer
    (which would share pages with later cases' workers and blur their memory figures).
    """
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_generate, config, case, out).result()


def _generate(config: Any, case: Case, out: Path) -> dict[str, Any]:
    from morphgen.run.generate import generate

    summary = generate(config, out, workers=case.workers, backend=case.backend, progress=False)
    return {
        "images": summary.rendered,
        "seconds": summary.seconds,
        "images_per_s": summary.throughput,
    }


def first_run_cost(ctx: Context) -> dict[str, Any]:
    """A worker's start with an empty numba cache (compiling) and with a filled one.

    Uses its own throwaway ``NUMBA_CACHE_DIR``, so the user's cache is left alone.
    """
    opts = ctx.options
    config = bench_config(ctx.models.get(DEFAULT), 256, "cpu", 2 * opts.per_shard, opts)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="morphgen-bench-numba-") as numba_dir:
        for label in ("empty_cache", "filled_cache"):
            with tempfile.TemporaryDirectory(prefix="morphgen-bench-", dir=opts.work_dir) as tmp:
                spec = JobSpec(config, tmp, "cpu").hashed()
                with WorkerPool.for_job(spec, [[0]], env={"NUMBA_CACHE_DIR": numba_dir}) as pool:
                    _, (steady,) = pool.run([[1]])
                    info = pool.ready[0]
            out[label] = {
                "start_s": info["start_s"],
                "load_s": info["load_s"],
                "renderer_s": info["renderer_s"],
                "first_shard_s": info["warmup_s"],
                "steady_shard_s": steady["seconds"],
            }
    for label in ("empty_cache", "filled_cache"):
        r = out[label]
        r["extra_s"] = r["first_shard_s"] + r["renderer_s"] - r["steady_shard_s"]
    out["images_per_shard"] = opts.per_shard
    return out


def derived(cases: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Scaling over workers, memory per extra worker and ratios to the references."""
    by_key: dict[tuple, dict[int, dict]] = {}
    for c in cases:
        by_key.setdefault((c["model"], c["size"], c["backend"]), {})[c["workers"]] = c
    scaling, memory, ratios = [], [], []
    for (model, size, backend), runs in by_key.items():
        base = runs[min(runs)]
        ref = next((r["reference_ms"] for r in runs.values() if r["reference_ms"]), None)
        if ref:
            per_image = base["ms_per_image_per_worker"]
            ratios.append(
                {
                    "model": model, "size": size, "backend": backend, "workers": base["workers"],
                    "pipeline_ms": per_image,
                    "raster_ms": ref["raster"], "encode_ms": ref["encode"],
                    "pipeline_over_raster": per_image / ref["raster"],
                    "pipeline_over_encode": per_image / ref["encode"],
                }
            )  # fmt: skip
        for n, run in sorted(runs.items()):
            if n == base["workers"]:
                continue
            scale = n / base["workers"]
            workers = run["memory"]["workers_mb"]
            scaling.append(
                {
                    "model": model, "size": size, "backend": backend, "workers": n,
                    "speedup": run["images_per_s"] / base["images_per_s"],
                    "efficiency": run["images_per_s"] / (scale * base["images_per_s"]),
                }
            )  # fmt: skip
            memory.append(
                {
                    "model": model, "size": size, "backend": backend, "workers": n,
                    # what one more worker adds: a worker's private memory (USS) while
                    # another worker shares the model's pages
                    "extra_worker_peak_mb": max(w["uss"] for w in workers),
                    "extra_worker_median_mb": median([w["uss_median"] for w in workers]),
                }
            )  # fmt: skip
    return {"scaling": scaling, "memory": memory, "ratios": ratios}


def _model_info(path: Path | None, opts: BenchOptions) -> dict[str, Any]:
    """Size of the model at ``path``; also fills this machine's shared copy of its arrays
    (through the pipeline's own ``run.build.load_model``), so that no worker pays for, or
    keeps the memory of, the one-time export."""
    from morphgen.run.build import load_model

    m = load_model(bench_config(path, 64, "cpu", opts.per_identity, opts)).model
    expression = m.expression.n_components if m.expression is not None else 0
    return {
        "model_name": m.name,
        "vertices": int(m.n_vertices),
        "triangles": int(m.n_triangles),
        "components": [int(m.shape.n_components), int(m.color.n_components), int(expression)],
    }


def run_benchmark(
    options: BenchOptions = BenchOptions(), say: Callable[[str], None] = print
) -> dict[str, Any]:
    """Measure every case of ``options``; a JSON-ready result (see ``morphgen.bench.report``)."""
    started = time.time()
    machine = describe_machine()
    gl = machine["egl"]
    backends = options.backends or available_backends(gl)
    concrete = [name for name in BACKENDS if name != "auto"]
    unknown = sorted(set(backends) - set(concrete))
    if unknown:
        raise MorphgenError(f"--backends {','.join(unknown)}: expected {', '.join(concrete)}")
    workers = options.workers or tuple(sorted({1, usable_cores()}))
    if options.images % options.per_shard:
        raise MorphgenError(f"--images {options.images}: expected a multiple of --per-shard")
    if options.per_shard % options.per_identity:
        raise MorphgenError(
            f"--per-shard {options.per_shard}: expected a multiple of --per-identity"
        )
    models: dict[str, Path | None] = {}
    for name in options.models:
        if name == DEFAULT:
            models[name] = None
        elif name == BFM:
            say("BFM-sized synthetic model: building or reusing the cached file")
            models[name] = bfm_sized_model(cache_dir(options))
        else:
            models[name] = Path(name)
    ctx = Context(options, models, gl, say)
    ctx.model_info = {name: _model_info(path, options) for name, path in models.items()}
    first = None
    if options.first_run:
        say("first run: numba compile and cache load")
        first = first_run_cost(ctx)
    cases = []
    for model in options.models:
        for backend in backends:
            for size in options.sizes:
                for k, n in enumerate(workers):
                    case = Case(model, size, backend, n)
                    say(f"case {model} {size}px {backend} {n} worker(s)")
                    result = measure_case(case, ctx, reference=k == 0)
                    ips, slowest = result["images_per_s"], result["slowest_stage"]
                    say(f"  {ips:.1f} images/s, slowest stage {slowest}")
                    cases.append(result)
    settings = asdict(options)
    settings.update(backends=list(backends), workers=list(workers))
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in settings.items()}
    machine["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return {
        "machine": machine,
        "settings": settings,
        "first_run": first,
        "cases": cases,
        **derived(cases),
        "seconds": round(time.time() - started, 1),
    }
