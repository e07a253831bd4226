"""Flat triangles onto a grid of cell centres: which triangle covers each, and where.

A small compiled rasteriser for work done once per model (the texture atlas, the ambient
occlusion's depth maps), not the image rasteriser (``raster_kernels``). A cell ``(row,
col)`` is covered by a triangle when its centre ``(col + 0.5, row + 0.5)`` lies inside or
on an edge; of the triangles covering it, the one with the largest interpolated ``z``
wins (later triangles on ties).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def cover_centres(xy, z, tri_out, bary_out, z_out):  # pragma: no cover - jitted
    """``xy`` ``(T, 3, 2)`` and ``z`` ``(T, 3)`` per triangle corner; writes, per covered
    cell, the winner's index, its barycentrics and ``z`` (``z_out`` starts at -inf)."""
    rows, cols = z_out.shape
    for t in range(xy.shape[0]):
        ax, ay, bx, by = xy[t, 0, 0], xy[t, 0, 1], xy[t, 1, 0], xy[t, 1, 1]
        cx, cy = xy[t, 2, 0], xy[t, 2, 1]
        area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
        if area == 0.0:
            continue
        c0 = max(int(np.ceil(min(ax, bx, cx) - 0.5)), 0)
        c1 = min(int(np.floor(max(ax, bx, cx) - 0.5)), cols - 1)
        r0 = max(int(np.ceil(min(ay, by, cy) - 0.5)), 0)
        r1 = min(int(np.floor(max(ay, by, cy) - 0.5)), rows - 1)
        for r in range(r0, r1 + 1):
            py = r + 0.5
            for c in range(c0, c1 + 1):
                px = c + 0.5
                wa = ((bx - px) * (cy - py) - (by - py) * (cx - px)) / area
                wb = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) / area
                wc = 1.0 - wa - wb
                if wa < 0.0 or wb < 0.0 or wc < 0.0:
                    continue
                depth = wa * z[t, 0] + wb * z[t, 1] + wc * z[t, 2]
                if depth >= z_out[r, c]:
                    z_out[r, c] = depth
                    tri_out[r, c] = t
                    bary_out[r, c, 0], bary_out[r, c, 1], bary_out[r, c, 2] = wa, wb, wc
