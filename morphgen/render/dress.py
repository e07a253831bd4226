"""Dressing a head: its hair (per identity) and accessories (per image) as layers.

Geometry is fitted to the identity's neutral shape once and kept while consecutive images
share the identity (hair per hairstyle, accessories per outfit); the renderer poses it
with the head.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import cached_property

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel
from morphgen.render.accessories.clothing import clothing_layer
from morphgen.render.accessories.glasses import glasses_layers, skull_vertices
from morphgen.render.accessories.headwear import headwear_layer
from morphgen.render.hair.head import Head, HeadFit, build_head
from morphgen.render.hair.mesh import detail, hair_layers, scalp_tint
from morphgen.render.layers import Layer, merge
from morphgen.render.normals import vertex_normals
from morphgen.scene import SceneParams


class Dresser:
    """Hair and accessory layers of scenes of one model, cached for the last identity."""

    def __init__(self, model: MorphableModel, drawn: MorphableModel | None = None):
        """``drawn``: ``model`` reduced (``model.reduce``) when the head is drawn so: the
        hair's shell follows its triangles (``HeadFit.of``) and the albedo is its own."""
        self.triangles = model.triangles
        self._ids = None if drawn is None else drawn.vertex_ids
        self._drawn = None if drawn is None else drawn.vertex_ids[drawn.triangles]
        self.regions = model.regions
        self.landmarks = model.landmarks
        self._mean = model.mean_vertices()
        self._identity: tuple[bytes, ...] | None = None
        self._head: Head | None = None
        self._shape = np.zeros((0, 3), dtype=np.float32)
        self._hair: dict[str, tuple[np.ndarray, list[Layer]]] = {}
        self._outfits: dict[str, list[Layer]] = {}

    def __call__(
        self, p: SceneParams, identity: tuple[bytes, ...], shape: np.ndarray, albedo: np.ndarray
    ) -> tuple[np.ndarray, list[Layer]]:
        """The head's albedo (scalp tinted under hair) and the layers of scene ``p``;
        ``identity`` keys the identity's shape and colour (the cache). ``shape`` is over the
        model's vertices, ``albedo`` over the drawn model's."""
        worn = [p.glasses, p.headwear, p.clothing]
        if self.regions is None or (p.hair.style == "none" and worn == [None, None, None]):
            return albedo, []
        fit = self._fit
        if fit is None:
            return albedo, []
        if identity != self._identity:
            normals = vertex_normals(shape, self.triangles)
            self._identity, self._shape = identity, shape
            self._head = build_head(fit, shape, normals)
            self._hair, self._outfits = {}, {}
        level = detail(p.camera.width, p.camera.height)
        hair_key = json.dumps([asdict(p.hair), level], sort_keys=True)
        if hair_key not in self._hair:
            layers = hair_layers(self._head, p.hair, level)
            self._hair[hair_key] = (scalp_tint(self._head, p.hair, albedo, self._ids), layers)
        tinted, hair = self._hair[hair_key]
        outfit_key = json.dumps([hair_key, *worn], sort_keys=True)
        if outfit_key not in self._outfits:
            self._outfits[outfit_key] = merge(hair + self._outfit(p))
        return tinted, self._outfits[outfit_key]

    @cached_property
    def _fit(self) -> HeadFit | None:
        """The model's head fit (found with the first head dressed); None without a scalp."""
        assert self.regions is not None
        return HeadFit.of(self._mean, self.triangles, self.regions, self._drawn)

    @cached_property
    def _skull(self) -> np.ndarray:
        """The vertices glasses' arms clear (``skull_vertices``)."""
        assert self.regions is not None
        return skull_vertices(self.regions)

    def _outfit(self, p: SceneParams) -> list[Layer]:
        """The accessory layers of ``p`` on the current identity's head."""
        head, out = self._head, []
        if p.clothing is not None:
            neck = self._shape[self.regions == LABEL_IDS["neck"]]
            out.append(clothing_layer(head, neck, p.clothing))
        if p.headwear is not None:
            grows = p.hair.style not in ("none", "shaved")
            hair_mm = min(p.hair.volume_mm, 20.0) + 1.0 if grows else 0.5
            out.append(headwear_layer(head, hair_mm, p.headwear))
        if p.glasses is not None:
            skull = self._skull
            out.extend(glasses_layers(head, self._shape, skull, self.landmarks, p.glasses))
        return [layer for layer in out if layer is not None]
