"""Refuse an HDF5 dataset whose declared size cannot be real before reading it.

A small file can declare a dataset of any shape; reading it would allocate the declared
size (a MemoryError or the out-of-memory killer). An unfiltered dataset must be stored
in the file, so it cannot be larger than the file; any dataset must fit in memory.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import psutil

from morphgen.errors import ModelFormatError


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def check_declared_size(node: h5py.Dataset, path: Path, key: str) -> None:
    """``ModelFormatError`` when ``node`` declares more bytes than the file or memory holds."""
    declared = int(node.size) * node.dtype.itemsize
    unfiltered = node.id.get_create_plist().get_nfilters() == 0
    stored = path.stat().st_size
    if unfiltered and declared > stored:
        raise ModelFormatError(
            f"{path}: /{key} declares shape {node.shape} ({_gib(declared)}) but the file "
            f"holds only {_gib(stored)}; the file is truncated or corrupt"
        )
    available = psutil.virtual_memory().available
    if declared > available:
        raise ModelFormatError(
            f"{path}: /{key} declares shape {node.shape} ({_gib(declared)}), more than the "
            f"{_gib(available)} of memory available"
        )
