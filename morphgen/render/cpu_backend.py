"""The ``cpu`` backend: a numba z-buffer rasteriser with a supersampled visibility buffer.

Each image is rasterised once into a supersampled buffer holding the visible triangle of
every sample: by default 5 samples per pixel (its centre and a 4-sample rotated grid,
``rotated_pattern``) for images up to 384 px, and a 2 x 2 grid (as many samples as 4x
multisampling) above; ``CpuBackend(s)`` forces an ``s x s`` grid. The per-pixel resolve
then derives everything from that one buffer:

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

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.render import raster_kernels as rk
from morphgen.render.backend import Frame, Raster, finish_raster

# Largest image side rasterised with the 5-sample rotated grid by default; larger images
# get 2 x 2 (their pixels are smaller).
AUTO_ROTATED_MAX_SIDE = 384
# Layer triangles are tested against the head's nearest depth per tile of about this many pixels.
CULL_TILE_PX = 8
_NO_FLOOR = np.zeros((0, 0), dtype=np.float32)


@dataclass(frozen=True)
class SamplePattern:
    """Where a pixel's samples lie (see ``raster_kernels.rasterize`` and ``resolve``).

    Sample space is image space scaled by ``scale``; its cells hold one sample each at
    ``stamp`` (x, y) from the cell centre, in ``len(stamp)`` adjacent buffer columns.
    Pixel (i, j) has base sample ``(ri i + rj j + rb, ci i + cj j + cb)`` (``lattice``)
    and owns the samples ``offsets`` (buffer rows, cols) from it, which lie at
    ``positions`` (x, y) from its corner in sample space; ``tile`` is the culling tile.
    """

    name: str
    scale: int
    stamp: np.ndarray
    lattice: np.ndarray
    offsets: np.ndarray
    positions: np.ndarray
    shape: tuple[int, int]
    tile: int

    @cached_property
    def centre(self) -> np.ndarray:
        """The pixel centre (x, y) from its corner in sample space."""
        return np.full(2, self.scale / 2)

    @cached_property
    def order(self) -> np.ndarray:
        """Sample indices by distance to the pixel centre (ties in scan order)."""
        d = ((self.positions - self.centre) ** 2).sum(axis=1)
        return np.argsort(d, kind="stable").astype(np.int64)


@lru_cache(maxsize=8)
def regular_pattern(s: int, h: int, w: int) -> SamplePattern:
    """An ``s x s`` grid of samples per pixel."""
    offsets = np.array([[r, c] for r in range(s) for c in range(s)], dtype=np.int64)
    return SamplePattern(
        f"{s}x{s}", s, np.zeros((1, 2)), np.array([s, 0, 0, 0, s, 0], dtype=np.int64),
        offsets, offsets[:, ::-1] + 0.5, (h * s, w * s), CULL_TILE_PX * s,
    )  # fmt: skip


# The rotated grid's samples around the pixel centre (in pixels): no two share a row or a
# column of the 1/16-pixel grid, so near-horizontal and near-vertical edges get 6 levels
# of coverage. Their reach (0.48 px) matches the 3 x 3 grid's corners (0.47 px): nearer
# in, more rim pixels would count as fully covered (colour from the centre alone).
ROTATED_OFFSETS = (
    (0.0, 0.0),
    (0.4375, 0.1875),
    (-0.1875, 0.4375),
    (-0.4375, -0.1875),
    (0.1875, -0.4375),
)


@lru_cache(maxsize=8)
def rotated_pattern(h: int, w: int) -> SamplePattern:
    """Five samples per pixel: its centre and four on a grid rotated by atan(3/7) (a
    4-sample rotated grid), side by side in the buffer (one cell per pixel)."""
    stamp = np.array(ROTATED_OFFSETS)
    n = len(stamp)
    offsets = np.column_stack([np.zeros(n), np.arange(n)]).astype(np.int64)
    return SamplePattern(
        "rotated5", 1, stamp, np.array([1, 0, 0, 0, n, 0], dtype=np.int64), offsets,
        stamp + 0.5, (h, n * w), CULL_TILE_PX,
    )  # fmt: skip


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

    def pattern(self, height: int, width: int) -> SamplePattern:
        """The sample pattern for an image: ``supersample`` x ``supersample``, or by default
        the 5-sample rotated grid up to 384 px and 2 x 2 above."""
        if self.supersample is not None:
            return regular_pattern(self.supersample, height, width)
        if max(height, width) <= AUTO_ROTATED_MAX_SIDE:
            return rotated_pattern(height, width)
        return regular_pattern(2, height, width)

    def _buffers(self, pattern: SamplePattern) -> tuple[np.ndarray, np.ndarray]:
        """The sample buffers (1/z, triangle) for ``pattern``, kept between frames."""
        if self._zbuf.shape != pattern.shape:
            self._zbuf = np.zeros(pattern.shape, dtype=np.float32)
            self._idbuf = np.full(pattern.shape, -1, dtype=np.int32)
            self._wbuf = np.zeros(pattern.shape, dtype=np.uint8)
        return self._zbuf, self._idbuf

    def _window_bits(
        self, frame: Frame, pattern: SamplePattern, box: tuple[int, int, int, int]
    ) -> np.ndarray:
        """Per-triangle window bits, with ``_wbuf`` filled over the pixel box ``box``."""
        if frame.triangle_windows is None or not frame.windows:
            return np.zeros(len(frame.triangles), dtype=np.uint8)
        i0, i1, j0, j1 = box
        r0, r1, c0, c1 = _sample_box(pattern.scale, box)
        lanes = len(pattern.stamp)
        self._wbuf[r0 : r1 + 1, c0 * lanes : (c1 + 1) * lanes] = 0
        for k, polygon in enumerate(frame.windows):
            poly = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
            if len(poly) < 3:
                continue  # an empty window
            (x0, y0), (x1, y1) = poly.min(axis=0), poly.max(axis=0)
            rows = max(i0, int(np.floor(y0))), min(i1, int(np.ceil(y1)))
            cols = max(j0, int(np.floor(x0))), min(j1, int(np.ceil(x1)))
            if rows[0] <= rows[1] and cols[0] <= cols[1]:
                rk.fill_window(
                    poly, np.uint8(1 << k), pattern.lattice, pattern.offsets, self._wbuf,
                    *rows, *cols,
                )  # fmt: skip
        return np.ascontiguousarray(frame.triangle_windows, dtype=np.uint8)

    def draw(self, frame: Frame) -> Raster:
        """Rasterise one frame (see the module docstring for what each output holds)."""
        h, w = frame.height, frame.width
        pattern = self.pattern(h, w)
        s = pattern.scale
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
            zbuf, idbuf = self._buffers(pattern)
            triangles = np.ascontiguousarray(frame.triangles, dtype=np.int32)
            windows = self._window_bits(frame, pattern, pixels)
            box = _sample_box(s, pixels)
            lanes = len(pattern.stamp)
            r0, r1, c0, c1 = box
            rk.clear(zbuf, idbuf, r0, r1, c0 * lanes, c1 * lanes + lanes - 1)
            # the head first; then its depth per tile lets the layers skip what it hides
            head = _head_triangles(frame.triangle_labels)
            args = (windows, self._wbuf, zbuf, idbuf, pattern.stamp, *box)
            rk.rasterize(xyz, triangles, 0, head, *args, _NO_FLOOR, 1)
            if head < len(triangles):
                tile = pattern.tile
                rows, cols = box[1] - box[0] + 1, box[3] - box[2] + 1
                floor = np.empty((-(-rows // tile), -(-cols // tile)), dtype=np.float32)
                rk.tile_floor(zbuf, *box, tile, lanes, floor)
                rk.rasterize(xyz, triangles, head, len(triangles), *args, floor, tile)
            colors = np.ascontiguousarray(frame.colors, dtype=np.float32)
            labels = np.ascontiguousarray(frame.triangle_labels, dtype=np.uint8)
            rk.resolve(
                xyz, triangles, labels, colors, idbuf, zbuf, pattern.lattice, pattern.offsets,
                s, pattern.positions, pattern.order, pattern.centre, frame.fx, i0, i1, j0, j1,
                color, alpha, mask, depth, tri_id, bary,
            )  # fmt: skip
        return finish_raster(frame, color, alpha, mask, depth, tri_id, bary)

    def close(self) -> None:
        """Drop the sample buffers."""
        self._zbuf = np.zeros((0, 0), dtype=np.float32)
        self._idbuf = np.zeros((0, 0), dtype=np.int32)
        self._wbuf = np.zeros((0, 0), dtype=np.uint8)


def _sample_box(s: int, pixels: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Sample-space cell rows r0..r1, cols c0..c1 of pixels rows i0..i1, cols j0..j1."""
    i0, i1, j0, j1 = pixels
    return i0 * s, i1 * s + s - 1, j0 * s, j1 * s + s - 1


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
