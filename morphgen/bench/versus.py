"""morphgen against a peer, side by side in one run: rounds of each, interleaved.

morphgen runs its **default config** (or ``morphgen bench --config FILE``'s) on the
BFM-sized model at 256 px with every output it writes by default (WebDataset shards with
RGB, mask, depth, landmarks and metadata) through the benchmark's job workers; the peer
runs its own pipeline (``bench.peer``) in as many processes. Round ``r`` of morphgen is
followed by round ``r`` of the peer, so drift in the machine's speed hits both alike; the
ratio of each pair and their median are reported.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from morphgen.bench.peer import check_face3d, peer_main
from morphgen.bench.pool import WorkerPool
from morphgen.bench.runner import (
    BenchOptions,
    bfm_sized_model,
    cache_dir,
    config_name,
    median,
    planned_config,
)
from morphgen.run.job import JobSpec

SIZE = 256


def versus_config(model: Path, images: int, opts: BenchOptions) -> Any:
    """The default config (or ``opts.config``) on ``model`` at 256 px, planned for
    ``images`` images."""
    return planned_config(
        opts,
        {
            "model": {"path": str(model)},
            "identities": {
                "count": images // opts.per_identity,
                "images_per_identity": opts.per_identity,
            },
            "camera": {"width": SIZE, "height": SIZE},
            "render": {"backend": "cpu"},
            "output": {"samples_per_shard": opts.per_shard},
        },
    )


def compare_peer(
    peer: str,
    directory: Path,
    workers: int,
    opts: BenchOptions,
    say: Any = print,
    model: Path | None = None,
) -> dict[str, Any]:
    """Interleaved rounds of morphgen and ``peer`` on ``workers`` processes each, on
    ``model`` (default: the BFM-sized synthetic model)."""
    directory = directory.expanduser().resolve()
    check_face3d(directory)
    model = model or bfm_sized_model(cache_dir(opts))
    per_round = opts.images // opts.per_shard  # shards per worker per round
    images = workers * (1 + opts.runs * per_round) * opts.per_shard
    config = versus_config(model, images, opts)
    rounds = []
    say(f"versus {peer}: {workers} worker(s) each, {opts.runs} interleaved rounds")
    with tempfile.TemporaryDirectory(prefix="morphgen-versus-", dir=opts.work_dir) as tmp:
        spec = JobSpec(config, tmp, "cpu").hashed()
        peer_args = [(str(directory), str(model), SIZE, 1000 + w) for w in range(workers)]
        with (
            WorkerPool.for_job(spec, [[w] for w in range(workers)]) as ours,
            WorkerPool(peer_main, peer_args) as theirs,
        ):
            for r in range(opts.runs):
                base = workers + r * workers * per_round
                work = [
                    range(base + w * per_round, base + (w + 1) * per_round) for w in range(workers)
                ]
                wall, results = ours.run(work)
                ours_ips = sum(res["images"] for res in results) / wall
                wall, results = theirs.run([opts.images] * workers)
                theirs_ips = sum(res["images"] for res in results) / wall
                rounds.append(
                    {"morphgen": ours_ips, peer: theirs_ips, "ratio": ours_ips / theirs_ips}
                )
                say(f"  round {r + 1}: morphgen {ours_ips:.1f}, {peer} {theirs_ips:.1f} images/s")
    ratios = [r["ratio"] for r in rounds]
    return {
        "peer": peer,
        "directory": str(directory),
        "workers": workers,
        "size": SIZE,
        "model": str(model),
        "config": f"{config_name(opts.config)} (every output it writes), cpu backend",
        "rounds": rounds,
        "morphgen_images_per_s": median([r["morphgen"] for r in rounds]),
        "peer_images_per_s": median([r[peer] for r in rounds]),
        "ratio": median(ratios),
        "ratio_range": [min(ratios), max(ratios)],
    }
