"""Colour facts declared once for every layer that needs them: the sRGB transfer function
(IEC 61966-2-1) and the melanin-style hair albedo (the renderer's hair strands, and the
sampler's brow, lash and beard colour, which is the scalp hair's).

Hair albedo: the absorption of a fibre is a mix of eumelanin (brown-black) and pheomelanin
(red-yellow) with the absorption spectra of d'Eon et al., "An Energy-Conserving Hair
Reflectance Model" (EGSR 2011): eumelanin (0.419, 0.697, 1.37) and pheomelanin
(0.187, 0.4, 1.05) per unit concentration for R, G, B. Light crosses a fibre about
``HAIR_PATH`` units, a little is scattered back white (the cuticle), so black hair is not
pure black and blond is pale yellow.
"""

from __future__ import annotations

import numpy as np


def srgb_to_linear(x: np.ndarray) -> np.ndarray:
    """sRGB-encoded values in [0, 1] -> linear, computed in the input's own dtype."""
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def srgb8_to_linear(rgb: tuple[float, float, float]) -> np.ndarray:
    """An 8-bit sRGB triple as linear RGB in [0, 1] (float64)."""
    return srgb_to_linear(np.asarray(rgb, dtype=np.float64) / 255.0)


EUMELANIN = np.array([0.419, 0.697, 1.37])
PHEOMELANIN = np.array([0.187, 0.4, 1.05])
HAIR_PATH = 4.0
CUTICLE = 0.025  # white share scattered at the surface
GREY_HAIR = np.array([0.45, 0.44, 0.41])  # an unpigmented strand (linear RGB)
LUMINANCE = np.array([0.2126, 0.7152, 0.0722])  # Rec. 709: linear RGB -> relative luminance Y


def hair_albedo(eumelanin: float, pheomelanin: float) -> np.ndarray:
    """Linear RGB albedo of hair with these melanin concentrations (each in [0, 1])."""
    sigma = HAIR_PATH * (float(eumelanin) * 2.5 * EUMELANIN + float(pheomelanin) * PHEOMELANIN)
    return CUTICLE + (0.85 - CUTICLE) * np.exp(-sigma)
