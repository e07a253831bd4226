"""Dressing a head: its hair (per identity) and accessories (per image) as layers.

Geometry is fitted to the identity's neutral shape once and kept while consecutive images
share the identity and the same choices; the renderer poses it with the head.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np

from morphgen.model.morphable import MorphableModel
from morphgen.render.hair.head import Head, build_head
from morphgen.render.hair.mesh import hair_layers, scalp_tint
from morphgen.render.layers import Layer, merge
from morphgen.render.normals import vertex_normals
from morphgen.scene import SceneParams


class Dresser:
    """Hair and accessory layers of scenes of one model, cached for the last identity."""

    def __init__(self, model: MorphableModel):
        self.triangles = model.triangles
        self.regions = model.regions
        self._head: tuple[bytes, Head | None] | None = None
        self._cache: dict[str, tuple[np.ndarray, list[Layer]]] = {}

    def __call__(
        self, p: SceneParams, identity: bytes, shape: np.ndarray, albedo: np.ndarray
    ) -> tuple[np.ndarray, list[Layer]]:
        """The head's albedo (scalp tinted under hair) and the layers of scene ``p``."""
        if self.regions is None or (p.hair.style == "none" and not _accessories(p)):
            return albedo, []
        key = json.dumps([asdict(p.hair), p.glasses, p.headwear, p.clothing], sort_keys=True)
        if self._head is None or self._head[0] != identity:
            normals = vertex_normals(shape, self.triangles)
            self._head = (identity, build_head(shape, normals, self.triangles, self.regions))
            self._cache = {}
        if key not in self._cache:
            head = self._head[1]
            layers = hair_layers(head, p.hair)
            self._cache = {key: (scalp_tint(head, p.hair, albedo), merge(layers))}
        return self._cache[key]


def _accessories(p: SceneParams) -> bool:
    return any(x is not None for x in (p.glasses, p.headwear, p.clothing))
