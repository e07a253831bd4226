"""Image augmentations after rendering: deterministic, every random value given in the op.

``apply_augmentations(rgb, ops)`` applies ops such as the sampler records in
``SceneParams.augment``, in list order, to an sRGB uint8 image; geometry (masks,
depth, landmarks) is never touched, so labels stay exact.

| op | parameters |
|---|---|
| ``blur`` | ``sigma``: Gaussian standard deviation in pixels |
| ``resample`` | ``factor``: down to this fraction of the size (box filter), back up (bilinear) |
| ``color_jitter`` | ``brightness``, ``contrast``, ``saturation`` factors; ``hue`` in turns |
| ``noise`` | ``std`` in [0, 1] intensity units; ``seed`` of the noise |
| ``jpeg`` | ``quality`` 1-100: encode and decode once |
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from morphgen.errors import MorphgenError


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0:
        return img
    return np.asarray(Image.fromarray(img).filter(ImageFilter.GaussianBlur(radius=sigma)))


def _resample(img: np.ndarray, factor: float) -> np.ndarray:
    if factor >= 1.0:
        return img
    h, w = img.shape[:2]
    small = (max(1, round(w * factor)), max(1, round(h * factor)))
    pil = Image.fromarray(img).resize(small, Image.Resampling.BOX)
    return np.asarray(pil.resize((w, h), Image.Resampling.BILINEAR))


def _luma(x: np.ndarray) -> np.ndarray:
    return x @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _color_jitter(
    img: np.ndarray,
    brightness: float = 1.0,
    contrast: float = 1.0,
    saturation: float = 1.0,
    hue: float = 0.0,
) -> np.ndarray:
    x = img.astype(np.float32) / 255.0
    x = x * brightness
    x = (x - _luma(x).mean()) * contrast + _luma(x).mean()
    grey = _luma(x)[..., None]
    x = grey + (x - grey) * saturation
    x = np.clip(x, 0.0, 1.0)
    if hue:
        hsv = np.asarray(Image.fromarray((x * 255 + 0.5).astype(np.uint8)).convert("HSV"))
        hsv = hsv.copy()
        hsv[..., 0] = ((hsv[..., 0].astype(np.int32) + round(hue * 256)) % 256).astype(np.uint8)
        return np.asarray(Image.fromarray(hsv, mode="HSV").convert("RGB"))
    return (x * 255 + 0.5).astype(np.uint8)


def _noise(img: np.ndarray, std: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = img.astype(np.float32) / 255.0 + rng.normal(0.0, std, img.shape).astype(np.float32)
    return (np.clip(x, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


_OPS = {
    "blur": lambda img, op: _blur(img, float(op["sigma"])),
    "resample": lambda img, op: _resample(img, float(op["factor"])),
    "color_jitter": lambda img, op: _color_jitter(
        img,
        float(op.get("brightness", 1.0)),
        float(op.get("contrast", 1.0)),
        float(op.get("saturation", 1.0)),
        float(op.get("hue", 0.0)),
    ),
    "noise": lambda img, op: _noise(img, float(op["std"]), int(op["seed"])),
    "jpeg": lambda img, op: _jpeg(img, int(op["quality"])),
}


def apply_augmentations(rgb: np.ndarray, ops: list[dict[str, Any]]) -> np.ndarray:
    """``rgb`` (H, W, 3) uint8 with ``ops`` applied in order; the same ops give the same image."""
    img = np.ascontiguousarray(rgb, dtype=np.uint8)
    for op in ops:
        name = op.get("op")
        if name not in _OPS:
            raise MorphgenError(f"augment: unknown op {name!r}; expected one of {', '.join(_OPS)}")
        try:
            img = np.ascontiguousarray(_OPS[name](img, op), dtype=np.uint8)
        except KeyError as exc:
            raise MorphgenError(f"augment: op {name!r} lacks parameter {exc}") from None
    return img
