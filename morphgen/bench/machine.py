"""Describe the machine a benchmark ran on: CPU, cores, memory, OpenGL, GPU, load."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from typing import Any


def cpu_model() -> str:
    """The CPU's marketing name from ``/proc/cpuinfo`` (or ``platform.processor()``)."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def gpus() -> list[str]:
    """NVIDIA GPU names from ``nvidia-smi`` (empty when there is none)."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


def opengl(platform_name: str = "egl") -> dict[str, Any]:
    """The headless OpenGL of ``platform_name`` as probed in a child process."""
    from morphgen.render.select import describe_gl

    return describe_gl(platform_name)


def describe_machine() -> dict[str, Any]:
    """Everything a reader needs to compare a benchmark with another machine's."""
    import numba
    import numpy
    import psutil

    return {
        "cpu": cpu_model(),
        "cores": usable_cores(),
        "logical_cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "egl": opengl("egl"),
        "gpus": gpus(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def backend_label(backend: str, gl: dict[str, Any]) -> str:
    """``cpu``, or a GL backend with its renderer, e.g. ``egl (llvmpipe)``."""
    if backend == "cpu":
        return "cpu"
    renderer = str(gl.get("renderer", "")).split("(")[0].strip() or "unknown"
    return f"{backend} ({renderer})"
