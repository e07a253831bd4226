"""The renderer's textures: one atlas per texture size and model, one texture per identity.

A texture is made when an identity first appears and kept while its images follow; the
mip level of each image is the one with about one texel per pixel, judged by the
projected distance between the outer eye corners.
"""

from __future__ import annotations

import numpy as np

from morphgen.model.morphable import MorphableModel
from morphgen.render.camera import Intrinsics
from morphgen.render.textures.identity import IdentityTexture, make_texture
from morphgen.render.textures.setup import TextureSetup, texture_setup
from morphgen.scene import AppearanceParams

EYEBALL_BASE = 0.5


class IdentityTextures:
    """Makes and caches the textures of ``model`` (which must have UVs to be asked)."""

    def __init__(self, model: MorphableModel) -> None:
        self.model = model
        self._setups: dict[int, TextureSetup] = {}
        self._last: tuple[bytes, IdentityTexture] | None = None
        corners = [model.landmarks.get(n) for n in ("ibug37", "ibug46")]
        self._corners = None if None in corners else np.array(corners)

    def setup(self, size: int) -> TextureSetup:
        if size not in self._setups:
            self._setups[size] = texture_setup(self.model, size)
        return self._setups[size]

    def vertex_albedo(self, params: AppearanceParams, albedo: np.ndarray) -> np.ndarray:
        """The per-vertex albedo to shade under the texture: the eyeballs a plain grey (their
        texture sets their colour outright, so the ratio to a grey base stays moderate)."""
        out = np.array(albedo, dtype=np.float32, copy=True)
        for eye in self.setup(params.texture_size).eyes:
            out[eye.vertices] = EYEBALL_BASE
        return out

    def texture(self, params: AppearanceParams, albedo: np.ndarray) -> IdentityTexture:
        """The texture of the identity with these parameters and per-vertex albedo."""
        key = repr(params).encode() + np.asarray(albedo, dtype=np.float32).tobytes()
        if self._last is None or self._last[0] != key:
            self._last = (key, make_texture(self.setup(params.texture_size), albedo, params))
        return self._last[1]

    def level(
        self, params: AppearanceParams, albedo: np.ndarray, posed: np.ndarray, k: Intrinsics
    ) -> np.ndarray:
        """The texture level for one image of the identity (posed vertices, intrinsics)."""
        texture = self.texture(params, albedo)
        setup = self.setup(params.texture_size)
        texels_per_pixel = 1.0
        if self._corners is not None and setup.eye_span_uv > 0:
            px = np.linalg.norm(np.diff(k.project(posed[self._corners]), axis=0))
            texels_per_pixel = setup.eye_span_uv * params.texture_size / max(float(px), 1e-6)
        return texture.level_for(texels_per_pixel)
