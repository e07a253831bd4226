"""A RecordIO reader written from the format's description, independent of morphgen's writer.

dmlc-core's recordio (magic 0xced7230a, lrec = cflag << 29 | length, 4-byte padding; a
record split into parts cflag 1, 2, 3 rejoins with the magic between them), mxnet's
IRHeader (``IfQQ``; flag > 0 means flag float32 labels follow), and ``.idx`` lines
"key<TAB>offset". The tests also read with mxnet itself when it is importable.
"""

from __future__ import annotations

import struct
from pathlib import Path

MAGIC = 0xCED7230A


def read_index(path: Path) -> dict[int, int]:
    """key -> byte offset."""
    out = {}
    for line in Path(path).read_text().splitlines():
        key, offset = line.split("\t")
        out[int(key)] = int(offset)
    return out


def read_record(data: bytes, offset: int) -> tuple[bytes, int]:
    """The payload of the record at ``offset`` and the offset just after it."""
    parts = []
    while True:
        magic, lrec = struct.unpack_from("<II", data, offset)
        assert magic == MAGIC, f"no record at {offset}"
        cflag, length = lrec >> 29, lrec & ((1 << 29) - 1)
        offset += 8
        parts.append(data[offset : offset + length])
        offset += (length + 3) // 4 * 4
        if cflag in (0, 3):
            return struct.pack("<I", MAGIC).join(parts), offset
        assert cflag in (1, 2)


def unpack(payload: bytes) -> tuple[int, float | tuple[float, ...], int, bytes]:
    """(flag, label or labels, id, rest) of an image record."""
    flag, label, rid, _ = struct.unpack_from("<IfQQ", payload)
    rest = payload[24:]
    if flag > 0:
        labels = struct.unpack_from(f"<{flag}f", rest)
        return flag, labels, rid, rest[4 * flag :]
    return flag, label, rid, rest


def read_all(directory: Path) -> dict[int, bytes]:
    """Every record's payload by key, through the index."""
    data = (Path(directory) / "train.rec").read_bytes()
    return {k: read_record(data, off)[0] for k, off in read_index(directory / "train.idx").items()}


def read_sequential(path: Path) -> list[bytes]:
    """Every record's payload in file order, without the index."""
    data, offset, out = Path(path).read_bytes(), 0, []
    while offset < len(data):
        payload, offset = read_record(data, offset)
        out.append(payload)
    return out
