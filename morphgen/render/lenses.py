"""See-through lenses: a faint tint and reflection over what lies behind them.

Clear lenses are not part of the frame (the eyes behind them keep their labels). They are
drawn alone, and where a lens lies in front of the visible surface its coverage tints the
colour there (``tint`` per channel, times the coverage) and adds a faint reflection of the
sky, brighter at the lens's top, in linear light. Labels and depth are untouched.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from morphgen.render.backend import Backend, Frame, Raster
from morphgen.render.layers import Layer
from morphgen.render.pose import transform

REFLECTION = 0.08  # linear white added at the top of a lens, fading to none at its bottom


def tint_lenses(
    backend: Backend, frame: Frame, lenses: list[Layer], to_camera: np.ndarray, raster: Raster
) -> np.ndarray:
    """``raster.color`` with the clear ``lenses`` (model space) tinted over it."""
    vertices = np.concatenate([transform(lens.vertices, to_camera) for lens in lenses])
    starts = np.cumsum([0] + [len(lens.vertices) for lens in lenses[:-1]])
    triangles = np.concatenate([lens.triangles + s for lens, s in zip(lenses, starts, strict=True)])
    tint = np.concatenate([lens.albedo for lens in lenses])  # per-vertex tint colour
    drawn = backend.draw(
        replace(
            frame,
            vertices=vertices,
            triangles=triangles.astype(np.int32),
            colors=tint,
            triangle_labels=np.full(len(triangles), lenses[0].label, dtype=np.uint8),
            attributes={},
            triangle_windows=None,
            windows=(),
            texture=None,  # the head's: its UVs would dress the lens's first triangles
            uv=None,
        )  # fmt: skip
    )
    front = (drawn.alpha > 0) & ((raster.depth == 0) | (drawn.depth <= raster.depth + 1.0))
    front &= raster.alpha > 0
    if not front.any():
        return raster.color
    a = drawn.alpha[front][:, None]
    rows = np.nonzero(front)[0]
    top, bottom = rows.min(), rows.max() + 1
    sky = REFLECTION * (1.0 - (rows - top) / max(bottom - top, 1))[:, None]
    color = raster.color.copy()
    behind = color[front]
    color[front] = behind * (1.0 - a * (1.0 - drawn.color[front])) + a * sky
    return np.clip(color, 0.0, 1.0)
