"""The sRGB transfer function (IEC 61966-2-1), declared once for every layer that needs it."""

from __future__ import annotations

import numpy as np


def srgb_to_linear(x: np.ndarray) -> np.ndarray:
    """sRGB-encoded values in [0, 1] -> linear, computed in the input's own dtype."""
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def srgb8_to_linear(rgb: tuple[float, float, float]) -> np.ndarray:
    """An 8-bit sRGB triple as linear RGB in [0, 1] (float64)."""
    return srgb_to_linear(np.asarray(rgb, dtype=np.float64) / 255.0)
