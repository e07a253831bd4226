"""Skin tone of a colour draw: the CIE L* of the mean face-skin albedo, and its bounds.

The mean skin albedo is linear in the colour coefficients (the model's mean and scaled
basis averaged over the ``skin`` region, or over every vertex without regions), so its L*
costs one small product per draw. A Gaussian draw has tails beyond any real skin: a few in
a thousand default-model identities came out near black (L* < 20) with the colour model's
blotches at their strongest. ``bounded`` moves such a draw straight towards the mean colour
until its L* lies on the nearest bound.
"""

from __future__ import annotations

import numpy as np

from morphgen.colour import LUMINANCE
from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel

BISECTIONS = 40  # steps of the search along the draw (the bound to far below 0.01 L*)


def l_star(y: float) -> float:
    """CIE L* of relative luminance ``y`` (white = 1)."""
    f = y ** (1.0 / 3.0) if y > 216 / 24389 else (24389 / 27 * y + 16) / 116
    return float(116.0 * f - 16.0)


class SkinTone:
    """L* of the mean skin albedo of colour coefficients (standard-normal units) of ``model``."""

    def __init__(self, model: MorphableModel):
        skin = np.arange(model.n_vertices)
        if model.regions is not None and (model.regions == LABEL_IDS["skin"]).any():
            skin = np.flatnonzero(model.regions == LABEL_IDS["skin"])
        rows = (3 * skin[:, None] + np.arange(3)).reshape(-1)
        self._mean = model.color.mean[rows].reshape(-1, 3).mean(axis=0).astype(np.float64)
        # the skin rows of ``scaled_basis``, without scaling every row of the basis first
        sd = np.sqrt(np.maximum(model.color.variance, 0.0))
        basis = (model.color.basis[rows] * sd[None, :]).astype(np.float64)
        self._basis = basis.reshape(len(skin), 3, -1).mean(axis=0)  # (3, k)

    def luminance(self, color: np.ndarray) -> float:
        """Relative luminance Y of the mean skin albedo of ``color`` (as many components as
        the model has)."""
        k = min(len(color), self._basis.shape[1])
        rgb = np.clip(self._mean + self._basis[:, :k] @ np.asarray(color[:k], np.float64), 0, 1)
        return float(rgb @ LUMINANCE)

    def __call__(self, color: np.ndarray) -> float:
        """L* of the mean skin albedo of ``color``."""
        return l_star(self.luminance(color))

    def bounded(self, color: np.ndarray, low: float, high: float) -> np.ndarray:
        """``color`` if its L* lies in ``[low, high]``; else ``t * color`` with the largest
        ``t`` in (0, 1) whose L* is on the bound (unchanged if the mean colour is outside)."""
        tone = self(color)
        if low <= tone <= high or not low <= self(np.zeros_like(color)) <= high:
            return color
        bound = low if tone < low else high
        inside, outside = 0.0, 1.0  # fractions of the draw: L* in range / beyond the bound
        for _ in range(BISECTIONS):
            t = 0.5 * (inside + outside)
            if (self(t * color) - bound) * (tone - bound) > 0:
                outside = t
            else:
                inside = t
        return (inside * color).astype(color.dtype)
