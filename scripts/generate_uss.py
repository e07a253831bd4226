"""Worker memory during a real run: ``python scripts/generate_uss.py [--workers 2]``.

Runs ``morphgen generate`` on the benchmark's BFM-sized model (256 px, 32 identities x 8
images, 32 images per shard) and samples each worker's unique memory (USS, psutil) twice
a second; prints each worker's median (past its first fifth of samples: start-up) and
peak (``bench.pool.local_workers``: not the fork server, resource tracker or GL probe).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import yaml

from morphgen.bench.pool import local_workers
from morphgen.bench.runner import BenchOptions, bfm_sized_model, cache_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    model = bfm_sized_model(cache_dir(BenchOptions()))
    config = {
        "seed": 0,
        "model": {"path": str(model)},
        "identities": {"count": 32, "images_per_identity": 8},
        "camera": {"width": 256, "height": 256},
        "output": {"samples_per_shard": 32},
    }
    with tempfile.TemporaryDirectory(prefix="morphgen-uss-") as tmp:
        (Path(tmp) / "config.yaml").write_text(yaml.safe_dump(config))
        cmd = [sys.executable, "-m", "morphgen.cli", "generate", "--config"]
        cmd += [str(Path(tmp) / "config.yaml"), "--out", str(Path(tmp) / "d")]
        cmd += ["--workers", str(args.workers), "--quiet"]
        proc = subprocess.Popen(cmd)
        samples: dict[int, list[float]] = {}
        while proc.poll() is None:
            try:
                for p in local_workers(proc.pid):
                    samples.setdefault(p.pid, []).append(p.memory_full_info().uss / 2**20)
            except psutil.Error:  # a process ended between listing and reading
                pass
            time.sleep(0.5)
    for pid, values in samples.items():
        steady = values[len(values) // 5 :]
        median, peak = statistics.median(steady), max(steady)
        print(f"worker {pid}: {len(values)} samples, USS median {median:.0f} MB, peak {peak:.0f}")


if __name__ == "__main__":
    main()
