"""Per-pixel texture lookup, shared by every backend so that they agree exactly.

A backend that knows each face pixel's triangle and barycentric weights calls
``apply_texture``: the pixel's UV is interpolated from its triangle's corner UVs
(``Frame.uv``), the texture level (``Frame.texture``, ``(S, S, 6)``) is sampled bilinearly
(texel centres at ``(i + 0.5) / S``, clamped at the edges), the colour (and the albedo map,
if rendered) is multiplied by the RGB ratio, and the brow and beard labels follow the drawn
hair: a pixel is brow or beard where that hair covers at least half of it, and a mesh brow
pixel without drawn brow is skin.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from morphgen.labels import LABEL_IDS

COVERED = 0.5
_SKIN, _NECK = LABEL_IDS["skin"], LABEL_IDS["neck"]
_LEFT_BROW, _RIGHT_BROW = LABEL_IDS["left_brow"], LABEL_IDS["right_brow"]
_BEARD = LABEL_IDS["beard"]


@njit(cache=True, nogil=True)
def bilinear_at(texture, u, v, out):  # pragma: no cover - jitted
    """``texture (S, S, C)`` at (u, v) into ``out (C,)``."""
    h, w = texture.shape[0], texture.shape[1]
    x = min(max(u * w - 0.5, 0.0), w - 1.0)
    y = min(max(v * h - 0.5, 0.0), h - 1.0)
    x0, y0 = min(int(x), w - 2), min(int(y), h - 2)
    fx, fy = x - x0, y - y0
    for ch in range(texture.shape[2]):
        top = texture[y0, x0, ch] * (1.0 - fx) + texture[y0, x0 + 1, ch] * fx
        bottom = texture[y0 + 1, x0, ch] * (1.0 - fx) + texture[y0 + 1, x0 + 1, ch] * fx
        out[ch] = top * (1.0 - fy) + bottom * fy


@njit(cache=True, nogil=True)
def _apply(texture, uv, color, mask, triangle_id, bary, albedo, has_albedo):  # pragma: no cover
    values = np.empty(texture.shape[2], dtype=np.float32)
    for i in range(triangle_id.shape[0]):
        for j in range(triangle_id.shape[1]):
            t = triangle_id[i, j]
            if t < 0 or t >= uv.shape[0]:  # background, or a layer after the head's triangles
                continue
            w0, w1, w2 = bary[i, j, 0], bary[i, j, 1], bary[i, j, 2]
            u = w0 * uv[t, 0, 0] + w1 * uv[t, 1, 0] + w2 * uv[t, 2, 0]
            v = w0 * uv[t, 0, 1] + w1 * uv[t, 1, 1] + w2 * uv[t, 2, 1]
            bilinear_at(texture, u, v, values)
            for ch in range(3):
                color[i, j, ch] = min(max(color[i, j, ch] * values[ch], 0.0), 1.0)
                if has_albedo:
                    albedo[i, j, ch] = min(max(albedo[i, j, ch] * values[ch], 0.0), 1.0)
            label = mask[i, j]
            brow = label == _LEFT_BROW or label == _RIGHT_BROW
            if not (brow or label == _SKIN or label == _NECK):
                continue
            if brow:
                label = _SKIN
            if values[5] >= COVERED:
                label = _BEARD
            if values[4] >= COVERED:
                label = _RIGHT_BROW
            if values[3] >= COVERED:
                label = _LEFT_BROW
            mask[i, j] = label


def apply_texture(
    texture: np.ndarray,
    uv: np.ndarray,
    color: np.ndarray,
    mask: np.ndarray,
    triangle_id: np.ndarray,
    bary: np.ndarray,
    albedo: np.ndarray | None = None,
) -> None:
    """Modulate ``color`` (and ``albedo``) and relabel hair in ``mask``, in place."""
    has_albedo = albedo is not None
    _apply(
        np.ascontiguousarray(texture, dtype=np.float32),
        np.ascontiguousarray(uv, dtype=np.float32),
        color, mask, triangle_id, bary,
        albedo if has_albedo else np.zeros((1, 1, 3), dtype=np.float32), has_albedo,
    )  # fmt: skip
