"""The skin under the colour model's brows, for textures that draw their own brows.

The per-vertex colour model paints each brow as a darker patch (``model/build/colour_model``:
the brow regions blended towards a hair colour, with a softer ring around them). A texture
draws brows as strands, so under sparse or light strands that patch would show as a
second, blurry brow. ``BrowFill`` replaces the per-vertex colour over the brows and
``MARGIN_MM`` around them by the harmonic interpolation of the skin colour around that patch
(each patch vertex the mean of its mesh neighbours), solved once per model as a linear map
from the boundary vertices' colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel
from morphgen.render.texture_atlas import Atlas

MARGIN_MM = 9.0  # the colour model's brow ring fades out within about this distance
FILLED_LABELS = ("skin", "left_brow", "right_brow", "scalp")


@dataclass
class BrowFill:
    """A linear map from the colours of the vertices around the brow patches to those in them,
    and the covered texels that the patches touch."""

    patch: np.ndarray  # (P,) vertex ids inside the patches
    boundary: np.ndarray  # (B,) vertex ids bordering them
    weights: np.ndarray  # (P, B) float32: patch colour = weights @ boundary colour
    texels: np.ndarray  # (T,) covered-texel indices whose triangle has a corner in the patch

    def apply(self, atlas: Atlas, vertex_albedo: np.ndarray, albedo: np.ndarray) -> None:
        """Set ``albedo`` (per covered texel) at the patch texels to the filled skin colour."""
        filled = np.asarray(vertex_albedo, dtype=np.float32).copy()
        filled[self.patch] = self.weights @ filled[self.boundary]
        bary = atlas.bary[self.texels]
        albedo[self.texels] = np.einsum("tk,tkc->tc", bary, filled[atlas.corners[self.texels]])


def brow_fill(model: MorphableModel, atlas: Atlas) -> BrowFill | None:
    """The brow patches of ``model`` (None without brow regions)."""
    # here: workers of models without UVs never build textures, nor load these
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import splu
    from scipy.spatial import cKDTree

    regions = model.regions
    if regions is None:
        return None
    brows = np.isin(regions, [LABEL_IDS["left_brow"], LABEL_IDS["right_brow"]])
    if not brows.any():
        return None
    mean = model.mean_vertices()
    fillable = np.isin(regions, [LABEL_IDS[name] for name in FILLED_LABELS])
    near = cKDTree(mean[brows]).query(mean, distance_upper_bound=MARGIN_MM)[0] < MARGIN_MM
    inside = fillable & near
    graph = vertex_adjacency(model.triangles, fillable)  # skin only: never the eyes' colours
    touches = (graph @ inside.astype(np.float64)) > 0
    outside = touches & ~inside
    patch, boundary = np.flatnonzero(inside), np.flatnonzero(outside)
    degree = np.asarray(graph.sum(axis=1)).ravel()
    # (D - A) x = 0 on the patch: D_pp x_p - A_pp x_p = A_pb x_b
    sub = graph[patch][:, patch]
    system = (coo_matrix((degree[patch], (range(len(patch)), range(len(patch))))) - sub).tocsc()
    rhs = graph[patch][:, boundary].toarray()
    weights = splu(system).solve(rhs).astype(np.float32)
    in_patch = np.zeros(model.n_vertices, dtype=bool)
    in_patch[patch] = True
    texels = np.flatnonzero(in_patch[atlas.corners].any(axis=1))
    return BrowFill(patch, boundary, weights, texels)


def vertex_adjacency(triangles: np.ndarray, keep: np.ndarray):
    """The symmetric 0/1 adjacency (CSR) of the mesh's vertices where ``keep``."""
    from scipy.sparse import coo_matrix

    t = triangles
    rows = np.concatenate([t[:, 0], t[:, 1], t[:, 2], t[:, 1], t[:, 2], t[:, 0]])
    cols = np.concatenate([t[:, 1], t[:, 2], t[:, 0], t[:, 0], t[:, 1], t[:, 2]])
    both = keep[rows] & keep[cols]
    n = len(keep)
    graph = coo_matrix((np.ones(both.sum()), (rows[both], cols[both])), shape=(n, n)).tocsr()
    graph.data[:] = 1.0
    return graph
