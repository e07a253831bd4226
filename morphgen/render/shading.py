"""Per-vertex shading: SH Lambertian light, optional Blinn-Phong specular, colour transform.

Convention (the sampler's, ``morphgen.sampling.illumination``): the 9 x 3 coefficients
describe incoming radiance in camera space; the shaded linear colour of a vertex with
albedo ``a`` and unit camera-space normal ``n`` is

    a * sum_k LAMBERT[k] * sh[k] * Y_k(n)        (no division by pi)

with Basel's Lambert kernel ``LAMBERT = (pi, 2pi/3 x3, pi/4 x5)`` and the real orthonormal
basis ``Y`` in the order (0,0), (1,-1) ~ y, (1,0) ~ z, (1,1) ~ x, (2,-2), (2,-1), (2,0),
(2,1), (2,2). A constant light with only ``sh[0] = L`` on a white albedo therefore gives
the grey ``pi * Y_00 * L = (sqrt(pi) / 2) * L ~ 0.8862 L`` everywhere.

Specular (Blinn-Phong): the light's dominant direction is the linear band's direction
``(sh[3], sh[1], sh[2])`` (channel mean); its colour ``|linear band| / Y_1-norm`` per
channel (exactly the colour of a directional light made by ``directional_sh``). A
vertex adds ``strength * region_factor * colour * max(n.h, 0) ** shininess`` where it
faces the light, ``h`` halfway between the light and the view direction (towards the
camera at the origin). Then Basel's colour transform
``gain * (c * contrast + luminance(c) * (1 - contrast)) + offset`` (Rec. 709 luminance of
linear RGB), clipped to [0, 1]. All colours are linear RGB; the image is sRGB-encoded
only at the end (``compose``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from morphgen import colour
from morphgen.labels import LABEL_IDS
from morphgen.render.occlusion import Sky
from morphgen.scene import Illumination

SQRT_PI = float(np.sqrt(np.pi))
# normalisation constants of the real orthonormal SH basis, bands 0..2
N0 = 0.5 / SQRT_PI
N1 = float(np.sqrt(3.0 / np.pi) / 2.0)
N2_1 = float(np.sqrt(15.0 / np.pi) / 2.0)
N2_0 = float(np.sqrt(5.0 / np.pi) / 4.0)
N2_2 = float(np.sqrt(15.0 / np.pi) / 4.0)
# Basel's Lambert kernel per coefficient (scalismo-faces' SH Lambert shader)
LAMBERT = np.array([np.pi] + [2.0 * np.pi / 3.0] * 3 + [np.pi / 4.0] * 5, dtype=np.float32)
LUMINANCE = colour.LUMINANCE.astype(np.float32)  # Rec. 709, linear RGB

# Highlights weaker than this (``n.h ** shininess``, before strength and colour) are left
# out: a 40th of an 8-bit step, and most vertices then skip the power.
SPECULAR_FLOOR = 1e-4
# Specular strength per region, relative to ``Illumination.specular_strength``: wet and
# oily parts shine more, brows and scalp (hair-covered in life) less.
SPECULAR_BY_REGION = {
    "skin": 1.0,
    "nose": 1.3,
    "left_eye": 2.5,
    "right_eye": 2.5,
    "left_brow": 0.2,
    "right_brow": 0.2,
    "upper_lip": 1.5,
    "lower_lip": 1.5,
    "inner_mouth": 0.5,
    "teeth": 1.5,
    "left_ear": 0.8,
    "right_ear": 0.8,
    "neck": 0.8,
    "scalp": 0.3,
}


def specular_factors(regions: np.ndarray | None, n_vertices: int) -> np.ndarray:
    """Per-vertex specular factors ``(N,)`` float32 from per-vertex region ids."""
    if regions is None:
        return np.ones(n_vertices, dtype=np.float32)
    table = np.ones(256, dtype=np.float32)
    for name, factor in SPECULAR_BY_REGION.items():
        table[LABEL_IDS[name]] = factor
    return table[regions]


# float32 constants: a Python float in the kernel would turn its arithmetic into float64
_F = np.float32
_N = (_F(N0), _F(N1), _F(N2_1), _F(N2_0), _F(N2_2))
_LUM = (_F(0.2126), _F(0.7152), _F(0.0722))
_ZERO, _ONE, _TWO = _F(0.0), _F(1.0), _F(2.0)


@njit(cache=True, nogil=True, fastmath=True)
def _shade(
    normals,
    albedo,
    positions,
    sh,
    spec,
    shininess,
    min_nh,
    light_dir,
    light_rgb,
    gain,
    contrast,
    offset,
    ambient,
    open_sky,
    lattice,
    lattice_weight,
    occlusion,
    shadows,
    out,
    irradiance,
):  # pragma: no cover - jitted
    """Every vertex's shaded colour and irradiance, in float32 throughout."""
    n0, n1, n21, n20, n22 = _N
    zero, one, two = _ZERO, _ONE, _TWO
    grey = one - contrast
    for v in range(normals.shape[0]):
        x, y, z = normals[v, 0], normals[v, 1], normals[v, 2]
        b4, b5, b6 = n21 * x * y, n21 * y * z, n20 * (two * z * z - x * x - y * y)
        b7, b8 = n21 * z * x, n22 * (x * x - y * y)
        hl = zero
        if spec[v] > zero:
            nl = x * light_dir[0] + y * light_dir[1] + z * light_dir[2]
            if nl > zero:
                px, py, pz = positions[v, 0], positions[v, 1], positions[v, 2]
                d = np.sqrt(px * px + py * py + pz * pz)
                hx, hy, hz = light_dir[0] - px / d, light_dir[1] - py / d, light_dir[2] - pz / d
                hn = np.sqrt(hx * hx + hy * hy + hz * hz)
                nh = (x * hx + y * hy + z * hz) / hn if hn > zero else zero
                if nh > min_nh:
                    hl = spec[v] * nh**shininess
        b1, b2, b3 = n1 * y, n1 * z, n1 * x
        e0 = (
            sh[0, 0] * n0 + sh[1, 0] * b1 + sh[2, 0] * b2 + sh[3, 0] * b3 + sh[4, 0] * b4
            + sh[5, 0] * b5 + sh[6, 0] * b6 + sh[7, 0] * b7 + sh[8, 0] * b8
        )  # fmt: skip
        e1 = (
            sh[0, 1] * n0 + sh[1, 1] * b1 + sh[2, 1] * b2 + sh[3, 1] * b3 + sh[4, 1] * b4
            + sh[5, 1] * b5 + sh[6, 1] * b6 + sh[7, 1] * b7 + sh[8, 1] * b8
        )  # fmt: skip
        e2 = (
            sh[0, 2] * n0 + sh[1, 2] * b1 + sh[2, 2] * b2 + sh[3, 2] * b3 + sh[4, 2] * b4
            + sh[5, 2] * b5 + sh[6, 2] * b6 + sh[7, 2] * b7 + sh[8, 2] * b8
        )  # fmt: skip
        if occlusion > zero or shadows > zero:
            # the dominant light's own clamped cosine is shadowed, the rest occluded
            ao = one - occlusion * (one - ambient[v])
            lit = ao  # no shadows: the direct light occluded as the rest
            if shadows > zero:
                sky_lit = zero
                for k in range(lattice.shape[0]):
                    sky_lit += lattice_weight[k] * open_sky[v, lattice[k]]
                lit = (one - shadows) * ao + shadows * sky_lit
            cos = max(x * light_dir[0] + y * light_dir[1] + z * light_dir[2], zero)
            d0 = max(min(cos * light_rgb[0], e0), zero)
            d1 = max(min(cos * light_rgb[1], e1), zero)
            d2 = max(min(cos * light_rgb[2], e2), zero)
            e0 = ao * (e0 - d0) + lit * d0
            e1 = ao * (e1 - d1) + lit * d1
            e2 = ao * (e2 - d2) + lit * d2
            hl *= lit
        irradiance[v, 0], irradiance[v, 1], irradiance[v, 2] = e0, e1, e2
        c0 = albedo[v, 0] * e0 + hl * light_rgb[0]
        c1 = albedo[v, 1] * e1 + hl * light_rgb[1]
        c2 = albedo[v, 2] * e2 + hl * light_rgb[2]
        luma = (_LUM[0] * c0 + _LUM[1] * c1 + _LUM[2] * c2) * grey
        out[v, 0] = min(max(gain[0] * (c0 * contrast + luma) + offset[0], zero), one)
        out[v, 1] = min(max(gain[1] * (c1 * contrast + luma) + offset[1], zero), one)
        out[v, 2] = min(max(gain[2] * (c2 * contrast + luma) + offset[2], zero), one)


def specular_light(sh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The dominant light direction (unit, camera space) and its RGB, from the linear band."""
    linear = np.asarray(sh, dtype=np.float64)[[3, 1, 2]]  # x, y, z rows, RGB columns
    direction = linear.mean(axis=1)
    norm = np.linalg.norm(direction)
    if norm == 0.0:
        return np.array([0.0, 0.0, 1.0]), np.zeros(3)
    return direction / norm, np.linalg.norm(linear, axis=0) / N1


def shade(
    normals: np.ndarray,
    albedo: np.ndarray,
    positions: np.ndarray,
    light: Illumination,
    specular: np.ndarray | None = None,
    sky: Sky | None = None,
    to_model: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Shaded linear colours and the irradiance, both ``(N, 3)`` float32.

    ``normals`` are unit camera-space normals, ``positions`` camera-space vertices,
    ``specular`` per-vertex specular factors (``specular_factors``; None = 1), ``sky`` the
    model's occlusion (``render.occlusion``; None: none) with ``to_model``, the rotation
    from camera to model space. With it, the irradiance ``E`` minus the dominant light's
    share ``D = clip(rgb * max(n . l, 0), 0, E)`` per channel (``specular_light``) is
    scaled by ``ao = 1 - light.occlusion * (1 - sky.ambient)``, and ``D`` by ``(1 - s) * ao
    + s * lit``, ``s = light.shadows`` and ``lit`` the vertex's open sky towards the light
    (``sky.open``; a sky without it casts no shadows):
    without shadows the occlusion darkens the direct light too (nostrils, ear folds and
    the lips' seam get little of any light), with them the light is blocked only where
    the head stands in its way. The highlight is scaled as ``D``. An open sky leaves ``E``
    as it is.
    """
    n = len(normals)
    sh = np.asarray(light.sh, dtype=np.float64).reshape(9, 3) * LAMBERT[:, None]
    direction, rgb = specular_light(light.sh)
    strength = float(light.specular_strength)
    shininess = float(light.specular_shininess)
    min_nh = SPECULAR_FLOOR ** (1.0 / shininess) if shininess > 0.0 else 0.0
    spec = np.ones(n, dtype=np.float32) if specular is None else specular
    spec = (spec * strength).astype(np.float32, copy=False)
    occlusion = shadows = 0.0
    ambient = np.ones(n, dtype=np.float32) if sky is None else sky.ambient
    open_sky = np.zeros((n, 1), dtype=np.uint8)
    lattice, lattice_weight = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    if sky is not None:
        occlusion = float(light.occlusion)
        if sky.open is not None and light.shadows > 0:
            shadows = float(light.shadows)
            open_sky = sky.open
            rotation = np.eye(3) if to_model is None else np.asarray(to_model, np.float64)
            lattice, lattice_weight = sky.toward(rotation @ direction)
            lattice_weight = lattice_weight / np.float32(255.0)
    out = np.empty((n, 3), dtype=np.float32)
    irradiance = np.empty((n, 3), dtype=np.float32)
    f32 = np.float32
    _shade(
        np.ascontiguousarray(normals, dtype=f32),
        np.ascontiguousarray(albedo, dtype=f32),
        np.ascontiguousarray(positions, dtype=f32),
        sh.astype(f32), spec, f32(shininess), f32(min_nh),
        direction.astype(f32),
        rgb.astype(f32), np.asarray(light.gain, dtype=f32), f32(light.contrast),
        np.asarray(light.offset, dtype=f32),
        ambient, open_sky, lattice, lattice_weight, f32(occlusion), f32(shadows),
        out, irradiance,
    )  # fmt: skip
    return out, irradiance
