"""Skin tone of a colour draw: the CIE L* and hue of the mean face-skin albedo, and bounds.

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
masks the blood's redness). ``hue_bounded`` moves such a draw by the smallest change of
coefficients that puts its hue on the nearest bound at the same L* and chroma.
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

    def albedo(self, color: np.ndarray) -> np.ndarray:
        """Mean skin albedo (linear RGB, clipped to [0, 1]) of ``color`` (at most as many
        components as the model has)."""
        k = min(len(color), self._basis.shape[1])
        return np.clip(self._mean + self._basis[:, :k] @ np.asarray(color[:k], np.float64), 0, 1)

    def luminance(self, color: np.ndarray) -> float:
        """Relative luminance Y of the mean skin albedo of ``color``."""
        return float(self.albedo(color) @ LUMINANCE)

    def hue(self, color: np.ndarray) -> float:
        """CIELAB hue angle (degrees, -180..180) of the mean skin albedo of ``color``."""
        _, a, b = linear_to_lab(self.albedo(color))
        return float(np.degrees(np.arctan2(b, a)))

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

    def hue_bounded(self, color: np.ndarray, low: float, high: float) -> np.ndarray:
        """``color`` if the hue of its mean skin albedo lies in ``[low, high]`` degrees (or it
        is nearly grey, or the model's mean colour lies outside); else moved by the smallest
        change of coefficients that gives the nearest bound's hue at the same L* and chroma."""
        rgb = self.albedo(color)
        lightness, a, b = linear_to_lab(rgb)
        chroma, hue = np.hypot(a, b), np.degrees(np.arctan2(b, a))
        if low <= hue <= high or chroma < MIN_CHROMA:
            return color
        if not low <= self.hue(np.zeros_like(color)) <= high:
            return color  # the model's own palette lies outside: leave it alone
        angle = np.radians(low if hue < low else high)
        goal = lab_to_linear(np.array([lightness, chroma * np.cos(angle), chroma * np.sin(angle)]))
        k = min(len(color), self._basis.shape[1])
        out = np.asarray(color, np.float64).copy()
        out[:k] += np.linalg.pinv(self._basis[:, :k]) @ (goal - rgb)
        return out.astype(color.dtype)
