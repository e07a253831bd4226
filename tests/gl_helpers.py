"""Shared by the OpenGL tests: skip cleanly where EGL cannot work in this process."""

from __future__ import annotations

import os
import sys

import pytest

from morphgen.render import gl_probe


def egl_or_skip() -> None:
    """Skip the test unless an EGL context works and this process may use the egl platform."""
    info = gl_probe.probe("egl")
    if not info.ok:
        pytest.skip(f"EGL OpenGL is not available here: {info.error}")
    if "OpenGL" in sys.modules and os.environ.get("PYOPENGL_PLATFORM") != "egl":
        pytest.skip("this test process already loaded OpenGL for another platform")
