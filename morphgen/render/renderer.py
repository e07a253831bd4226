"""The Renderer: SceneParams -> Sample (image, exact labels, landmarks), on any backend.

Per image: instance mesh -> pose -> normals -> SH shading (per vertex, camera space) ->
rasterise (``Backend.draw``, with the identity's texture modulating the albedo per pixel)
-> composite over the background -> augment -> landmarks.
Per-vertex work happens where it belongs: an identity's shape and colour are computed
once and kept while consecutive images share the identity, and ``render_many`` computes
the expression offsets of a batch of images in one matrix product.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from morphgen.config.schema import EXTRAS
from morphgen.errors import MorphgenError
from morphgen.labels import LABEL_IDS
from morphgen.model.calibration import LidClosure
from morphgen.model.morphable import MorphableModel
from morphgen.render import camera as cam_mod
from morphgen.render.amodal import LABEL_EXTRAS, amodal_images
from morphgen.render.backend import Backend, Frame
from morphgen.render.compose import composite, encode_srgb8
from morphgen.render.dress import Dresser
from morphgen.render.instance import combine, pca_instances
from morphgen.render.landmarks import arcface5, landmark_order, visibility
from morphgen.render.layers import Layer, Posed, pose_layers
from morphgen.render.lenses import tint_lenses
from morphgen.render.normals import vertex_normals
from morphgen.render.occlusion import sky_of
from morphgen.render.pose import extrinsics, model_pivot, transform
from morphgen.render.sample import Sample
from morphgen.render.shading import shade, specular_factors
from morphgen.render.teeth import tooth_shading
from morphgen.render.textures.cache import IdentityTextures
from morphgen.render.windows import model_windows
from morphgen.scene import SceneParams

OUTPUTS = ("mask", "depth")  # landmarks are always computed (metadata needs them)
# Regions whose projected box is the "face box" for camera centring.
FACE_REGIONS = (
    "skin", "nose", "left_eye", "right_eye", "left_brow", "right_brow", "upper_lip", "lower_lip",
)  # fmt: skip
BATCH = 32  # images per identity matrix product (new identities share a pass over the basis)
EXPRESSION_BATCH = 8  # images per expression product: (8, N, 3) offsets bound a worker's memory
# an identity's neutral shape over the model's vertices, the same at the drawn vertices
# (the same array when nothing is reduced), and its albedo over the drawn vertices
Identity = tuple[np.ndarray, np.ndarray, np.ndarray]


class Renderer:
    """Renders ``SceneParams`` of one model; one instance per process, reused for every image."""

    def __init__(
        self,
        model: MorphableModel,
        backend: str | Backend = "auto",
        *,
        outputs: Iterable[str] = frozenset(OUTPUTS),
        extras: Sequence[str] = (),
        background_dir: Path | str | None = None,
        label_map: np.ndarray | None = None,
        device: int | None = None,
        drawn: MorphableModel | None = None,
    ) -> None:
        """``drawn``: ``model`` reduced (``model.reduce``) to draw the head with; identities,
        hair and accessories are still made on ``model``'s own mesh, the hair's shell over
        the drawn scalp."""
        self.outputs = frozenset(outputs)
        for name, allowed, given in (
            ("outputs", OUTPUTS, self.outputs),
            ("extras", EXTRAS, extras),
        ):
            unknown = sorted(set(given) - set(allowed))
            if unknown:
                raise MorphgenError(
                    f"render {name} {unknown}: expected any of {', '.join(allowed)}"
                )
        self.extras = tuple(extras)
        self._label_extras = tuple(e for e in self.extras if e in LABEL_EXTRAS)
        self.source = model
        self.model = model if drawn is None else drawn
        self._drawn_ids = None if drawn is None else drawn.vertex_ids
        if drawn is not None and self._drawn_ids is None:
            raise ValueError("a drawn model must be a reduced one (it has vertex_ids)")
        model = self.model
        if isinstance(backend, str):
            from morphgen.render.select import make_backend

            backend = make_backend(backend, device)
        self.backend = backend
        from morphgen.render.backgrounds import BackgroundSource

        self.backgrounds = BackgroundSource(background_dir)
        self.label_map = None if label_map is None else np.asarray(label_map, dtype=np.uint8)
        self._triangles = model.triangles
        self._labels = _rendered_labels(model.triangle_regions())
        self._dresser = Dresser(self.source, drawn)
        self._pivot = model_pivot(self.source)
        self._face_vertices = _face_vertices(model)
        self._ibug = model.ibug68()
        self._landmark_names, self._landmark_vertices = landmark_order(model.landmarks)
        self._windows = model_windows(self._labels, model.landmarks or {}, model.mean_vertices())
        self._lids = LidClosure.of(model)
        self._specular = specular_factors(model.regions, model.n_vertices)
        self._tooth_shade = self._drawn(tooth_shading(self.source))
        self._sky = sky_of(model)
        self._identity_cache: dict[tuple[bytes, bytes], Identity] = {}
        self._textures = IdentityTextures(model)
        self._correspondence: np.ndarray | None = None
        # seconds spent per stage over this renderer's life (for profiling; see scripts/)
        self.stage_seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def _lap(self, stage: str | None) -> None:
        """Add the time since the previous lap to ``stage_seconds[stage]`` (None: restart)."""
        now = time.perf_counter()
        if stage is not None:
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + now - self._last
        self._last = now

    @property
    def backend_name(self) -> str:
        return self.backend.name

    def close(self) -> None:
        """Release the backend."""
        self.backend.close()

    def render(self, params: SceneParams) -> Sample:
        """Render one image."""
        return self.render_many([params])[0]

    def render_many(self, params: Sequence[SceneParams]) -> list[Sample]:
        """Render images in order (``iter_render``)."""
        return list(self.iter_render(params))

    def iter_render(self, params: Sequence[SceneParams]) -> Iterator[Sample]:
        """Render images in order, one at a time, sharing per-vertex work across batches.

        Per batch of up to ``BATCH`` images: the new identities' shapes and colours in one
        pass over each basis; then, per ``EXPRESSION_BATCH`` images, their expression
        offsets in one pass over its basis (``instance.combine``: bit-identical results
        whatever the batch sizes). A caller that encodes each sample as it comes holds
        one image's arrays, not a shard's.
        """
        for start in range(0, len(params), BATCH):
            batch = params[start : start + BATCH]
            self._lap(None)
            identities = self._identities(batch)
            shapes = [drawn for _, drawn, _ in identities]
            self._lap("identity")
            for first in range(0, len(batch), EXPRESSION_BATCH):
                chunk = batch[first : first + EXPRESSION_BATCH]
                self._lap(None)
                offsets = self._expression_offsets(chunk, shapes[first : first + len(chunk)])
                self._lap("expression")
                for b, p in enumerate(chunk, first):
                    shape, drawn, albedo = identities[b]
                    albedo, layers = self._dresser(p, _identity_key(p), shape, albedo)
                    vertices = drawn if offsets is None else drawn + offsets[b - first]
                    self._lap("dress")
                    yield self._render_one(p, vertices, albedo, layers)
                    self._lap(None)  # the caller's time between samples is not a stage

    def _drawn(self, per_vertex: np.ndarray | None) -> np.ndarray | None:
        """A per-vertex array of ``source`` restricted to the drawn model's vertices."""
        if self._drawn_ids is None or per_vertex is None:
            return per_vertex
        return per_vertex[self._drawn_ids]

    def _identities(self, batch: Sequence[SceneParams]) -> list[Identity]:
        """Per image: the neutral shape ``(N, 3)`` of ``source``, the same at the drawn
        vertices, and the drawn model's albedo; new identities in one product (a drawn
        model's colour rows are ``source``'s own).

        The last identity of the batch stays cached for the next call.
        """
        keys = [_identity_key(p) for p in batch]
        known = dict(self._identity_cache)
        new = [k for k in dict.fromkeys(keys) if k not in known]
        if new:
            first = {k: p for k, p in zip(keys, batch, strict=True)}
            m = self.source
            shapes = _stack([first[k].shape for k in new], m.shape.n_components, "shape")
            colors = _stack([first[k].color for k in new], m.color.n_components, "color")
            shape_v = pca_instances(m.shape, _or_empty(shapes, len(new)))
            color = self.model.color
            color_v = np.clip(pca_instances(color, _or_empty(colors, len(new))), 0.0, 1.0)
            if self._tooth_shade is not None:
                color_v *= self._tooth_shade[None, :, None]
            known.update(
                {k: (shape_v[u], self._drawn(shape_v[u]), color_v[u]) for u, k in enumerate(new)}
            )
        self._identity_cache = {keys[-1]: known[keys[-1]]}
        return [known[k] for k in keys]

    def _expression_offsets(
        self, batch: Sequence[SceneParams], shapes: Sequence[np.ndarray]
    ) -> np.ndarray | None:
        """``(B, N, 3)`` expression offsets of a batch in one product; None without any.

        Blink weights are scaled per face (``shapes``: its neutral vertices) so that weight 1
        closes its lids (``model.calibration``).
        """
        m = self.model
        total = None
        if m.expression is not None:
            coeffs = _stack([p.expression for p in batch], m.expression.n_components, "expression")
            total = pca_instances(m.expression, _or_empty(coeffs, len(batch)))
        if m.blendshapes is not None:
            weights = _stack(
                [p.blendshapes for p in batch], len(m.blendshapes.names), "blendshapes"
            )
            if weights is not None and weights.any():
                if self._lids is not None:
                    gains = np.stack([self._lids.gains(shape) for shape in shapes])
                    weights = weights * gains[:, : weights.shape[1]]
                offsets = combine(m.blendshapes.deltas, weights).reshape(len(batch), -1, 3)
                total = offsets if total is None else total + offsets
        return total

    def _render_one(
        self, p: SceneParams, vertices: np.ndarray, albedo: np.ndarray, layers: list[Layer]
    ) -> Sample:
        lap = self._lap
        cam = p.camera
        to_camera = extrinsics(p.yaw, p.pitch, p.roll, p.translation, cam.distance_mm, self._pivot)
        posed = transform(vertices, to_camera)
        use_landmarks = cam.centring == "landmarks" and self._ibug is not None
        lap("pose")
        k = cam_mod.intrinsics(cam, posed, self._ibug if use_landmarks else self._face_vertices)
        lap("camera")
        normals = vertex_normals(posed, self._triangles)
        lap("normals")
        textured = p.appearance is not None and self.model.uv is not None
        if textured:
            albedo = self._textures.vertex_albedo(p.appearance, albedo)
        if p.illumination.shadows > 0 and self._sky is not None and self._sky.open is None:
            self._sky = sky_of(self.model, shadows=True)  # once, on the first shadowed image
        colors, irradiance = shade(
            normals, albedo, posed, p.illumination, self._specular, self._sky,
            to_camera[:3, :3].T,
        )  # fmt: skip
        lap("shading")
        attributes = self._attributes(normals, albedo, irradiance)
        points = posed[self._landmark_vertices]
        uv = k.project(points)
        head = Posed(posed, self._triangles, colors, self._labels, attributes)
        lenses = [layer for layer in layers if layer.see_through]
        solid = [layer for layer in layers if not layer.see_through]
        scene = pose_layers(head, solid, to_camera, p.illumination)
        lap("layers")
        frame = Frame(
            scene.vertices, scene.triangles, scene.colors, scene.labels, k,
            cam.near_mm, cam.far_mm, scene.attributes,
        )  # fmt: skip
        if self._windows is not None:
            marks = dict(zip(self._landmark_names, uv.astype(np.float32), strict=True))
            bits, frame.windows = self._windows.for_frame(marks, vertices)
            # the head's triangles come first; hair and accessories are never clipped
            frame.triangle_windows = np.zeros(len(scene.triangles), dtype=np.uint8)
            frame.triangle_windows[: len(bits)] = bits
        if textured:
            frame.texture = self._textures.level(p.appearance, albedo, posed, k)
            frame.uv = self.model.uv
        lap("texture")
        raster = self.backend.draw(frame)
        if lenses:
            raster.color = tint_lenses(self.backend, frame, lenses, to_camera, raster)
        lap("raster")
        background = self.backgrounds.image(p.background, k.width, k.height)
        lap("background")
        rgb = composite(raster.color, raster.alpha, background)
        lap("composite")
        if p.augment:
            from morphgen.render.augment import apply_augmentations

            rgb = apply_augmentations(rgb, p.augment)
        lap("augment")
        visible = visibility(
            points, uv, self._landmark_vertices, raster.depth, raster.triangle_id, frame.triangles
        )
        lap("landmarks")
        mask = raster.mask if self.label_map is None else self.label_map[raster.mask]
        extras = _extra_images(raster.attributes, raster.triangle_id >= 0)
        if self._label_extras:
            labelled = amodal_images(
                self.backend, frame, len(self._triangles), raster.mask, self._label_extras
            )
            if self.label_map is not None and "amodal" in labelled:
                labelled["amodal"] = self.label_map[labelled["amodal"]]
            extras.update(labelled)
        lap("extras")
        return Sample(
            params=p,
            rgb=rgb,
            mask=mask if "mask" in self.outputs else None,
            depth=raster.depth if "depth" in self.outputs else None,
            landmarks=uv.astype(np.float32),
            landmark_visible=visible,
            landmark_names=list(self._landmark_names),
            intrinsics=k.matrix,
            extrinsics=to_camera,
            extras=extras,
            backend=self.backend_name,
            arcface=arcface5(self._landmark_names, uv, visible),
            model_sha256=getattr(self.source, "sha256", None),
        )

    def _attributes(
        self, normals: np.ndarray, albedo: np.ndarray, irradiance: np.ndarray
    ) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for name in self.extras:
            if name in LABEL_EXTRAS:
                continue
            if name == "normals":
                out[name] = normals
            elif name == "albedo":
                out[name] = albedo
            elif name == "illumination":
                out[name] = irradiance
            else:
                out[name] = self._correspondence_colours()
        return out

    def _correspondence_colours(self) -> np.ndarray:
        """Mean-shape coordinates scaled from its bounding box to [0, 1] per axis."""
        if self._correspondence is None:
            mean = self.source.mean_vertices()
            lo, hi = mean.min(axis=0), mean.max(axis=0)
            scaled = (self._drawn(mean) - lo) / np.maximum(hi - lo, 1e-6)
            self._correspondence = scaled.astype(np.float32)
        return self._correspondence


def _rendered_labels(regions: np.ndarray) -> np.ndarray:
    """Triangle labels as rendered: bare scalp is skin (hair, drawn on top, is hair)."""
    out = regions.copy()
    out[out == LABEL_IDS["scalp"]] = LABEL_IDS["skin"]
    return out


def _identity_key(params: SceneParams) -> tuple[bytes, bytes]:
    return (
        np.asarray(params.shape, dtype=np.float32).tobytes(),
        np.asarray(params.color, dtype=np.float32).tobytes(),
    )


def _checked(available: int, coeffs: np.ndarray, part: str) -> np.ndarray:
    c = np.asarray(coeffs, dtype=np.float32).reshape(-1)
    if len(c) > available:
        raise MorphgenError(
            f"scene parameter {part!r} has {len(c)} coefficients; the model's {part} "
            f"part has {available}"
        )
    return c


def _stack(vectors: list[np.ndarray], available: int, part: str) -> np.ndarray | None:
    """Coefficient vectors as one ``(B, k)`` float32 matrix, zero-padded; None if k == 0."""
    rows = [_checked(available, v, part) for v in vectors]
    k = max(len(r) for r in rows)
    if k == 0:
        return None
    out = np.zeros((len(rows), k), dtype=np.float32)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def _or_empty(coeffs: np.ndarray | None, rows: int) -> np.ndarray:
    return np.zeros((rows, 0), dtype=np.float32) if coeffs is None else coeffs


def _face_vertices(model: MorphableModel) -> np.ndarray:
    """Vertex indices of the face regions (all vertices when the model has no regions)."""
    if model.regions is None:
        return np.arange(model.n_vertices)
    ids = [LABEL_IDS[name] for name in FACE_REGIONS]
    found = np.nonzero(np.isin(model.regions, ids))[0]
    return found if len(found) else np.arange(model.n_vertices)


def _extra_images(attributes: dict[str, np.ndarray], face: np.ndarray) -> dict[str, np.ndarray]:
    """Attribute maps as uint8 images: normals as ``(n + 1) / 2``, colours sRGB-encoded,
    correspondence as linear [0, 1]; 0 on background."""
    out = {}
    for name, image in attributes.items():
        if name == "normals":
            img = np.clip((image + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)
        elif name == "correspondence":
            img = np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
        else:
            img = encode_srgb8(image)
        img[~face] = 0
        out[name] = img
    return out
