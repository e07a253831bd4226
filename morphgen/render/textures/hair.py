"""Hair drawn into the texture: eyebrow and eyelash strands, and facial hair.

Brows and lashes are strands on frontal canvases (``canvas.Canvas``) placed by the iBUG
landmarks; the beard is a density field over zones of the lower face (stubble, moustache,
goatee, full beard) times per-texel hair noise. Each returns per-texel coverage in [0, 1]
and mixes the hair colour into the albedo. Shape constants were tuned by eye on renders.
"""

from __future__ import annotations

import numpy as np

from morphgen.colour import GREY_HAIR
from morphgen.render.textures import kernels
from morphgen.render.textures.canvas import Canvas, polyline
from morphgen.render.textures.setup import TextureSetup
from morphgen.render.textures.skin import uv_noise
from morphgen.scene import AppearanceParams

BROW_HEIGHT_MM = 7.5  # a typical brow's height at its medial head; the tail is thinner
STRANDS_PER_MM2 = 4.0  # brow strands per mm^2 at density 1
HAIR_WIDTH_MM = 0.08
SALT_SPREAD = 0.9  # range of a texel's white share around a greying beard's (salt and pepper)
MASCARA_RGB = np.array([0.004, 0.004, 0.005], dtype=np.float32)
MASCARA_LENGTH = 0.4  # lashes this much longer under mascara of strength 1
STUBBLE = np.array([0.018, 0.017, 0.02], dtype=np.float32)  # cut hairs under the skin
# iBUG numbers: each brow lateral -> medial; each eyelid's contour (upper, lower).
BROWS = {"right": (18, 19, 20, 21, 22), "left": (27, 26, 25, 24, 23)}
LIDS = {
    "right": ((37, 38, 39, 40), (40, 41, 42, 37)),
    "left": ((43, 44, 45, 46), (46, 47, 48, 43)),
}


def _draw_brow(canvas: Canvas, top: np.ndarray, params: AppearanceParams, side: float, rng) -> None:
    """Strands of one brow below its landmark curve ``top`` (medial -> lateral, mm)."""
    top = top.copy()
    t_land = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(top, axis=0), axis=1))]
    t_land /= t_land[-1]
    top[:, 0] += side * 0.5 * params.brow_gap * (1.0 - t_land)
    top[:, 1] += params.brow_arch * np.sin(np.pi * np.clip(t_land * 1.15, 0, 1)) + 1.5
    length_mm = float(np.linalg.norm(np.diff(top, axis=0), axis=1).sum()) * params.brow_length
    height = BROW_HEIGHT_MM * params.brow_thickness
    n = int(STRANDS_PER_MM2 * params.brow_density * length_mm * height * 0.7)
    if n == 0:
        return
    t = rng.uniform(0.0, params.brow_length, n)
    v = rng.uniform(0.0, 1.0, n) ** 0.9  # 0 at the top edge, 1 at the bottom
    edge, tangent = polyline(top, t)
    h = height * (1.0 - 0.6 * np.clip(t, 0, 1)) * np.where(t > 0.85, 1.0 - (t - 0.85) * 2.0, 1.0)
    up = np.c_[-tangent[:, 1], tangent[:, 0]]
    up *= np.sign(up[:, 1:2] + 1e-9)
    root = edge - up * (v * np.maximum(h, 0.5))[:, None] + rng.normal(0, 0.25, (n, 2))
    tilt = np.radians(28.0 - 50.0 * v + rng.normal(0, 8, n))
    head = np.clip(1.0 - t / 0.18, 0.0, 1.0)
    direction = tangent * np.cos(tilt)[:, None] + up * np.sin(tilt)[:, None]
    direction = (1 - head)[:, None] * direction + head[:, None] * (up + 0.3 * tangent)
    angle = np.arctan2(direction[:, 1], direction[:, 0])
    length = rng.uniform(3.5, 7.0, n) * (1.0 - 0.35 * np.clip(t, 0, 1))
    bend = rng.normal(0.0, 0.25, n) - side * np.sign(tangent[:, 0]) * 0.15
    canvas.strands(root, angle, length, bend, weight=canvas.hair_weight(HAIR_WIDTH_MM))


def paint_brows_and_lashes(
    setup: TextureSetup, params: AppearanceParams, rng: np.random.Generator, albedo: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Draw brows and lashes over the skin texels; the brows' coverage (left, right)."""
    lm = setup.landmarks
    idx = setup.skin
    footprint = setup.texel_mm
    eye_y = float(np.mean([lm[n][1] for n in range(37, 49)]))
    brow_low = min(lm[n][1] for n in range(18, 28)) - BROW_HEIGHT_MM * params.brow_thickness - 4.0
    brow_high = max(lm[n][1] for n in range(18, 28)) + max(0.0, params.brow_arch) + 10.0
    band = setup.upper_face
    p = setup.skin_position[band]
    near = np.flatnonzero((p[:, 1] > brow_low) & (p[:, 1] < brow_high))
    coverage = {}
    hair = np.asarray(params.hair_rgb, dtype=np.float32)
    for name, side in (("left", 1.0), ("right", -1.0)):
        xs = (-4.0, 80.0) if side > 0 else (-80.0, 4.0)
        canvas = Canvas.over(xs[0], xs[1], brow_low, brow_high, footprint)
        top = np.array([lm[k][:2] for k in BROWS[name][::-1]])  # medial -> lateral
        _draw_brow(canvas, top, params, side, rng)
        cov = np.zeros(len(idx), dtype=np.float32)
        on_side = near[(p[near, 0] * side) > -2.0]
        cov[band[on_side]] = canvas.coverage(1.0).at(p[on_side, :2])
        coverage[name] = cov
    k = band[near]
    kernels.mix_rows(albedo, idx[k], np.maximum(coverage["left"][k], coverage["right"][k]), hair)
    lashes = Canvas.over(-60.0, 60.0, eye_y - 12.0, eye_y + 12.0, footprint)
    for upper, lower in LIDS.values():
        for numbers, count, reach in ((upper, 120, 2.6), (lower, 45, 1.2)):
            contour = np.array([lm[k][:2] for k in numbers])
            centre = np.mean([lm[k][:2] for k in (*upper, *lower)], axis=0)
            t = rng.uniform(0.05, 0.97, count)
            root, _ = polyline(contour, t)
            out = root - centre
            out /= np.linalg.norm(out, axis=1, keepdims=True)
            vertical = np.sign(out[:, 1:2]) * [0.0, 1.0]
            d = 0.5 * out + 0.5 * vertical
            taper = np.sin(np.pi * (0.2 + 0.8 * np.clip(np.abs(t - 0.15) / 0.85, 0, 1)))
            scale = params.lashes * (1.0 + MASCARA_LENGTH * params.mascara) * reach
            length = scale * rng.uniform(0.7, 1.2, count) * (0.5 + 0.5 * taper)
            angle = np.arctan2(d[:, 1], d[:, 0])
            weight = lashes.hair_weight(1.5 * HAIR_WIDTH_MM)
            lashes.strands(root, angle, length, rng.normal(0, 0.3, count), weight)
    eyes = np.flatnonzero((np.abs(p[:, 1] - eye_y) < 12.0) & (np.abs(p[:, 0]) < 60.0))
    lash = lashes.coverage(2.0).at(p[eyes, :2])
    lash_rgb = (1.0 - params.mascara) * (0.35 * hair + 0.004) + params.mascara * MASCARA_RGB
    kernels.mix_rows(albedo, idx[band[eyes]], lash, lash_rgb.astype(np.float32))
    return coverage["left"], coverage["right"]


def paint_beard(
    setup: TextureSetup, params: AppearanceParams, rng: np.random.Generator, albedo: np.ndarray
) -> np.ndarray:
    """Facial hair over the skin texels (not the lips); its coverage per skin texel. A
    clean-shaven face's ``beard_shadow`` is drawn as light stubble."""
    idx = setup.skin
    kind, density = params.beard, params.beard_density
    if kind == "none":
        kind, density = "stubble", params.beard_shadow
    if density <= 0:
        return np.zeros(len(idx), dtype=np.float32)
    where = setup.beard_texels[kind]
    zone = setup.beard_zones[kind][where]
    hairs = rng.random(len(where), dtype=np.float32)
    noise = uv_noise(setup.atlas.size, setup.atlas.texel[idx[where]], rng, 3)
    clumps = np.clip(0.5 + 0.25 * noise, 0, 1)
    hair = np.asarray(params.hair_rgb, dtype=np.float32)
    if kind == "stubble":
        cov = zone * density * (0.04 + 0.45 * hairs**4)
        colour = 0.3 * hair + 0.7 * STUBBLE
    else:
        cov = zone * np.clip(density * (0.25 + 0.6 * hairs + 0.4 * clumps), 0, 1)
        colour = 0.75 * hair
    cov = cov.astype(np.float32)
    if params.hair_grey > 0 and kind != "stubble":
        _salt_and_pepper(albedo, idx[where], cov, colour, params.hair_grey, rng)
    else:
        kernels.mix_rows(albedo, idx[where], cov, colour)
    out = np.zeros(len(idx), dtype=np.float32)
    out[where] = cov
    return out


def _salt_and_pepper(
    albedo: np.ndarray,
    rows: np.ndarray,
    cover: np.ndarray,
    mean: np.ndarray,
    grey: float,
    rng: np.random.Generator,
) -> None:
    """Mix facial hair into ``albedo`` with a white share that varies texel by texel around
    ``grey`` (each texel a few hairs), the pigmented hairs' colour chosen so that the average
    stays ``mean``: a greying beard is salt and pepper, not a flat grey."""
    white = np.minimum(0.75 * GREY_HAIR.astype(np.float32), 1.0)
    pigment = np.clip((mean - grey * white) / max(1.0 - grey, 1e-3), 0.0, 1.0)
    share = grey + SALT_SPREAD * (rng.random(len(rows), dtype=np.float32) - 0.5)
    share = np.clip(share, 0.0, 1.0)[:, None]
    colours = (1.0 - share) * pigment + share * white
    albedo[rows] += cover[:, None] * (colours - albedo[rows])
