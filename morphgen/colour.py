"""Colour facts declared once for every layer that needs them: the sRGB transfer function
(IEC 61966-2-1), CIE L*a*b* of linear RGB (D65) and the melanin-style hair albedo (the
renderer's hair strands, and the sampler's brow, lash and beard colour, which is the scalp
hair's).

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


# linear sRGB (D65) -> CIE XYZ, IEC 61966-2-1; XYZ of the D65 white
RGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
XYZ_TO_RGB = np.linalg.inv(RGB_TO_XYZ)
WHITE_XYZ = np.array([0.95047, 1.0, 1.08883])
_EPSILON = (6 / 29) ** 3  # where CIE's cube root meets its linear segment


def linear_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of linear RGB ``(..., 3)``."""
    xyz = np.asarray(rgb, dtype=np.float64) @ RGB_TO_XYZ.T / WHITE_XYZ
    f = np.where(xyz > _EPSILON, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    fx, fy, fz = f[..., 0], f[..., 1], f[..., 2]
    return np.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], axis=-1)


def lab_to_linear(lab: np.ndarray) -> np.ndarray:
    """Linear RGB (D65, unclipped) of CIE L*a*b* ``(..., 3)``: ``linear_to_lab``'s inverse."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    xyz = np.where(f > 6 / 29, f**3, 3 * (6 / 29) ** 2 * (f - 4 / 29)) * WHITE_XYZ
    return xyz @ XYZ_TO_RGB.T


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
