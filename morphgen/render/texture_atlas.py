"""A model's texture atlas, baked once per process: which surface point each texel shows.

``bake_atlas`` rasterises every triangle's UV corners (``MorphableModel.uv``) into a square
``size x size`` grid of texel centres. Each covered texel records its triangle, its
barycentric weights and, from them, its point on the mean shape (in the face's frame:
x to the subject's left, y up, z forward, origin at the nose tip) and its region label.
Procedural textures are functions of these per-texel attributes, so they are seamless in
3D although the UV layout has seams. ``fill`` maps every texel to the nearest covered one
(``DILATE_TEXELS`` at most), which pads the islands so bilinear lookups and coarser mip
levels never mix in empty texels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from morphgen.model.morphable import MorphableModel
from morphgen.model.regions import face_frame
from morphgen.render.centres import cover_centres

DILATE_TEXELS = 8


@dataclass
class Atlas:
    """The covered texels of a model's UV layout at one resolution (see the module docstring)."""

    size: int
    texel: np.ndarray  # (T,) int64 flat texel indices (row * size + col), covered texels
    triangle: np.ndarray  # (T,) int32 triangle per covered texel
    bary: np.ndarray  # (T, 3) float32 barycentric weights of its corners
    position: np.ndarray  # (T, 3) float32 mean-shape point in the face frame, mm
    region: np.ndarray  # (T,) uint8 region label of its triangle
    fill: np.ndarray  # (size * size,) int64 covered-texel index per texel; T (empty) far away
    frame: np.ndarray  # (N, 3) float32 every mean-shape vertex in the face frame
    corners: np.ndarray  # (T, 3) int32 the vertices of each covered texel's triangle

    def gather(self, per_vertex: np.ndarray) -> np.ndarray:
        """Per-vertex values ``(N, C)`` interpolated at every covered texel: ``(T, C)``."""
        values = np.ascontiguousarray(per_vertex, dtype=np.float32)
        out = np.empty((len(self.texel), values.shape[1]), dtype=np.float32)
        _gather(values, self.corners, self.bary, out)
        return out

    def image(self, values: np.ndarray, empty: np.ndarray) -> np.ndarray:
        """Covered-texel values ``(T, C)`` as a dilated ``(size, size, C)`` image."""
        values = np.ascontiguousarray(values, dtype=np.float32)
        out = np.empty((self.size * self.size, values.shape[1]), dtype=np.float32)
        _fill(values, self.fill, np.asarray(empty, dtype=np.float32), out)
        return out.reshape(self.size, self.size, -1)


@njit(cache=True, nogil=True)
def _gather(values, corners, bary, out):  # pragma: no cover - jitted
    for t in range(corners.shape[0]):
        a, b, c = corners[t, 0], corners[t, 1], corners[t, 2]
        for ch in range(values.shape[1]):
            out[t, ch] = (
                bary[t, 0] * values[a, ch] + bary[t, 1] * values[b, ch] + bary[t, 2] * values[c, ch]
            )


@njit(cache=True, nogil=True)
def _fill(values, fill, empty, out):  # pragma: no cover - jitted
    n = values.shape[0]
    for k in range(fill.shape[0]):
        src = fill[k]
        for ch in range(values.shape[1]):
            out[k, ch] = values[src, ch] if src < n else empty[ch]


def bake_atlas(model: MorphableModel, size: int) -> Atlas:
    """The atlas of ``model`` (which must have ``uv``) at ``size x size`` texels."""
    from scipy.ndimage import distance_transform_edt

    assert model.uv is not None
    tri = np.full((size, size), -1, dtype=np.int32)
    bary = np.zeros((size, size, 3), dtype=np.float64)
    # the later of overlapping triangles wins a texel: its index as the depth
    order = np.repeat(np.arange(len(model.uv), dtype=np.float64)[:, None], 3, axis=1)
    depth = np.full((size, size), -np.inf)
    cover_centres(model.uv.astype(np.float64) * size, order, tri, bary, depth)
    covered = tri.reshape(-1) >= 0
    texel = np.flatnonzero(covered)
    triangle = tri.reshape(-1)[texel]
    weights = bary.reshape(-1, 3)[texel].astype(np.float32)
    frame = _face_frame(model)
    position = np.einsum("tk,tkc->tc", weights, frame[model.triangles[triangle]])
    region = model.triangle_regions()[triangle]
    order = np.full(size * size, len(texel), dtype=np.int64)  # len(texel): the "empty" row
    order[texel] = np.arange(len(texel))
    distance, (rows, cols) = distance_transform_edt(
        ~covered.reshape(size, size), return_indices=True
    )
    fill = order[(rows * size + cols).reshape(-1)]
    fill[distance.reshape(-1) > DILATE_TEXELS] = len(texel)
    corners = model.triangles[triangle]
    return Atlas(
        size, texel, triangle, weights, position.astype(np.float32), region, fill, frame, corners
    )


def _face_frame(model: MorphableModel) -> np.ndarray:
    """Mean-shape vertices in the face frame, or as they are without the landmarks it needs."""
    needed = ("ibug09", "ibug31", "ibug37", "ibug46")
    mean = model.mean_vertices().astype(np.float32)
    if all(name in model.landmarks for name in needed):
        return face_frame(mean, model.landmarks)
    return mean
