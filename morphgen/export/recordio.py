"""MXNet RecordIO writing (``.rec`` + ``.idx``) with InsightFace's image-record header.

Layout (dmlc-core, src/recordio.cc ``RecordIOWriter::WriteRecord`` and
include/dmlc/recordio.h): each record is a little-endian uint32 magic ``0xced7230a``, a
uint32 ``lrec = cflag << 29 | length``, the payload, zero padding to 4 bytes. A payload
that holds the magic at a 4-byte-aligned offset is split there into parts (cflag 1 first,
2 middle, 3 last; the magic itself is dropped and a reader puts it back), so a reader
that scans for the magic never mistakes image bytes for a record start.

Payload (mxnet, python/mxnet/recordio.py ``pack``): the header ``IfQQ`` (flag, label,
id, id2); when the label is an array, flag = its length, the label field is 0 and the
float32 array follows the header. The ``.idx`` file has one "key<TAB>byte offset" line
per record (mxnet ``MXIndexedRecordIO``).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import BinaryIO

MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", MAGIC)
_HEADER = struct.Struct("<IfQQ")
_MAX_LENGTH = (1 << 29) - 1


def pack(label: float | Sequence[float], payload: bytes, record_id: int = 0) -> bytes:
    """An image-record payload: the IRHeader, the label array if any, then ``payload``."""
    if isinstance(label, int | float):
        return _HEADER.pack(0, float(label), record_id, 0) + payload
    labels = struct.pack(f"<{len(label)}f", *label)
    return _HEADER.pack(len(label), 0.0, record_id, 0) + labels + payload


def _lrec(cflag: int, length: int) -> bytes:
    return _MAGIC_BYTES + struct.pack("<I", (cflag << 29) | length)


def frame(payload: bytes) -> bytes:
    """One record as it lies in a ``.rec`` file, split at aligned magic numbers."""
    if len(payload) > _MAX_LENGTH:
        raise ValueError(f"a RecordIO record holds at most {_MAX_LENGTH} bytes")
    parts, start = [], 0
    for i in range(0, len(payload) - 3, 4):
        if payload[i : i + 4] == _MAGIC_BYTES:
            parts += [_lrec(1 if start == 0 else 2, i - start), payload[start:i]]
            start = i + 4
    tail = payload[start:]
    parts += [_lrec(3 if start else 0, len(tail)), tail, b"\0" * (-len(payload) % 4)]
    return b"".join(parts)


class IndexedWriter:
    """Appends records to an open ``.rec`` stream and their offsets to an ``.idx`` stream."""

    def __init__(self, rec: BinaryIO, idx: BinaryIO):
        self.rec, self.idx = rec, idx
        self.offset = 0

    def write(self, key: int, payload: bytes) -> None:
        """Write one record under ``key``."""
        data = frame(payload)
        self.idx.write(f"{key}\t{self.offset}\n".encode())
        self.rec.write(data)
        self.offset += len(data)
