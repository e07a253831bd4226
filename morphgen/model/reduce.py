"""A model's level of detail: the same model over fewer triangles, for small images.

At 256 px a BFM-sized head (106k triangles) puts several triangles in each pixel it
covers: the per-vertex work (expression, normals, shading, dressing) and the rasteriser's
per-triangle work buy nothing a pixel shows. ``reduced`` keeps a subset of the vertices
(``model.decimate``), with their bases, regions and landmarks as they are, and fewer
triangles over them; region outlines, open boundaries, landmark vertices and the eyes and
teeth stay exactly as they were.
"""

from __future__ import annotations

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.model.decimate import decimate, locked_vertices
from morphgen.model.morphable import Blendshapes, MorphableModel, PCAComponent

VERSION = 1  # bump when a change here or in model.decimate gives another reduced model
TRIANGLES_PER_PIXEL = 0.4  # the detail drawn: 26k triangles at 256 x 256
MIN_SAVING = 2.0  # reduce only when it at least halves the triangles
# regions kept whole: their few vertices carry detail a pixel shows (an iris, tooth edges)
WHOLE = tuple(LABEL_IDS[name] for name in ("left_eye", "right_eye", "teeth"))


def auto_triangles(model: MorphableModel, width: int, height: int) -> int | None:
    """The triangle count ``render.detail: auto`` draws ``model`` with at this image size,
    or None for the full mesh: a model with texture coordinates (its seams are not
    decimated), or one that reducing to ``TRIANGLES_PER_PIXEL`` would not halve."""
    target = int(round(TRIANGLES_PER_PIXEL * width * height))
    if model.uv is not None or target * MIN_SAVING > model.n_triangles:
        return None
    return target


def reduced(model: MorphableModel, n_triangles: int) -> MorphableModel:
    """``model`` over at most ``n_triangles`` triangles and the vertices they use (plus its
    landmarks), its components restricted to those vertices."""
    if model.uv is not None:
        raise ValueError("models with texture coordinates are drawn in full")
    marks = np.array(sorted(set(model.landmarks.values())), dtype=np.int64)
    whole = marks if model.regions is None else np.flatnonzero(np.isin(model.regions, WHOLE))
    locked = locked_vertices(
        model.triangles, model.n_vertices, model.regions, np.union1d(marks, whole)
    )
    tris = decimate(model.mean_vertices(), model.triangles, locked, n_triangles)
    keep = np.union1d(np.unique(tris), marks)
    index = np.full(model.n_vertices, -1, dtype=np.int64)
    index[keep] = np.arange(len(keep))
    rows = (3 * keep[:, None] + np.arange(3)[None, :]).reshape(-1)

    def part(comp: PCAComponent | None) -> PCAComponent | None:
        if comp is None:
            return None
        return PCAComponent(comp.mean[rows], comp.basis[rows], comp.variance)

    shapes = model.blendshapes
    return MorphableModel(
        shape=part(model.shape),
        color=part(model.color),
        triangles=index[tris].astype(np.int32),
        expression=part(model.expression),
        blendshapes=None if shapes is None else Blendshapes(shapes.names, shapes.deltas[rows]),
        landmarks={name: int(index[v]) for name, v in model.landmarks.items()},
        regions=None if model.regions is None else model.regions[keep],
        name=model.name,
        source=model.source,
        units=model.units,
        vertex_ids=keep if model.vertex_ids is None else model.vertex_ids[keep],
    )
