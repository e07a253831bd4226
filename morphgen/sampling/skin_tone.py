"""Skin tone of a colour draw: the CIE L*, chroma and hue of the mean face-skin albedo, and
bounds on them.

The mean skin albedo is linear in the colour coefficients (the model's mean and scaled
basis averaged over the ``skin`` region, or over every vertex without regions), so its L*
costs one small product per draw. A Gaussian draw has tails beyond any real skin: a few in
a thousand default-model identities came out near black (L* < 20) with the colour model's
blotches at their strongest. ``bounded`` moves such a draw straight towards the mean colour
until its L* lies on the nearest bound.

A linear model adds its redness and undertone effects at one size whatever the tone, so on
dark skin they swing the hue far more than on light skin: of default-model draws under
L* 40, 37% had a CIELAB hue outside 40-70 degrees (mauve or green-grey faces), against
0.2% at L* 60-70. Real skin keeps its hue within about that band at every tone (melanin
masks the blood's redness). The same model's dark skin is greyer than real skin: chroma
C*ab about 12.6 at L* 30 (16.8 at L* 65), where facial skin measured with a
spectroradiometer has about 21 at L* 27 and 25 at L* 52 (IADR 2009, "Proposed shade guide
for human facial skin", 120 subjects: cluster centroids (26.7, 14.6, 14.7) and
(52.5, 17.0, 18.9)). ``lch_bounded`` moves a draw by the smallest change of coefficients
that puts its hue and chroma on the nearest bounds at the same L*.
``toned`` moves a draw along the luminance gradient until its L* is a target
(``identities.color.tone``: a chosen skin-tone distribution).
"""

from __future__ import annotations

import numpy as np

from morphgen.colour import LUMINANCE, lab_to_linear, linear_to_lab
from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel

BISECTIONS = 40  # steps of the search along the draw (the bound to far below 0.01 L*)
TONE_REACH_SD = 20.0  # ``toned`` searches this far along the luminance gradient either way
MIN_CHROMA = 1.0  # a mean skin colour this close to grey has no hue to bound


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
        self._mean_lch = self.lch(np.zeros(basis.shape[1]))  # the model's own mean colour

    def albedo(self, color: np.ndarray) -> np.ndarray:
        """Mean skin albedo (linear RGB, clipped to [0, 1]) of ``color`` (at most as many
        components as the model has)."""
        k = min(len(color), self._basis.shape[1])
        return np.clip(self._mean + self._basis[:, :k] @ np.asarray(color[:k], np.float64), 0, 1)

    def luminance(self, color: np.ndarray) -> float:
        """Relative luminance Y of the mean skin albedo of ``color``."""
        return float(self.albedo(color) @ LUMINANCE)

    def lch(self, color: np.ndarray) -> tuple[float, float, float]:
        """CIE L*, chroma C*ab and hue angle (degrees, -180..180) of the mean skin albedo."""
        lightness, a, b = linear_to_lab(self.albedo(color))
        return float(lightness), float(np.hypot(a, b)), float(np.degrees(np.arctan2(b, a)))

    def __call__(self, color: np.ndarray) -> float:
        """L* of the mean skin albedo of ``color``."""
        return l_star(self.luminance(color))

    def bounded(self, color: np.ndarray, low: float, high: float) -> np.ndarray:
        """``color`` if its L* lies in ``[low, high]``; else ``t * color`` with the largest
        ``t`` in (0, 1) whose L* is on the bound (unchanged if the mean colour is outside)."""
        tone = self(color)
        if low <= tone <= high or not low <= self._mean_lch[0] <= high:
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

    def toned(self, color: np.ndarray, target: float) -> np.ndarray:
        """``color`` moved along the gradient of its mean skin luminance until its L* is
        ``target`` (the nearest reachable L* if the channels clip first)."""
        k = min(len(color), self._basis.shape[1])
        direction = np.zeros(len(color))
        direction[:k] = LUMINANCE @ self._basis[:, :k]
        direction /= np.linalg.norm(direction)
        base = np.asarray(color, np.float64)
        low, high = -TONE_REACH_SD, TONE_REACH_SD  # L* rises with the step (clipping: flat)
        for _ in range(BISECTIONS):
            t = 0.5 * (low + high)
            if self(base + t * direction) < target:
                low = t
            else:
                high = t
        return (base + 0.5 * (low + high) * direction).astype(color.dtype)

    def lch_bounded(
        self,
        color: np.ndarray,
        hue: tuple[float, float] | None,
        chroma: tuple[float, float] | None,
    ) -> np.ndarray:
        """``color`` with the hue (degrees) and chroma of its mean skin albedo clipped into
        ``hue`` and ``chroma`` (None: no bound) at the same L*, by the smallest change of
        coefficients; unchanged where both lie inside. A bound that the model's own mean
        colour lies outside is not applied (its palette is left alone), nor a hue bound to
        a nearly grey colour."""
        lightness, c, h = self.lch(color)
        _, mean_c, mean_h = self._mean_lch
        goal_c, goal_h = c, h
        if hue is not None and c >= MIN_CHROMA and hue[0] <= mean_h <= hue[1]:
            goal_h = min(max(h, hue[0]), hue[1])
        if chroma is not None and chroma[0] <= mean_c <= chroma[1]:
            goal_c = min(max(c, chroma[0]), chroma[1])
        if (goal_c, goal_h) == (c, h):
            return color
        angle = np.radians(goal_h)
        lab = np.array([lightness, goal_c * np.cos(angle), goal_c * np.sin(angle)])
        k = min(len(color), self._basis.shape[1])
        out = np.asarray(color, np.float64).copy()
        out[:k] += np.linalg.pinv(self._basis[:, :k]) @ (lab_to_linear(lab) - self.albedo(color))
        return out.astype(color.dtype)
