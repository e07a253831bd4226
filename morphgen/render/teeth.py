"""Teeth told apart: the shadow between neighbouring teeth, as a per-vertex albedo factor.

The teeth share one flat albedo, so under one light a row of them reads as a single white
slab, most of all at three-quarter views where the far side's teeth overlap. Real teeth are
separated by dark interproximal gaps. Each tooth of the model is a separate connected part
of its ``teeth`` region; a tooth's vertices near another tooth of the same arch (upper or
lower, split by the parts' heights on the mean shape) are darkened, down to
``GAP_FLOOR`` where they touch, fading out ``GAP_MM`` away. A pure function of the model.
"""

from __future__ import annotations

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel
from morphgen.render.hair.search import k_nearest

GAP_MM = 2.0  # the shadow between teeth fades out this far from the neighbouring tooth
GAP_FLOOR = 0.4  # albedo factor where two teeth touch
MIN_TEETH = 4  # fewer separate parts than this: not a set of teeth, left alone


def tooth_parts(triangles: np.ndarray, teeth: np.ndarray, n_vertices: int) -> np.ndarray:
    """A part id per vertex of ``teeth`` (vertex indices): connected through triangles
    whose three vertices are all teeth."""
    inside = triangles[np.isin(triangles, teeth).all(axis=1)]
    edges = np.concatenate([inside[:, [0, 1]], inside[:, [1, 2]], inside[:, [2, 0]]])
    label = np.arange(n_vertices)
    while True:  # each vertex takes the smallest label it is connected to
        low = np.minimum(label[edges[:, 0]], label[edges[:, 1]])
        new = label.copy()
        np.minimum.at(new, edges[:, 0], low)
        np.minimum.at(new, edges[:, 1], low)
        if np.array_equal(new, label):
            break
        label = new[new]
    return np.unique(label[teeth], return_inverse=True)[1]


def tooth_shading(model: MorphableModel) -> np.ndarray | None:
    """``(N,)`` float32 albedo factors (1 off the teeth), or None for a model without
    separate teeth."""
    if model.regions is None:
        return None
    teeth = np.flatnonzero(model.regions == LABEL_IDS["teeth"])
    if not len(teeth):
        return None
    part = tooth_parts(model.triangles, teeth, model.n_vertices)
    n_parts = int(part.max()) + 1
    if n_parts < MIN_TEETH:
        return None
    points = model.mean_vertices()[teeth].astype(np.float64)
    heights = np.array([points[part == k, 1].mean() for k in range(n_parts)])
    upper = heights > np.median(heights)
    gap = np.full(len(teeth), np.inf)
    for k in range(n_parts):
        own = part == k
        same_arch = ~own & (upper[part] == upper[k])
        if same_arch.any():
            gap[own] = k_nearest(points[own], points[same_arch], 1)[1][:, 0]
    t = np.clip(gap / GAP_MM, 0.0, 1.0)
    factor = np.ones(model.n_vertices, dtype=np.float32)
    factor[teeth] = GAP_FLOOR + (1.0 - GAP_FLOOR) * t * t * (3.0 - 2.0 * t)
    return factor
