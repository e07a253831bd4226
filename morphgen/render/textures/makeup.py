"""Cosmetics drawn into the texture: lipstick, eye shadow, eyeliner and blush (and the
upper lids' geometry that the skin's lid crease uses).

The places are unit fields over the skin texels, computed once per model from the iBUG
landmarks in the face frame (``makeup_fields``; mm, x to the subject's left, y up); each
identity only scales and colours them (``paint_makeup``). Mascara darkens and lengthens the
lashes where they are drawn (``hair.paint_brows_and_lashes``). Colours come in the
parameters (linear RGB; the sampler's palettes); shapes were tuned by eye at 256 and 512 px.
"""

from __future__ import annotations

import numpy as np

from morphgen.colour import LUMINANCE
from morphgen.render.textures import kernels
from morphgen.render.textures.canvas import polyline
from morphgen.render.textures.skin import FRONT_Z_MM, smoothstep
from morphgen.scene import AppearanceParams

LINER_RGB = np.array([0.006, 0.005, 0.006], dtype=np.float32)
BLUSH_TINT = np.array([1.06, 0.78, 0.84], dtype=np.float32)  # times the skin at full blush
LIP_EDGE_MM = 0.4  # the lips' colour fades in over this either side of the outer lip contour
LIPSTICK_COVER = 0.85  # the lips' own colour left under lipstick of strength 1: 15 %
SHADOW_COVER = 0.8
LINER_MM = (0.5, 1.6)  # eyeliner width at strength 0 and 1
# iBUG numbers: each upper lid lateral -> medial, its brow lateral -> medial
UPPER_LIDS = {"right": ((37, 38, 39, 40), (18, 19, 20, 21, 22)),
              "left": ((46, 45, 44, 43), (27, 26, 25, 24, 23))}  # fmt: skip


def _curve_y(points: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The height of a polyline ``(n, 2)`` at ``x``, held flat beyond its ends."""
    order = np.argsort(points[:, 0])
    return np.interp(x, points[order, 0], points[order, 1])


def makeup_fields(p: np.ndarray, lm: dict[int, np.ndarray]) -> dict[str, np.ndarray]:
    """Fields at skin texels ``p (T, 3)``:

    - ``lip_contour``: inside the outer lip contour (smooth where the lip triangles' outline
      is jagged), 0 to 1: where lipstick and the lips' own tint go;
    - ``shadow``: the upper lids up to the crease, 0 to 1;
    - ``lid_mm``: mm from the upper lid margin, above it and on a wing past the outer
      corner (``inf`` elsewhere), for the eyeliner;
    - ``lid_height``, ``lid_span``: mm above the upper lid margin (-1 below it or away from
      the lids) and 0 to 1 along the lid away from its corners, for the skin's lid crease
      (``skin.paint_skin``);
    - ``blush``: the cheekbones, 0 to 1.
    """
    xy = p[:, :2]
    front = p[:, 2] > FRONT_Z_MM
    shadow = np.zeros(len(p), dtype=np.float32)
    lid_mm = np.full(len(p), np.inf, dtype=np.float32)
    lid_height = np.full(len(p), -1.0, dtype=np.float32)
    lid_span = np.zeros(len(p), dtype=np.float32)
    for lid_numbers, brow_numbers in UPPER_LIDS.values():
        lid = np.array([lm[n][:2] for n in lid_numbers])
        brow = np.array([lm[n][:2] for n in brow_numbers])
        outer, inner = lid[0], lid[-1]
        side = np.sign(outer[0] - inner[0])
        width = max(abs(outer[0] - inner[0]), 1.0)  # mm; guards a degenerate lid
        lo, hi = sorted((inner[0] - side * 2.0, outer[0] + side * 0.35 * width))
        near = np.flatnonzero(
            front & (xy[:, 0] > lo - 3.0) & (xy[:, 0] < hi + 3.0)
            & (xy[:, 1] > min(lid[:, 1]) - 4.0) & (xy[:, 1] < max(brow[:, 1]) + 2.0)
        )  # fmt: skip
        x, y = xy[near, 0], xy[near, 1]
        y_lid, y_brow = _curve_y(lid, x), _curve_y(brow, x)
        t = (y - y_lid) / np.maximum(y_brow - y_lid, 1.0)  # 0 at the lid margin, 1 at the brow
        along = (x - inner[0]) * side / width  # 0 at the inner corner, 1 at the outer one
        window = smoothstep(-0.15, 0.1, along) * (1.0 - smoothstep(1.05, 1.35, along))
        # deeper at the outer half and over the lid, fading towards the crease and brow
        depth = (0.75 + 0.25 * np.clip(along, 0, 1)) * (1.0 - smoothstep(0.25, 0.6, t))
        shadow[near] = np.maximum(shadow[near], smoothstep(-0.08, 0.06, t) * depth * window)
        lid_height[near] = np.where(y > y_lid, y - y_lid, -1.0)
        lid_span[near] = smoothstep(0.0, 0.25, along) * (1.0 - smoothstep(0.8, 1.05, along))
        wing_tip = outer + [side * 0.12 * width, 0.1 * width]
        liner = np.vstack([polyline(lid, np.linspace(0.0, 1.0, 48))[0][::-1], wing_tip])
        liner = polyline(liner, np.linspace(0.0, 1.0, 96))[0]
        d = np.min(np.linalg.norm(xy[near, None, :] - liner[None], axis=-1), axis=1)
        above = y > y_lid - 0.3
        on_wing = (along > 1.0) & (along < 1.15)
        lid_mm[near] = np.minimum(lid_mm[near], np.where(above | on_wing, d, np.inf))
    outline = np.array([lm[n][:2] for n in range(49, 61)])  # the outer lip contour
    lips = np.flatnonzero(
        front & np.all(xy > outline.min(axis=0) - 2.0, axis=1)
        & np.all(xy < outline.max(axis=0) + 2.0, axis=1)
    )  # fmt: skip
    lip_contour = np.zeros(len(p), dtype=np.float32)
    depth = _signed_depth(xy[lips], outline)
    lip_contour[lips] = smoothstep(-LIP_EDGE_MM, LIP_EDGE_MM, depth)
    blush = np.zeros(len(p), dtype=np.float32)
    nose_y, eye_y = lm[31][1], float(np.mean([lm[n][1] for n in range(37, 49)]))
    for outer in (lm[37], lm[46]):
        centre = np.array([0.8 * outer[0], nose_y + 0.25 * (eye_y - nose_y)])
        r2 = np.sum(((xy - centre) / [16.0, 10.0]) ** 2, axis=1)
        blush += np.exp(-0.5 * r2)
    return {
        "lip_contour": lip_contour,
        "shadow": shadow,
        "lid_mm": lid_mm,
        "lid_height": lid_height,
        "lid_span": lid_span,
        "blush": (np.clip(blush, 0, 1) * front).astype(np.float32),
    }


def _signed_depth(xy: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Distance of points ``(n, 2)`` to a closed polygon's outline, positive inside."""
    a, b = polygon, np.roll(polygon, -1, axis=0)
    ab = b - a
    t = np.clip(np.einsum("nkc,kc->nk", xy[:, None] - a, ab) / np.sum(ab * ab, axis=1), 0, 1)
    nearest = a + t[..., None] * ab
    distance = np.linalg.norm(xy[:, None] - nearest, axis=-1).min(axis=1)
    crosses = (a[:, 1] > xy[:, 1:2]) != (b[:, 1] > xy[:, 1:2])
    x_at = a[:, 0] + (xy[:, 1:2] - a[:, 1]) * ab[:, 0] / np.where(ab[:, 1] == 0, 1e-9, ab[:, 1])
    inside = (crosses & (xy[:, 0:1] < x_at)).sum(axis=1) % 2 == 1
    return np.where(inside, distance, -distance)


def paint_makeup(setup, params: AppearanceParams, albedo: np.ndarray) -> None:
    """Paint the identity's cosmetics over the skin texels of ``albedo (T, 3)``, in place."""
    f = setup.fields
    if not setup.has_face or "shadow" not in f:
        return
    idx = setup.skin
    if params.blush > 0:
        k = np.flatnonzero(f["blush"] > 0.01)
        factor = 1.0 + (params.blush * f["blush"][k])[:, None] * (BLUSH_TINT - 1.0)
        kernels.scale_rows(albedo, idx[k], factor.astype(np.float32))
    if params.eye_shadow > 0:
        k = np.flatnonzero(f["shadow"] > 0)
        colour = np.asarray(params.eye_shadow_rgb, dtype=np.float32)
        cover = (SHADOW_COVER * params.eye_shadow * f["shadow"][k]).astype(np.float32)
        kernels.mix_rows(albedo, idx[k], cover, colour)
    if params.eyeliner > 0:
        width = LINER_MM[0] + (LINER_MM[1] - LINER_MM[0]) * params.eyeliner
        d = f["lid_mm"]
        k = np.flatnonzero(d < width)
        cover = (1.0 - smoothstep(0.6 * width, width, d[k])).astype(np.float32)
        kernels.mix_rows(albedo, idx[k], 0.9 * cover, LINER_RGB)
    if params.lipstick > 0:
        k = np.flatnonzero(f["lip_contour"] > 0)
        lips = albedo[idx[k]]
        own = lips @ LUMINANCE.astype(np.float32)
        shade = np.clip(np.sqrt(own / max(float(np.median(own)), 1e-6)), 0.6, 1.4)
        target = np.asarray(params.lipstick_rgb, dtype=np.float32) * shade[:, None]
        a = (LIPSTICK_COVER * params.lipstick * f["lip_contour"][k])[:, None]
        albedo[idx[k]] = lips + a * (target - lips)
