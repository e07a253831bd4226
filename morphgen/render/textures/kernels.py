"""numba loops of the texture painters (each is a few numpy expressions fused into one pass)."""

from __future__ import annotations

from numba import njit

_JIT = {"cache": True, "nogil": True}


@njit(**_JIT)
def coarse_bilinear(coarse, texels, size, cell, out):  # pragma: no cover - jitted
    """``coarse`` (a grid with ``cell`` texels per step) at each flat texel index."""
    h, w = coarse.shape
    for k in range(texels.shape[0]):
        y = (texels[k] // size) / cell
        x = (texels[k] % size) / cell
        y0, x0 = min(int(y), h - 2), min(int(x), w - 2)
        fy, fx = y - y0, x - x0
        top = coarse[y0, x0] * (1.0 - fx) + coarse[y0, x0 + 1] * fx
        bottom = coarse[y0 + 1, x0] * (1.0 - fx) + coarse[y0 + 1, x0 + 1] * fx
        out[k] = top * (1.0 - fy) + bottom * fy


@njit(**_JIT)
def scale_rows(albedo, idx, factor):  # pragma: no cover - jitted
    """``albedo[idx[k]] *= factor[k]`` for (T, 3) albedo and (K, 3) factors."""
    for k in range(idx.shape[0]):
        for ch in range(3):
            albedo[idx[k], ch] *= factor[k, ch]


@njit(**_JIT)
def mix_rows(albedo, idx, cover, colour):  # pragma: no cover - jitted
    """``albedo[idx[k]] += cover[k] * (colour - albedo[idx[k]])``."""
    for k in range(idx.shape[0]):
        c = cover[k]
        if c > 0.0:
            for ch in range(3):
                albedo[idx[k], ch] += c * (colour[ch] - albedo[idx[k], ch])


@njit(**_JIT)
def skin_factor(
    uniform,
    mottle,
    lines,
    under,
    redness,
    pores,
    mottle_contrast,
    age_lines,
    under_gain,
    red_gain,
    under_tint,
    red_tint,
    out,
):  # pragma: no cover - jitted
    """Per skin texel: pores x mottle x wrinkles x under-eye shadow x redness, RGB."""
    for k in range(uniform.shape[0]):
        grey = 1.0 - pores * uniform[k] ** 3
        m = min(max(mottle[k], -2.5), 2.5)
        grey *= (1.0 + mottle_contrast * m) * (1.0 - age_lines * lines[k])
        for ch in range(3):
            out[k, ch] = (
                grey * (1.0 - under_gain * under[k] * under_tint[ch])
                * (1.0 - red_gain * redness[k] * red_tint[ch])
            )  # fmt: skip


@njit(**_JIT)
def halve(image, out):  # pragma: no cover - jitted
    """2 x 2 box filter of ``image (2S, 2S, C)`` into ``out (S, S, C)``."""
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            for ch in range(image.shape[2]):
                out[r, c, ch] = 0.25 * (
                    image[2 * r, 2 * c, ch] + image[2 * r, 2 * c + 1, ch]
                    + image[2 * r + 1, 2 * c, ch] + image[2 * r + 1, 2 * c + 1, ch]
                )  # fmt: skip


@njit(**_JIT)
def pack_texels(albedo, base, skin, left, right, beard, max_ratio, out):  # pragma: no cover
    """Per covered texel: RGB ratio of painted to baked albedo (clipped), then the hair
    coverage channels, which only skin texels (``skin`` indices) carry."""
    for t in range(albedo.shape[0]):
        for ch in range(3):
            out[t, ch] = min(max(albedo[t, ch] / max(base[t, ch], 1e-3), 0.0), max_ratio)
            out[t, 3 + ch] = 0.0
    for k in range(skin.shape[0]):
        t = skin[k]
        out[t, 3], out[t, 4], out[t, 5] = left[k], right[k], beard[k]
