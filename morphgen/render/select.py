"""Choose a render backend by name: auto | cpu | egl | osmesa.

``auto`` takes ``MORPHGEN_BACKEND`` when it is set; otherwise it probes EGL in a child
process and picks ``egl`` when a hardware OpenGL answers, ``cpu`` when the only OpenGL
is a software rasteriser (llvmpipe, softpipe) or there is none: on a CPU, morphgen's
numba rasteriser is several times faster than llvmpipe.
"""

from __future__ import annotations

import os

from morphgen.config.schema import BACKENDS
from morphgen.errors import MorphgenError
from morphgen.render import gl_probe
from morphgen.render.backend import Backend

ENV_VAR = "MORPHGEN_BACKEND"


def resolve_backend_name(name: str = "auto", device: int | None = None) -> str:
    """The concrete backend ``name`` stands for on this machine (cpu, egl or osmesa)."""
    if name == "auto":
        env = os.environ.get(ENV_VAR, "").strip().lower()
        if env:
            if env not in BACKENDS:
                raise MorphgenError(
                    f"environment variable {ENV_VAR}={env!r}: expected one of {', '.join(BACKENDS)}"
                )
            name = env
    if name not in BACKENDS:
        raise MorphgenError(f"render backend {name!r}: expected one of {', '.join(BACKENDS)}")
    if name != "auto":
        return name
    info = gl_probe.probe("egl", device)
    return "egl" if info.ok and not info.software else "cpu"


def make_backend(name: str = "auto", device: int | None = None) -> Backend:
    """Build the backend ``name`` (see ``resolve_backend_name``); ``device`` picks an EGL GPU."""
    concrete = resolve_backend_name(name, device)
    if concrete == "cpu":
        from morphgen.render.cpu_backend import CpuBackend

        return CpuBackend()
    from morphgen.render.pyrender_backend import PyrenderBackend

    return PyrenderBackend(concrete, device)


def describe_gl(platform: str = "egl", device: int | None = None) -> dict[str, object]:
    """Vendor, renderer and version strings of ``platform``'s OpenGL (probed, cached)."""
    return gl_probe.probe(platform, device).to_dict()
