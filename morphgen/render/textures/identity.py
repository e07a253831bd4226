"""An identity's texture: albedo modulation and hair coverage, made once per identity.

``make_texture`` bakes the identity's per-vertex albedo into the atlas (skin in place of the
colour model's brows: ``fill``), paints skin detail, cosmetics, beard, brows, lashes and eyes over
it (``skin``, ``makeup``, ``hair``, ``eyes``), and stores per texel
``(R, G, B, left brow, right brow, beard)``: the RGB ratio of the painted to the baked
albedo (so the renderer's per-vertex shading, times this ratio per pixel, shades the
painted albedo) and the coverage of each hair kind. Each level of the mip pyramid halves
the previous one by 2 x 2 box filtering.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from morphgen.render.textures import kernels
from morphgen.render.textures.eyes import paint_eyes
from morphgen.render.textures.hair import paint_beard, paint_brows_and_lashes
from morphgen.render.textures.makeup import paint_makeup
from morphgen.render.textures.setup import TextureSetup
from morphgen.render.textures.skin import paint_skin
from morphgen.scene import AppearanceParams

CHANNELS = 6  # R, G, B ratio; left brow, right brow, beard coverage
MAX_RATIO = 8.0
MIN_LEVEL_SIZE = 32
_STREAMS = ("skin", "hair", "beard", "eyes")


@dataclass
class IdentityTexture:
    """The mip pyramid of one identity's texture: ``levels[k]`` is ``(S / 2^k, S / 2^k, 6)``."""

    levels: list[np.ndarray]

    def level_for(self, texels_per_pixel: float) -> np.ndarray:
        """The level whose texels are nearest to one per pixel (never finer than level 0)."""
        k = int(np.clip(np.round(np.log2(max(texels_per_pixel, 1.0))), 0, len(self.levels) - 1))
        return self.levels[k]


def _streams(seed: int) -> dict[str, np.random.Generator]:
    seqs = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return {
        name: np.random.Generator(np.random.PCG64(s))
        for name, s in zip(_STREAMS, seqs, strict=True)
    }


def make_texture(
    setup: TextureSetup, vertex_albedo: np.ndarray, params: AppearanceParams
) -> IdentityTexture:
    """The texture of an identity with per-vertex albedo ``(N, 3)`` and ``params``."""
    rng = _streams(params.seed)
    base = setup.atlas.gather(np.asarray(vertex_albedo, dtype=np.float32))
    albedo = base.copy()
    if setup.brows is not None:  # the brows drawn below replace the colour model's
        setup.brows.apply(setup.atlas, vertex_albedo, albedo)
    paint_skin(setup, params, rng["skin"], albedo)
    paint_makeup(setup, params, albedo)
    texels = len(base)
    left = right = beard = np.zeros(len(setup.skin), dtype=np.float32)
    if setup.has_face:
        beard = paint_beard(setup, params, rng["beard"], albedo)
        left, right = paint_brows_and_lashes(setup, params, rng["hair"], albedo)
    paint_eyes(setup, params, rng["eyes"], albedo)
    values = np.empty((texels, CHANNELS), dtype=np.float32)
    kernels.pack_texels(albedo, base, setup.skin, left, right, beard, MAX_RATIO, values)
    empty = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0], dtype=np.float32)
    image = setup.atlas.image(values, empty)
    levels = [image]
    while levels[-1].shape[0] >= 2 * MIN_LEVEL_SIZE:
        half = levels[-1].shape[0] // 2
        levels.append(np.empty((half, half, CHANNELS), dtype=np.float32))
        kernels.halve(levels[-2], levels[-1])
    return IdentityTexture(levels)
