"""What kind of model file a path holds, from its first bytes."""

from __future__ import annotations

from pathlib import Path

from morphgen.errors import ModelFormatError

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_MAT_HEADER = b"MATLAB 5.0 MAT-file"  # v5 and v7; v7.3 files are HDF5 after a 512-byte header


def sniff(path: Path) -> str:
    """'hdf5', 'mat' or 'unknown', from the first bytes (a v7.3 .mat file is HDF5)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(600)
    except OSError as exc:
        raise ModelFormatError(f"{path}: cannot read the file ({exc.strerror})") from None
    if head.startswith(_HDF5_SIGNATURE) or head[512:520] == _HDF5_SIGNATURE:
        return "hdf5"
    if head.startswith(_MAT_HEADER):
        return "mat"
    return "unknown"
