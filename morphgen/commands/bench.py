"""``morphgen bench``: measure generate's throughput, stage times and memory on this machine."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from morphgen.errors import MorphgenError


def _ints(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected comma-separated integers") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected positive integers")
    return values


def _names(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def _versus(args: argparse.Namespace, options: Any, say: Any) -> dict[str, Any]:
    """The side-by-side comparison with the peer named by ``--peer``."""
    from morphgen.bench.machine import describe_machine, usable_cores
    from morphgen.bench.peer import PEERS
    from morphgen.bench.versus import compare_peer

    if not args.peer:
        raise MorphgenError("--peer-only: give --peer NAME DIR as well")
    name, directory = args.peer
    if name not in PEERS:
        raise MorphgenError(f"--peer {name}: expected one of {', '.join(PEERS)}")
    workers = max(options.workers or (usable_cores(),))
    versus = compare_peer(name, Path(directory), workers, options, say)
    return {"machine": describe_machine(), "versus": versus}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``bench`` subcommand."""
    p = sub.add_parser(
        "bench",
        help="benchmark generate: images/s, stage times, memory per worker",
        description="Run the generate pipeline (Sampler -> Renderer -> WebDataset shards with "
        "RGB, mask, depth, landmarks and metadata) for each model, image size, backend and "
        "worker count; print a markdown table of medians after warm-up, the per-stage times, "
        "the rasteriser and the encoder alone for reference, memory per worker, and which "
        "targets are met. A benchmark, not a test: run it on a quiet machine.",
    )
    p.add_argument("--quick", action="store_true", help="a short run: 256 px, fewer images")
    p.add_argument(
        "--json", metavar="FILE", help="also write the result as JSON ('-': JSON on stdout only)"
    )
    p.add_argument("--sizes", type=_ints, help="image sizes in px (default 128,256,512)")
    p.add_argument(
        "--models",
        type=_names,
        help="'default', 'bfm' (BFM-sized synthetic) or model files (default: default,bfm)",
    )
    p.add_argument("--backends", type=_names, help="cpu, egl, osmesa (default: every available)")
    p.add_argument("--workers", type=_ints, help="worker counts (default: 1 and every core)")
    p.add_argument("--images", type=int, help="images per worker per round")
    p.add_argument("--per-shard", type=int, help="images per shard")
    p.add_argument("--per-identity", type=int, help="images per identity")
    p.add_argument("--runs", type=int, help="timed rounds per case (the median is reported)")
    p.add_argument("--no-first-run", action="store_true", help="skip the numba compile measurement")
    p.add_argument("--no-generate", action="store_true", help="skip the generate() check")
    p.add_argument("--cache", metavar="DIR", help="where to keep the BFM-sized model file")
    p.add_argument(
        "--config",
        metavar="FILE",
        help="measure this YAML config instead of the defaults (the benchmark still sets the "
        "model, image size, backend, identities and shards; its matrix, every output)",
    )
    p.add_argument(
        "--peer",
        nargs=2,
        metavar=("NAME", "DIR"),
        help="also time a peer side by side (NAME: face3d; DIR: its checkout, rasteriser built)",
    )
    p.add_argument(
        "--peer-only", action="store_true", help="with --peer: measure only the comparison"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; print the markdown report (or JSON with ``--json -``)."""
    from morphgen.bench import QUICK, BenchOptions, markdown, run_benchmark
    from morphgen.bench.runner import planned_config

    options = QUICK if args.quick else BenchOptions()
    changes = {
        "sizes": args.sizes,
        "models": args.models,
        "backends": args.backends,
        "workers": args.workers,
        "images": args.images,
        "per_shard": args.per_shard,
        "per_identity": args.per_identity,
        "runs": args.runs,
        "cache_dir": Path(args.cache) if args.cache else None,
        "config": Path(args.config) if args.config else None,
    }
    options = replace(options, **{k: v for k, v in changes.items() if v is not None})
    if args.no_first_run:
        options = replace(options, first_run=False)
    if args.no_generate:
        options = replace(options, generate_check=False)
    for name in ("images", "per_shard", "per_identity", "runs"):
        if getattr(options, name) < 1:
            raise MorphgenError(f"--{name.replace('_', '-')}: expected a positive integer")
    if options.config is not None:
        planned_config(options, {})  # a wrong file or key stops here, before any measuring
    to_stdout = args.json == "-"
    say = (lambda text: print(text, file=sys.stderr, flush=True)) if to_stdout else print
    result = _versus(args, options, say) if args.peer_only else run_benchmark(options, say=say)
    if args.peer and not args.peer_only:
        result["versus"] = _versus(args, options, say)["versus"]
    if to_stdout:
        print(json.dumps(result, indent=1))
        return 0
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    print()
    print(markdown(result))
    return 0
