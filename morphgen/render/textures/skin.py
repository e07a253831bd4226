"""Skin detail over the colour model: pores, mottling, wrinkles, redness, freckles, moles, lips
and the upper-lid crease.

Everything multiplies the identity's albedo at the skin texels (``TextureSetup.skin``).
Positions are the mean shape's, in the face frame (mm; x to the subject's left, y up, z
forward, origin at the nose tip), so features keep their size and place on every head.
Where a feature is placed by the landmarks alone (wrinkle lines, redness blobs), its unit
field is computed once per model (``skin_fields``) and each identity only scales it.
The constants were chosen by eye on renders at 256 and 512 px.
"""

from __future__ import annotations

import numpy as np

from morphgen.render.textures import kernels
from morphgen.render.textures.canvas import Canvas
from morphgen.scene import AppearanceParams

PORE_CONTRAST = 0.09  # darkening of the deepest pores at ``pores = 1``
MOTTLE_CONTRAST = 0.05  # low-frequency lightness variation
MOTTLE_TEXELS = 12  # its wavelength in texels of the atlas
FRONT_Z_MM = -60.0  # texels in front of this plane can carry frontal drawings
UNDER_EYE_TINT = np.array([1.0, 1.1, 0.6], dtype=np.float32)
REDNESS_TINT = np.array([0.0, 0.22, 0.18], dtype=np.float32)
FRECKLE_TINT = np.array([0.25, 0.38, 0.5], dtype=np.float32)
MOLE_TINT = np.array([0.55, 0.65, 0.7], dtype=np.float32)
CREASE_WIDTH_MM = 0.7  # the upper-lid crease's shadow, about this wide either side
CREASE_DARKENING = 0.35
LIP_TINT = np.array([1.02, 0.78, 0.84], dtype=np.float32)


def smoothstep(a: float, b: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - a) / (b - a), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def uv_noise(size: int, texels: np.ndarray, rng: np.random.Generator, cell: int) -> np.ndarray:
    """Smooth noise (about N(0, 1)) in texture space with a wavelength of ``cell`` texels."""
    coarse = rng.standard_normal((size // cell + 2, size // cell + 2), dtype=np.float32)
    from scipy.ndimage import gaussian_filter  # here: workers of models without UVs skip it

    coarse = 2.0 * gaussian_filter(coarse, 1.0, mode="wrap")  # rounder blobs, std about 1
    out = np.empty(len(texels), dtype=np.float32)
    kernels.coarse_bilinear(coarse, texels, size, float(cell), out)
    return out


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    t = np.clip(((p - a) @ ab) / (ab @ ab), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[:, None] * ab), axis=1)


def skin_fields(p: np.ndarray, lm: dict[int, np.ndarray]) -> dict[str, np.ndarray]:
    """Unit fields at skin texels ``p (T, 3)``: wrinkle darkening at age 1, redness blobs."""
    x, y, z = p[:, 0], p[:, 1], p[:, 2]
    front = (z > FRONT_Z_MM).astype(np.float32)
    brow_top = max(lm[n][1] for n in range(18, 28))
    eye_y = float(np.mean([lm[n][1] for n in range(37, 49)]))
    # forehead: soft grooves about 6.5 mm apart with a faint lit crest above each, waving
    # and fading in and out along x (uniform hairlines looked drawn at 1024 px)
    fy = y - brow_top
    phase = 2 * np.pi * fy / 6.5 + 1.2 * np.sin(x / 9.0 + 1.0) + 0.6 * np.sin(x / 4.1 + 2.0)
    band = smoothstep(6.0, 12.0, fy) * (1.0 - smoothstep(32.0, 45.0, fy))
    line = np.round(phase / (2 * np.pi))  # which groove a point is nearest
    fade = np.clip(0.55 + 0.6 * np.sin(x / 7.0 + 2.3 * line) * np.sin(x / 17.0 + line), 0, 1)
    groove = np.maximum(np.cos(phase), 0.0) ** 2 - 0.3 * np.maximum(np.cos(phase - 1.2), 0.0) ** 4
    lines = 0.15 * groove * fade * band
    lines *= 1.0 - smoothstep(35.0, 55.0, np.abs(x))
    # crow's feet: rays lateral of the outer eye corners
    for corner in (lm[37], lm[46]):
        d = p[:, :2] - corner[:2]
        r = np.hypot(d[:, 0], d[:, 1])
        ang = np.arctan2(d[:, 1], np.abs(d[:, 0]))
        rays = np.maximum(np.cos(ang * 16.0 + 0.8 * np.sin(r + 0.5)), 0.0) ** 4
        rays *= np.clip(0.5 + 0.7 * np.sin(ang * 5.0 + r * 0.4 + corner[0]), 0.0, 1.0)  # broken
        lateral = smoothstep(1.0, 4.0, d[:, 0] * np.sign(corner[0]))
        lines += 0.2 * rays * np.exp(-(((r - 8.0) / 5.0) ** 2)) * lateral
    # nasolabial folds: from beside the nose wing down past the mouth corner
    for wing, mouth in ((lm[32], lm[49]), (lm[36], lm[55])):
        side = np.sign(wing[0])
        a, b = wing[:2] + [side * 6.0, 1.0], mouth[:2] + [side * 4.0, -6.0]
        lines += 0.25 * np.exp(-((_segment_distance(p[:, :2], a, b) / 1.8) ** 2))
    under = np.zeros(len(p), dtype=np.float32)
    for n0, n1 in ((37, 40), (43, 46)):
        centre = 0.5 * (lm[n0][:2] + lm[n1][:2]) + [0.0, -7.0]
        under += np.exp(-(((x - centre[0]) / 9.0) ** 2) - ((y - centre[1]) / 3.5) ** 2)
    nose = np.exp(-np.sum((p - lm[31]) ** 2, axis=1) / (2 * 11.0**2))
    cheeks = np.zeros(len(p), dtype=np.float32)
    for outer in (lm[37], lm[46]):
        centre = np.array([0.6 * outer[0], 0.5 * (lm[31][1] + eye_y) - 6.0])
        cheeks += np.exp(-np.sum((p[:, :2] - centre) ** 2, axis=1) / (2 * 14.0**2))
    fields = {
        "front": front,
        "lines": np.clip(lines, -0.1, 0.6) * front,
        "under_eye": 0.12 * under * front,
        "redness": np.clip(0.9 * nose + 0.7 * cheeks, 0.0, 1.0) * front,
    }
    return {k: v.astype(np.float32) for k, v in fields.items()}


def paint_skin(
    setup, params: AppearanceParams, rng: np.random.Generator, albedo: np.ndarray
) -> None:
    """Multiply the skin texels of ``albedo (T, 3)`` by every skin effect, in place."""
    idx = setup.skin
    uniform = rng.random(len(idx), dtype=np.float32)
    mottle = uv_noise(setup.atlas.size, setup.atlas.texel[idx], rng, MOTTLE_TEXELS)
    f = setup.fields
    zero = np.zeros(len(idx), dtype=np.float32)
    factor = np.empty((len(idx), 3), dtype=np.float32)
    kernels.skin_factor(
        uniform, mottle, f.get("lines", zero), f.get("under_eye", zero), f.get("redness", zero),
        PORE_CONTRAST * params.pores, MOTTLE_CONTRAST, params.age**1.5, 0.3 + params.age,
        params.redness, UNDER_EYE_TINT, REDNESS_TINT, factor,
    )  # fmt: skip
    if setup.has_face:
        _freckles_and_moles(setup, params, rng, factor)
    if params.crease_mm > 0 and "lid_height" in f:
        _crease(f["lid_height"], f["lid_span"], params.crease_mm, factor)
    kernels.scale_rows(albedo, idx, factor)
    if "lip_contour" in f:  # the outer lip contour: smooth where the lip triangles are not
        idx, weight = setup.skin, f["lip_contour"]
    else:
        idx, weight = setup.lips, setup.lip_weight
    albedo[idx] *= 1.0 + weight[:, None] * (params.lip_tint * (LIP_TINT - 1.0))


def _crease(height: np.ndarray, span: np.ndarray, mm: float, factor: np.ndarray) -> None:
    """Darken a fold line ``mm`` above the upper lid margin (fields of ``makeup_fields``)."""
    k = np.flatnonzero((span > 0) & (np.abs(height - mm) < 3.0 * CREASE_WIDTH_MM))
    fold = np.exp(-(((height[k] - mm) / CREASE_WIDTH_MM) ** 2)) * span[k]
    factor[k] *= (1.0 - CREASE_DARKENING * fold)[:, None]


def _freckles_and_moles(
    setup, params: AppearanceParams, rng: np.random.Generator, factor: np.ndarray
) -> None:
    lm = setup.landmarks
    p = setup.skin_position
    count = int(round(900 * params.freckles))
    if count:
        canvas = Canvas.over(-75.0, 75.0, lm[9][1] - 10.0, lm[28][1] + 50.0, 0.25)
        centre = rng.normal([0.0, lm[31][1] + 12.0], [26.0, 13.0], size=(count, 2))
        canvas.dots(centre, rng.uniform(0.3, 0.8, count), rng.uniform(0.4, 1.0, count))
        canvas.grid = np.clip(canvas.grid, 0.0, 1.0)
        face = setup.front_face
        spots = canvas.at(p[face, :2])
        factor[face] *= 1.0 - 0.7 * spots[:, None] * FRECKLE_TINT
    candidates = setup.mole_sites
    for _ in range(params.moles if len(candidates) else 0):
        centre = p[candidates[rng.integers(len(candidates))]]
        radius = rng.uniform(0.6, 1.5)
        near = np.flatnonzero(np.abs(p[:, 1] - centre[1]) < radius)
        d = np.linalg.norm(p[near] - centre, axis=1) / radius
        mole = np.clip(1.5 * (1.0 - d**2), 0.0, 1.0)
        factor[near] *= 1.0 - mole[:, None] * MOLE_TINT
