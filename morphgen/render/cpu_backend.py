"""The ``cpu`` backend: a numba z-buffer rasteriser with a supersampled visibility buffer.

Each image is rasterised once into an ``s x s`` supersampled buffer holding the visible
triangle of every sample (by default ``s = 3``, 9 samples per pixel, for images up to
384 px, and ``s = 2``, as many samples as 4x multisampling, above). The per-pixel
resolve then derives everything from that one buffer:

- ``alpha``: the covered fraction of the pixel's samples (anti-aliased coverage);
- ``color``: the mean colour of the covered samples, interpolated perspective-correctly
  from the per-vertex shaded colours (so inner silhouettes are anti-aliased too);
- ``triangle_id``, ``mask``, ``depth``: where ``alpha >= 0.5``, the triangle of the
  covered sample nearest the pixel centre (the centre sample itself when covered), its
  label (exact: never blended) and the distance along the camera axis of its plane at
  the pixel centre; background (-1, 0, 0) elsewhere;
- attribute maps: the same triangle's perspective-correct barycentrics at the pixel centre;
- texture (``Frame.texture``): looked up per pixel at those barycentrics
  (``textures.lookup``, the code pyrender's backend uses too).

Only the projected mesh's bounding box is cleared and resolved per frame.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.render import raster_kernels as rk
from morphgen.render.backend import Frame, Raster, finish_raster


@lru_cache(maxsize=4)
def _sample_order(s: int) -> np.ndarray:
    """Sample offsets of a pixel sorted by distance to its centre (ties in scan order)."""
    k = np.arange(s * s)
    d = ((k // s + 0.5) / s - 0.5) ** 2 + ((k % s + 0.5) / s - 0.5) ** 2
    return np.argsort(d, kind="stable").astype(np.int64)


# Largest image side rasterised with 3 x 3 samples per pixel by default; larger images get
# 2 x 2 (their pixels are smaller, and 9 samples would cost 2.5x the time at 1024 px).
AUTO_3X3_MAX_SIDE = 384


# Layer triangles are tested against the head's nearest depth per tile of this many pixels.
CULL_TILE_PX = 8
_NO_FLOOR = np.zeros((0, 0), dtype=np.float32)


def _head_triangles(labels: np.ndarray) -> int:
    """How many leading triangles carry face-region labels (the head, which the renderer
    puts before its layers: hair, glasses, headwear, clothing)."""
    layer = np.asarray(labels) >= LABEL_IDS["hair"]
    return int(np.argmax(layer)) if layer.any() else len(layer)


class CpuBackend:
    """``Backend`` implemented with numba; one instance per process, reused for every image."""

    name = "cpu"

    def __init__(self, supersample: int | None = None) -> None:
        if supersample is not None and not 1 <= supersample <= 4:
            raise ValueError(f"supersample {supersample}: expected 1..4")
        self.supersample = supersample
        self._zbuf = np.zeros((0, 0), dtype=np.float32)
        self._idbuf = np.zeros((0, 0), dtype=np.int32)
        self._wbuf = np.zeros((0, 0), dtype=np.uint8)

    def samples_per_side(self, height: int, width: int) -> int:
        """The supersampling factor for an image: ``supersample``, or 3 up to 384 px, else 2."""
        if self.supersample is not None:
            return self.supersample
        return 3 if max(height, width) <= AUTO_3X3_MAX_SIDE else 2

    def _buffers(self, height: int, width: int, s: int) -> tuple[np.ndarray, np.ndarray]:
        if self._zbuf.shape != (height * s, width * s):
            self._zbuf = np.zeros((height * s, width * s), dtype=np.float32)
            self._idbuf = np.full((height * s, width * s), -1, dtype=np.int32)
            self._wbuf = np.zeros((height * s, width * s), dtype=np.uint8)
        return self._zbuf, self._idbuf

    def _window_bits(self, frame: Frame, s: int, box: tuple[int, int, int, int]) -> np.ndarray:
        """Per-triangle window bits, with ``_wbuf`` filled over the pixel box ``box``."""
        if frame.triangle_windows is None or not frame.windows:
            return np.zeros(len(frame.triangles), dtype=np.uint8)
        i0, i1, j0, j1 = box
        self._wbuf[i0 * s : (i1 + 1) * s, j0 * s : (j1 + 1) * s] = 0
        for k, polygon in enumerate(frame.windows):
            poly = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
            if len(poly) < 3:
                continue  # an empty window
            (x0, y0), (x1, y1) = poly.min(axis=0), poly.max(axis=0)
            rows = max(i0, int(np.floor(y0))), min(i1, int(np.ceil(y1)))
            cols = max(j0, int(np.floor(x0))), min(j1, int(np.ceil(x1)))
            if rows[0] <= rows[1] and cols[0] <= cols[1]:
                rk.fill_window(poly, np.uint8(1 << k), s, self._wbuf, *rows, *cols)
        return np.ascontiguousarray(frame.triangle_windows, dtype=np.uint8)

    def draw(self, frame: Frame) -> Raster:
        """Rasterise one frame (see the module docstring for what each output holds)."""
        h, w = frame.height, frame.width
        s = self.samples_per_side(h, w)
        n = len(frame.vertices)
        xyz = np.empty((n, 3))
        vertices = np.ascontiguousarray(frame.vertices, dtype=np.float32)
        bbox = rk.project(vertices, frame.fx, frame.fy, frame.cx, frame.cy, s, frame.near, xyz)
        color = np.zeros((h, w, 3), dtype=np.float32)
        alpha = np.zeros((h, w), dtype=np.float32)
        mask = np.zeros((h, w), dtype=np.uint8)
        depth = np.zeros((h, w), dtype=np.float32)
        tri_id = np.full((h, w), -1, dtype=np.int32)
        bary = np.zeros((h, w, 3), dtype=np.float32)
        pixels = _pixel_box(bbox, s, h, w)
        if pixels is not None:
            i0, i1, j0, j1 = pixels
            zbuf, idbuf = self._buffers(h, w, s)
            triangles = np.ascontiguousarray(frame.triangles, dtype=np.int32)
            windows = self._window_bits(frame, s, pixels)
            box = (i0 * s, i1 * s + s - 1, j0 * s, j1 * s + s - 1)
            rk.clear(zbuf, idbuf, *box)
            # the head first; then its depth per tile lets the layers skip what it hides
            head = _head_triangles(frame.triangle_labels)
            args = (windows, self._wbuf, zbuf, idbuf, *box)
            rk.rasterize(xyz, triangles, 0, head, *args, _NO_FLOOR, 1)
            if head < len(triangles):
                tile = CULL_TILE_PX * s
                rows, cols = box[1] - box[0] + 1, box[3] - box[2] + 1
                floor = np.empty((-(-rows // tile), -(-cols // tile)), dtype=np.float32)
                rk.tile_floor(zbuf, *box, tile, floor)
                rk.rasterize(xyz, triangles, head, len(triangles), *args, floor, tile)
            colors = np.ascontiguousarray(frame.colors, dtype=np.float32)
            labels = np.ascontiguousarray(frame.triangle_labels, dtype=np.uint8)
            rk.resolve(
                xyz, triangles, labels, colors, idbuf, zbuf, s, _sample_order(s), frame.fx,
                i0, i1, j0, j1,
                color, alpha, mask, depth, tri_id, bary,
            )  # fmt: skip
        return finish_raster(frame, color, alpha, mask, depth, tri_id, bary)

    def close(self) -> None:
        """Drop the sample buffers."""
        self._zbuf = np.zeros((0, 0), dtype=np.float32)
        self._idbuf = np.zeros((0, 0), dtype=np.int32)
        self._wbuf = np.zeros((0, 0), dtype=np.uint8)


def _pixel_box(
    bbox: tuple[float, float, float, float], s: int, h: int, w: int
) -> tuple[int, int, int, int] | None:
    """Pixel rows i0..i1, cols j0..j1 that the sample-space box can touch, or None."""
    x0, y0, x1, y1 = bbox
    if not (x1 >= 0 and y1 >= 0 and x0 <= w * s and y0 <= h * s):
        return None
    j0, j1 = max(0, int(x0 // s)), min(w - 1, int(x1 // s))
    i0, i1 = max(0, int(y0 // s)), min(h - 1, int(y1 // s))
    return i0, i1, j0, j1
