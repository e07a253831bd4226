"""Find out, without risking the caller, whether headless OpenGL works and what it is.

``probe(platform)`` runs ``python -m morphgen.render.gl_probe <platform>`` in a child
process: a missing or crashing driver cannot kill the caller, and no GL state or
``PYOPENGL_PLATFORM`` setting leaks into it. ``missing_requirements`` names what is
absent (system libraries, Python packages) without importing OpenGL at all.
"""

from __future__ import annotations

import ctypes.util
import functools
import glob
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass

PLATFORMS = ("egl", "osmesa")
# Debian/Ubuntu packages (REFERENCE section 8); libxrender1 is needed to import pyrender.
SYSTEM_PACKAGES = {
    "egl": ("libegl1", "libegl-mesa0", "libgl1", "libgl1-mesa-dri", "libxrender1"),
    "osmesa": ("libosmesa6", "libgl1", "libxrender1"),
}
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer")
_EGL_VENDOR_DIRS = ("/usr/share/glvnd/egl_vendor.d", "/etc/glvnd/egl_vendor.d")
_OSMESA_PYOPENGL = (3, 1, 5)


@dataclass(frozen=True)
class GLInfo:
    """The outcome of a probe: whether a context came up, and the driver's strings."""

    platform: str
    ok: bool
    vendor: str = ""
    renderer: str = ""
    version: str = ""
    error: str = ""

    @property
    def software(self) -> bool:
        """True when the renderer is a CPU rasteriser (llvmpipe, softpipe, swrast)."""
        return any(name in self.renderer.lower() for name in SOFTWARE_RENDERERS)

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "software": self.software}


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def install_hint(platform: str) -> str:
    """How to install what ``platform`` needs, as one sentence."""
    hint = "sudo apt-get install -y " + " ".join(SYSTEM_PACKAGES[platform])
    if platform == "osmesa":
        hint += (
            " and then, in a separate step after installing morphgen, "
            "pip install 'PyOpenGL>=3.1.7' (asking for it together with pyrender makes pip "
            "fall back to an old pyrender)"
        )
    return hint


def missing_requirements(platform: str) -> list[str]:
    """What ``platform`` lacks on this machine, each item naming its package; [] if nothing."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown OpenGL platform {platform!r}; expected one of {PLATFORMS}")
    missing = []
    if importlib.util.find_spec("pyrender") is None:
        missing.append("the Python package pyrender (pip install pyrender)")
    libraries = [("GL", "libgl1"), ("Xrender", "libxrender1")]
    if platform == "egl":
        libraries.insert(0, ("EGL", "libegl1"))
    else:
        libraries.insert(0, ("OSMesa", "libosmesa6"))
    for lib, package in libraries:
        if ctypes.util.find_library(lib) is None:
            missing.append(f"lib{lib} (Debian package {package})")
    if platform == "egl" and not any(glob.glob(f"{d}/*.json") for d in _EGL_VENDOR_DIRS):
        missing.append("an EGL vendor library (Debian package libegl-mesa0, or the NVIDIA driver)")
    if platform == "osmesa":
        try:
            have = importlib.metadata.version("PyOpenGL")
        except importlib.metadata.PackageNotFoundError:
            have = "none"
        if have == "none" or _version_tuple(have) < _OSMESA_PYOPENGL:
            missing.append(f"PyOpenGL >= 3.1.5 for OSMesa (installed: {have})")
    return missing


@functools.cache
def probe(platform: str = "egl", device: int | None = None, timeout: float = 120.0) -> GLInfo:
    """Create a 1x1 context for ``platform`` in a child process and report it (cached)."""
    env = dict(os.environ, PYOPENGL_PLATFORM=platform)
    if device is not None:
        env["EGL_DEVICE_ID"] = str(device)
    cmd = [sys.executable, "-m", "morphgen.render.gl_probe", platform]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return GLInfo(platform, False, error=f"the OpenGL probe hung for {timeout:.0f} s")
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines:
        return GLInfo(**json.loads(lines[-1]))
    tail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return GLInfo(platform, False, error=f"the OpenGL probe failed: {tail}")


def _probe_here(platform: str) -> GLInfo:
    """Open a context in this process (the child's job) and read the driver strings."""
    if os.environ.get("PYOPENGL_PLATFORM") != platform:
        raise RuntimeError("set PYOPENGL_PLATFORM before running the probe")
    try:
        import pyrender
        from OpenGL import GL

        renderer = pyrender.OffscreenRenderer(1, 1)
        renderer._platform.make_current()  # pyrender keeps its context private
        names = (GL.GL_VENDOR, GL.GL_RENDERER, GL.GL_VERSION)
        strings = [GL.glGetString(name).decode() for name in names]
        renderer.delete()
    except Exception as exc:  # any failure to open a context is the answer
        return GLInfo(platform, False, error=f"{type(exc).__name__}: {exc}")
    return GLInfo(platform, True, *strings)


if __name__ == "__main__":
    info = _probe_here(sys.argv[1])
    print(json.dumps(asdict(info)))
