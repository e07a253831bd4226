"""A real small filesystem for full-disk tests: a tmpfs mounted as root, else a skip."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_filesystem(directory: Path, size: int) -> Iterator[Path]:
    """A tmpfs of ``size`` bytes mounted at ``directory`` for the block (skip if not root)."""
    directory.mkdir(parents=True, exist_ok=True)
    cmd = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.skip("no mount command here: cannot make a small filesystem")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (needs root): {done.stderr.strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)


def resize(directory: Path, size: int) -> None:
    """Grow (or shrink) the tmpfs at ``directory``: space freed mid-run."""
    opts = f"remount,size={size}"
    subprocess.run(["mount", "-o", opts, str(directory)], check=True, capture_output=True)
