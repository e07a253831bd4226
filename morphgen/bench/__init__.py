"""``morphgen bench``: throughput, stage times, reference figures and memory of ``generate``."""

from morphgen.bench.report import markdown, targets
from morphgen.bench.runner import QUICK, BenchOptions, run_benchmark

__all__ = ["QUICK", "BenchOptions", "markdown", "run_benchmark", "targets"]
