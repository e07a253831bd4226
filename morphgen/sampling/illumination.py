"""Spherical-harmonics light priors: parametric, multivariate normal, Basel empirical, frontal.

Coefficients are (9, 3): bands l <= 2 times RGB, real orthonormal SH in the order
(0,0), (1,-1), (1,0), (1,1), (2,-2), (2,-1), (2,0), (2,1), (2,2) with
Y(1,-1) ~ y, Y(1,0) ~ z, Y(1,1) ~ x (the same basis as scalismo-faces, so the Basel
Illumination Prior's numbers are used as they are). They describe incoming radiance in
camera space (z towards the camera); Lambertian shading convolves them with Basel's
kernel ``LAMBERT`` (pi, 2pi/3, pi/4 per band):
``irradiance(n) = sum_k LAMBERT[k] * sh[k] * Y_k(n)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from morphgen.colour import LUMINANCE
from morphgen.config.distributions import Distribution
from morphgen.config.schema import (
    EmpiricalLight,
    Exposure,
    FrontalLight,
    NormalLight,
    ParametricLight,
)
from morphgen.errors import ConfigError

N0 = 0.5 / np.sqrt(np.pi)
N1 = np.sqrt(3.0 / np.pi) / 2.0
N2_1 = np.sqrt(15.0 / np.pi) / 2.0
N2_0 = np.sqrt(5.0 / np.pi) / 4.0
N2_2 = np.sqrt(15.0 / np.pi) / 4.0
LAMBERT = np.array([np.pi] + [2.0 * np.pi / 3.0] * 3 + [np.pi / 4.0] * 5)

# The sampler's draw function: (factor name, a distribution or ``f(rng, size)``, size) ->
# values; each factor name has its own random stream (and grid position).
DrawFn = Callable[
    [str, "Distribution | Callable[[np.random.Generator, int], np.ndarray]", int], np.ndarray
]


def sh_basis(dirs: np.ndarray) -> np.ndarray:
    """The 9 real orthonormal SH functions at unit directions ``(N, 3)`` -> ``(N, 9)``."""
    d = np.asarray(dirs, dtype=np.float64)
    d = d / np.linalg.norm(d, axis=-1, keepdims=True)
    x, y, z = d[..., 0], d[..., 1], d[..., 2]
    return np.stack(
        [
            np.full_like(x, N0),
            N1 * y,
            N1 * z,
            N1 * x,
            N2_1 * x * y,
            N2_1 * y * z,
            N2_0 * (2 * z * z - x * x - y * y),
            N2_1 * z * x,
            N2_2 * (x * x - y * y),
        ],
        axis=-1,
    )


def irradiance(sh: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Lambertian irradiance ``(N, 3)`` of light ``sh (9, 3)`` on unit ``normals (N, 3)``."""
    return (sh_basis(normals) * LAMBERT) @ np.asarray(sh, dtype=np.float64)


FRONT = np.array([[0.0, 0.0, 1.0]])  # camera space: the normal of a face seen head-on


def exposure_gain(sh: np.ndarray, skin_luminance: float, cfg: Exposure) -> float:
    """The factor on light ``sh`` that brings a head-on face's lit skin (albedo luminance
    times the light's irradiance on ``FRONT``) towards ``cfg.target``, by ``cfg.strength``
    in log terms, within ``[cfg.low, cfg.high]``: a camera's face-priority metering."""
    lit = float(irradiance(sh, FRONT)[0] @ LUMINANCE) * skin_luminance
    want = (cfg.target / max(lit, 1e-6)) ** cfg.strength
    return float(np.clip(want, cfg.low, cfg.high))


def ambient_sh(rgb: np.ndarray) -> np.ndarray:
    """Uniform light whose irradiance is ``rgb`` on every normal."""
    sh = np.zeros((9, 3))
    sh[0] = np.asarray(rgb, dtype=np.float64) / (LAMBERT[0] * N0)
    return sh


def directional_sh(direction: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """A distant light towards ``direction`` (unit, surface -> light) of colour ``rgb``.

    Projecting a delta of radiance gives ``Y_k(direction) * rgb``; its irradiance is the
    band-limited clamped cosine ``~ rgb * max(0, n . direction)``.
    """
    return np.outer(sh_basis(np.asarray(direction)[None])[0], np.asarray(rgb, dtype=np.float64))


def frontal_sh(ambient: float, diffuse: float) -> np.ndarray:
    """Basel's static frontal light: irradiance ``ambient + diffuse * n_z`` (bands 0 and 1)."""
    sh = ambient_sh(np.full(3, ambient))
    sh[2] = diffuse / (N1 * LAMBERT[2])  # Y(1,0) ~ z: the camera direction
    return sh


def light_direction(azimuth_deg: float, elevation_deg: float) -> np.ndarray:
    """Unit vector towards a light (camera space).

    Azimuth 0 is from the camera, positive from the camera's right; positive elevation
    is from above.
    """
    az, el = np.radians(azimuth_deg), np.radians(elevation_deg)
    return np.array([np.cos(el) * np.sin(az), np.sin(el), np.cos(el) * np.cos(az)])


# sRGB (D65) primaries: CIE XYZ -> linear sRGB (IEC 61966-2-1).
_XYZ_TO_RGB = np.array(
    [[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]]
)


def temperature_rgb(kelvin: float) -> np.ndarray:
    """Linear-sRGB colour (luminance 1) of a black body at ``kelvin`` (1667-25000 K).

    Chromaticity from the cubic-spline fit of the Planckian locus by Kim et al. (2002),
    then xyY -> XYZ -> linear sRGB; negative channels are clipped.
    """
    t = float(np.clip(kelvin, 1667.0, 25000.0))
    if t <= 4000.0:
        x = -0.2661239e9 / t**3 - 0.2343589e6 / t**2 + 0.8776956e3 / t + 0.179910
    else:
        x = -3.0258469e9 / t**3 + 2.1070379e6 / t**2 + 0.2226347e3 / t + 0.240390
    if t <= 2222.0:
        y = -1.1063814 * x**3 - 1.34811020 * x**2 + 2.18555832 * x - 0.20219683
    elif t <= 4000.0:
        y = -0.9549476 * x**3 - 1.37418593 * x**2 + 2.09137015 * x - 0.16748867
    else:
        y = 3.0817580 * x**3 - 5.87338670 * x**2 + 3.75112997 * x - 0.37001483
    xyz = np.array([x / y, 1.0, (1.0 - x - y) / y])
    return np.clip(_XYZ_TO_RGB @ xyz, 0.0, None)


def read_rps(path: Path) -> np.ndarray:
    """The (9, 3) SH light of a scalismo-faces render-parameter (``.rps``) JSON file.

    Formats V2/V3 keep it under ``illumination``, V4 (and legacy) under ``environmentMap``,
    as ``{"coefficients": [[r, g, b], ...], "@type": "SphericalHarmonicsLight"}``
    (scalismo-faces, io/renderparameters). Fewer bands are zero-padded, more cut to l <= 2.
    """
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable render-parameter JSON file ({exc})") from None
    for key in ("environmentMap", "illumination"):
        light = data.get(key) if isinstance(data, dict) else None
        if isinstance(light, dict) and "coefficients" in light:
            coeffs = np.asarray(light["coefficients"], dtype=np.float64).reshape(-1, 3)
            out = np.zeros((9, 3))
            out[: min(9, len(coeffs))] = coeffs[:9]
            return out
    raise ConfigError(
        f"{path}: no spherical-harmonics light (expected environmentMap.coefficients "
        "or illumination.coefficients)"
    )


def load_lights(directory: Path) -> np.ndarray:
    """All ``.rps`` lights under ``directory`` (recursive, sorted by path) as ``(M, 9, 3)``."""
    files = sorted(p for p in Path(directory).rglob("*.rps") if p.is_file())
    if not files:
        raise ConfigError(f"illumination.directory: no .rps files under {directory}")
    return np.stack([read_rps(p) for p in files])


def fit_normal(lights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``(27,)`` and covariance ``(27, 27)`` of ``(M, 9, 3)`` lights."""
    flat = lights.reshape(len(lights), 27)
    cov = np.cov(flat, rowvar=False) if len(flat) > 1 else np.zeros((27, 27))
    return flat.mean(axis=0), np.atleast_2d(cov)


def finish(sh: np.ndarray, grey: bool, fix_energy: float | None) -> np.ndarray:
    """Basel's options: ``grey`` (channel mean everywhere), ``fix_energy`` (sum of squares)."""
    out = np.asarray(sh, dtype=np.float64)
    if grey:
        out = np.repeat(out.mean(axis=1, keepdims=True), 3, axis=1)
    if fix_energy is not None:
        energy = float(np.sum(out**2))
        if energy > 0:
            out = out * np.sqrt(fix_energy / energy)
    return out.astype(np.float32)


class LightPrior:
    """Draws (9, 3) SH lights for one ``illumination`` config section."""

    def __init__(self, cfg: ParametricLight | NormalLight | EmpiricalLight | FrontalLight):
        self.cfg = cfg
        self._lights: np.ndarray | None = None
        self._mean: np.ndarray | None = None
        self._chol: np.ndarray | None = None
        if isinstance(cfg, EmpiricalLight):
            self._lights = load_lights(cfg.directory)
        elif isinstance(cfg, NormalLight):
            if cfg.directory is not None:
                mean, cov = fit_normal(load_lights(cfg.directory))
            else:
                mean = np.asarray(cfg.mean, dtype=np.float64).reshape(27)
                cov = np.zeros((27, 27)) if cfg.cov is None else np.asarray(cfg.cov, float)
            self._mean = mean
            self._chol = _psd_sqrt(cov)

    def sample(self, draw: DrawFn) -> np.ndarray:
        """One light; ``draw(name, dist, size)`` supplies every random number."""
        cfg = self.cfg
        if isinstance(cfg, FrontalLight):
            sh = frontal_sh(cfg.ambient, cfg.diffuse)
        elif isinstance(cfg, EmpiricalLight):
            assert self._lights is not None
            n = len(self._lights)
            pick = draw("illumination.pick", lambda rng, size: rng.integers(0, n, size), 1)
            sh = self._lights[int(pick[0])]
        elif isinstance(cfg, NormalLight):
            assert self._mean is not None and self._chol is not None
            z = draw("illumination.normal", lambda rng, size: rng.standard_normal(size), 27)
            sh = (self._mean + self._chol @ z).reshape(9, 3)
        else:
            sh = _parametric(cfg, draw)
        return finish(sh, cfg.grey, cfg.fix_energy)


def _parametric(cfg: ParametricLight, draw: DrawFn) -> np.ndarray:
    ambient = float(draw("illumination.ambient", cfg.ambient, 1)[0])
    temp = float(draw("illumination.ambient_temperature_k", cfg.ambient_temperature_k, 1)[0])
    sh = ambient_sh(ambient * temperature_rgb(temp))
    count = max(0, int(round(float(draw("illumination.lights", cfg.lights, 1)[0]))))
    if count == 0:
        return sh
    intensity = draw("illumination.intensity", cfg.intensity, count)
    azimuth = draw("illumination.azimuth_deg", cfg.azimuth_deg, count)
    elevation = draw("illumination.elevation_deg", cfg.elevation_deg, count)
    kelvin = draw("illumination.temperature_k", cfg.temperature_k, count)
    for k in range(count):
        rgb = max(0.0, float(intensity[k])) * temperature_rgb(float(kelvin[k]))
        sh = sh + directional_sh(light_direction(azimuth[k], elevation[k]), rgb)
    return sh


def _psd_sqrt(cov: np.ndarray) -> np.ndarray:
    """A matrix square root of a (possibly singular) covariance, via its eigenvectors."""
    sym = (cov + cov.T) / 2.0
    vals, vecs = np.linalg.eigh(sym)
    if vals.min() < -1e-8 * max(1.0, abs(vals).max()):
        raise ConfigError("illumination.cov: not a covariance (negative eigenvalue)")
    return vecs * np.sqrt(np.clip(vals, 0.0, None))
