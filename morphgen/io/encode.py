"""Byte encodings of a sample's arrays, identical bytes for identical arrays.

- images: PNG (lossless, ``io.png``) or JPEG (``quality``, Pillow), 8-bit sRGB;
- masks: 8-bit greyscale PNG whose pixel values are label ids;
- depth ``png16``: 16-bit greyscale PNG in units of ``DEPTH_PNG_UNIT_MM`` (0.1 mm), 0 = background;
- depth ``npy``: float32 millimetres, 0 = background;
- metadata: compact UTF-8 JSON with sorted keys.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import orjson
from PIL import Image

from morphgen.errors import MorphgenError
from morphgen.io.png import encode_png

DEPTH_PNG_UNIT_MM = 0.1
DEPTH_PNG_MAX_MM = 65535 * DEPTH_PNG_UNIT_MM


def encode_image(rgb: np.ndarray, image_format: str = "png", quality: int = 95) -> bytes:
    """An (H, W, 3) or (H, W) uint8 image as PNG or JPEG bytes."""
    pixels = np.asarray(rgb, dtype=np.uint8)
    if image_format == "png":
        return encode_png(pixels)
    if image_format in ("jpg", "jpeg"):
        buf = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(pixels)).save(buf, format="JPEG", quality=int(quality))
        return buf.getvalue()
    raise ValueError(f"unknown image format {image_format!r}; expected png or jpg")


def encode_mask(mask: np.ndarray) -> bytes:
    """An (H, W) uint8 label-id mask as an 8-bit greyscale PNG."""
    return encode_png(np.asarray(mask, dtype=np.uint8))


def encode_depth_png16(depth_mm: np.ndarray) -> bytes:
    """Depth in mm as a 16-bit PNG in 0.1 mm units; raises if a value does not fit."""
    depth = np.asarray(depth_mm, dtype=np.float32)
    if depth.size and float(depth.max()) > DEPTH_PNG_MAX_MM:
        raise MorphgenError(
            f"depth {float(depth.max()):.0f} mm does not fit output.depth: png16 "
            f"(at most {DEPTH_PNG_MAX_MM:.1f} mm in 0.1 mm units); set output.depth: npy"
        )
    # float32 (a float64 copy cost 2 ms at 256 px): off by at most 1e-3 of a unit before rounding
    units = np.rint(np.maximum(depth, 0.0) * np.float32(1.0 / DEPTH_PNG_UNIT_MM))
    return encode_png(units.astype(np.uint16))


def decode_depth_png16(data: bytes) -> np.ndarray:
    """Inverse of ``encode_depth_png16``: float32 mm."""
    with Image.open(io.BytesIO(data)) as image:
        units = np.asarray(image, dtype=np.float32)
    return units * np.float32(DEPTH_PNG_UNIT_MM)


def encode_npy(array: np.ndarray) -> bytes:
    """An array in NumPy's ``.npy`` format."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def decode_npy(data: bytes) -> np.ndarray:
    """Inverse of ``encode_npy``."""
    return np.load(io.BytesIO(data), allow_pickle=False)


def decode_image(data: bytes) -> np.ndarray:
    """PNG/JPEG bytes as a uint8 array ((H, W, 3) colour or (H, W) greyscale)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return np.asarray(image)


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as plain Python values for JSON."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode_json(obj: Any) -> bytes:
    """Compact UTF-8 JSON with sorted keys, each float in its shortest round-trip form; strict
    JSON readers load it (orjson writes a NaN or infinity as null)."""
    return orjson.dumps(obj, default=_plain, option=orjson.OPT_SORT_KEYS)
