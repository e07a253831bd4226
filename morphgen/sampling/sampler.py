"""The Sampler: a config plus a model -> the ``SceneParams`` of every image (i, j).

Determinism: every random number of image (i, j) comes from a stream of its own factor,
``SeedSequence([seed, i, j], spawn_key=(crc32(factor name),))``; identity-level numbers
(coefficients, images per identity) from ``SeedSequence([seed, i], ...)``. So a scene is a
pure function of (config, seed, i, j): the same whatever the workers or their order,
adding identities or images leaves existing ones unchanged, and adding a new factor to
the sampler does not shift the draws of the others.

Grids: every ``dist: grid`` among the scene factors is iterated in order by the sample
index ``j``, as a Cartesian product in config order with the last grid varying fastest
(e.g. yaw grid x light-azimuth grid: all light directions for the first yaw, then the
next yaw). ``images_per_identity: grid`` gives one image per grid point.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from morphgen.config.backgrounds import background_files, check_headers
from morphgen.config.distributions import Distribution
from morphgen.config.presets import ANTAGONISTS, CAPPED_BY, CONJUGATE_GAZE, JAW_COMPANIONS
from morphgen.config.schema import DEFOCUSED_KINDS, Augment, Config
from morphgen.errors import ConfigError, MorphgenError
from morphgen.model.morphable import MorphableModel
from morphgen.sampling.appearance import AppearanceSampler
from morphgen.sampling.components import component_count
from morphgen.sampling.expression import preset_vectors
from morphgen.sampling.hair import hair_params, outfit
from morphgen.sampling.identity import IdentitySampler, generator
from morphgen.sampling.illumination import LightPrior, exposure_gain
from morphgen.scene import CameraParams, HairParams, Illumination, SceneParams


def count_background_images(directory: Path, read_headers: bool = False) -> int:
    """Images in a background directory (the renderer indexes the same list).

    With ``read_headers`` every file's image header is read as well, so that a corrupt file
    is found once before a run (``config check``, ``generate``), not while rendering; the
    workers' samplers only count.
    """
    directory = Path(directory).expanduser()
    try:
        files = background_files(directory)
        if read_headers:
            check_headers(directory, files)
        return len(files)
    except MorphgenError as exc:
        raise ConfigError(f"background.directory: {exc}") from None


class _Draws:
    """The draw function of one image (or identity): a stream and a grid position per factor."""

    def __init__(self, entropy: list[int], grid_index: dict[str, int]):
        self.entropy = entropy
        self.grid_index = grid_index

    def rng(self, name: str) -> np.random.Generator:
        return generator(self.entropy, name)

    def __call__(
        self,
        name: str,
        what: Distribution | Callable[[np.random.Generator, int], np.ndarray],
        size: int = 1,
    ) -> np.ndarray:
        if isinstance(what, Distribution):
            # each factor has a stream of its own: one not read need not be made
            rng = self.rng(name) if what.is_random else None
            return what.sample(rng, size, index=self.grid_index.get(name))
        return np.asarray(what(self.rng(name), size))

    def one(self, name: str, dist: Distribution) -> float:
        return float(self(name, dist, 1)[0])


class Sampler:
    """Turns ``(config, model)`` into scene parameters for every (identity, sample)."""

    def __init__(self, config: Config, model: MorphableModel):
        self.config = config
        self.model = model
        self.seed = int(config.seed)
        self.appearance = AppearanceSampler(config.appearance, model, self.seed)
        self.identities = IdentitySampler(
            config.identities, model, self.seed, self.appearance.skin_tone
        )
        self._appearance_cache: tuple[int, object] = (-1, None)
        self.grids = config.scene_grids()
        self.grid_size = int(np.prod([len(g) for _, g in self.grids])) if self.grids else 1
        self.lights = LightPrior(config.illumination)
        self._looks: tuple[int, Any] = (-1, None)
        self._rest: tuple[int, dict[str, float]] = (-1, {})
        self._check_expression()
        bg = config.background
        self.background_count = 0
        if bg.directory is not None and bg.image_probability > 0:
            self.background_count = count_background_images(bg.directory)

    # ------------------------------------------------------------------ identities
    @property
    def num_identities(self) -> int:
        return int(self.config.identities.count)

    def images_for(self, i: int) -> int:
        """Images of identity ``i`` (depends on (seed, i) only)."""
        ipi = self.config.identities.images_per_identity
        if ipi == "grid":
            return self.grid_size
        value = _Draws([self.seed, i], {}).one("identities.images_per_identity", ipi)
        return max(1, int(round(value)))

    def identity(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """``(shape_coeffs, color_coeffs)`` of identity ``i``."""
        return self.identities(i)

    def nearest_neighbour_distances(self) -> np.ndarray:
        """Each identity's distance to its nearest other identity (see ``MinDistance``)."""
        return self.identities.nearest_neighbour_distances(self.num_identities)

    def plan(self) -> list[tuple[int, int]]:
        """Every (identity, sample) pair in order."""
        return [(i, j) for i in range(self.num_identities) for j in range(self.images_for(i))]

    # ---------------------------------------------------------------------- scenes
    def grid_positions(self, j: int) -> dict[str, int]:
        """The position of sample ``j`` in each grid (mixed radix, last grid fastest)."""
        out: dict[str, int] = {}
        stride = 1
        for name, grid in reversed(self.grids):
            out[name] = (j // stride) % len(grid)
            stride *= len(grid)
        return out

    def scene(self, i: int, j: int) -> SceneParams:
        """The parameters of image ``j`` of identity ``i``: a pure function of (config, i, j)."""
        cfg = self.config
        draw = _Draws([self.seed, i, j], self.grid_positions(j))
        shape, color = self.identity(i)
        expression, blendshapes = self._expression(draw)
        blendshapes = self._resting_face(i, blendshapes)
        pose = cfg.pose
        hair, outfits = self.looks(i)
        worn = outfits[int(draw.rng("accessories.outfit").integers(len(outfits)))]
        return SceneParams(
            identity=i,
            sample=j,
            shape=shape,
            color=color,
            expression=expression,
            blendshapes=blendshapes,
            yaw=draw.one("pose.yaw", pose.yaw),
            pitch=draw.one("pose.pitch", pose.pitch),
            roll=draw.one("pose.roll", pose.roll),
            translation=tuple(
                draw.one(f"pose.translation.{axis}", getattr(pose.translation, axis))
                for axis in "xyz"
            ),
            camera=self._camera(draw),
            illumination=self._illumination(draw, color),
            background=self._background(draw),
            augment=augment_ops(cfg.augment, draw),
            hair=hair,
            **worn,
            appearance=self.identity_appearance(i, color),
            sex=self.sex(i),
        )

    def sex(self, i: int) -> str:
        """Identity ``i``'s sex, ``female`` or ``male`` (``identities.sex``)."""
        return self.identities.sex(i)

    def looks(self, i: int) -> tuple[HairParams, list[dict[str, Any]]]:
        """Identity ``i``'s hair and its outfits (from its own streams; the last one kept)."""
        if self._looks[0] != i:
            own = _Draws([self.seed, i], {})
            acc = self.config.accessories
            outfits = [outfit(acc, own, k) for k in range(acc.sets)]
            skin = self.appearance.skin_tone(self.identity(i)[1])
            hair = hair_params(self.config.hair, own, self.sex(i), self.appearance.age(i), skin)
            self._looks = (i, (hair, outfits))
        return self._looks[1]

    def identity_appearance(self, i: int, color: np.ndarray):
        """Identity ``i``'s ``AppearanceParams`` (cached for consecutive images of it)."""
        if self._appearance_cache[0] != i:
            appearance = self.appearance(i, color, self.sex(i), self.looks(i)[0])
            self._appearance_cache = (i, appearance)
        return self._appearance_cache[1]

    # ------------------------------------------------------------------- factors
    def _check_expression(self) -> None:
        ex = self.config.expression
        names = [n for n, w in ex.presets.weights.items() if w > 0]
        bs = self.model.blendshapes
        self._preset_names = names
        self._preset_weights = np.asarray([ex.presets.weights[n] for n in names], dtype=float)
        self._presets = (
            preset_vectors(names, bs.names if bs is not None else None, self.model.source)
            if ex.presets.probability > 0 and names
            else None
        )
        n_expr = 0 if self.model.expression is None else self.model.expression.n_components
        self.k_expression = component_count(ex, "expression.components", n_expr)
        shapes = bs.names if bs is not None else []
        self.k_blendshapes = len(shapes)
        self._antagonists = name_pairs(shapes, ANTAGONISTS)
        self._capped = name_pairs(shapes, CAPPED_BY)
        self._companions = companions(shapes)
        self._twins, self._gaze = twins(shapes)
        self._blendshape_index = {n: k for k, n in enumerate(shapes)}

    def _expression(self, draw: _Draws) -> tuple[np.ndarray, np.ndarray]:
        ex = self.config.expression
        coeffs = np.zeros(self.k_expression, dtype=np.float32)
        weights = np.zeros(self.k_blendshapes, dtype=np.float32)
        if draw.rng("expression.neutral").random() < ex.neutral_probability:
            return coeffs, weights
        if self.k_expression:
            z = draw("expression.pca", lambda rng, n: rng.standard_normal(n), self.k_expression)
            coeffs = (limit_radius(z, ex.max_radius) * ex.scale).astype(np.float32)
        if self.k_blendshapes:
            rng = draw.rng("expression.blendshapes.active")
            active = rng.random(self.k_blendshapes) < ex.blendshapes.probability
            w = draw("expression.blendshapes.weight", ex.blendshapes.weight, self.k_blendshapes)
            weights = np.where(active, np.clip(w, 0.0, 1.0), 0.0).astype(np.float32)
            weights = self._bilateral(draw, weights)
            weights = with_companions(weights, self._companions)
        if self._presets is not None:
            rng = draw.rng("expression.presets")
            if rng.random() < ex.presets.probability:
                p = self._preset_weights / self._preset_weights.sum()
                k = int(rng.choice(len(p), p=p))
                strength = max(0.0, draw.one("expression.presets.strength", ex.presets.strength))
                weights = np.clip(weights + strength * self._presets[k], 0.0, 1.0)
        return coeffs, weights.astype(np.float32)

    def _bilateral(self, draw: _Draws, weights: np.ndarray) -> np.ndarray:
        """The random activations made plausible, one side's twins following the other's:
        the gaze always, every ``_L``/``_R`` pair in a symmetric image (``symmetry``)."""
        cfg = self.config.expression.blendshapes
        rng = draw.rng("expression.blendshapes.symmetry")
        chosen = np.ones(len(self._gaze), dtype=bool) if rng.random() < cfg.symmetry else self._gaze
        pairs = self._twins[chosen]
        if rng.random() < 0.5:  # which side leads
            pairs = pairs[:, ::-1]
        lead, follow = pairs[:, 0], pairs[:, 1]
        drawn = weights.copy()
        drawn[follow] = 0.0
        out = plausible(drawn, self._antagonists, self._capped, cfg.max_active)
        ratio = max(0.0, draw.one("expression.blendshapes.twin_ratio", cfg.twin_ratio))
        out[follow] = np.minimum(out[lead] * np.where(self._gaze[chosen], 1.0, ratio), 1.0)
        return out

    def _resting_face(self, i: int, weights: np.ndarray) -> np.ndarray:
        """Blendshape weights over the identity's resting face (``appearance.rest``):
        ``rest + (1 - rest) * w`` on both sides, so a full blink or smile stays full; a
        resting weight yields to an active antagonist (wide eyes lift resting lids)."""
        if not self._blendshape_index:
            return weights
        if self._rest[0] != i:  # an identity's own draws: once for its consecutive images
            self._rest = (i, self.appearance.resting(i))
        out = weights.copy()
        for base, rest in self._rest[1].items():
            for k in (self._blendshape_index.get(base + side) for side in ("_L", "_R", "")):
                opposed = any(
                    weights[b if a == k else a] > 0 for a, b in self._antagonists if k in (a, b)
                )
                if k is not None and rest > 0 and not opposed:
                    out[k] = rest + (1.0 - rest) * out[k]
        return out

    def _camera(self, draw: _Draws) -> CameraParams:
        cam = self.config.camera
        return CameraParams(
            width=cam.width,
            height=cam.height,
            focal_mm=draw.one("camera.focal_mm", cam.focal_mm),
            sensor_mm=cam.sensor_mm,
            fov_deg=None if cam.fov_deg is None else draw.one("camera.fov_deg", cam.fov_deg),
            distance_mm=draw.one("camera.distance_mm", cam.distance_mm),
            centring=cam.centring,
            shift=(
                draw.one("camera.shift_x", cam.shift_x),
                draw.one("camera.shift_y", cam.shift_y),
            ),
            scale=draw.one("camera.scale", cam.scale),
        )

    def _illumination(self, draw: _Draws, color: np.ndarray) -> Illumination:
        """The image's light, exposed for the identity's skin (``camera.exposure``)."""
        ap = self.config.appearance
        sh = self.lights.sample(draw)
        skin = self.appearance.skin_tone.luminance(np.asarray(color, dtype=np.float64))
        sh = sh * exposure_gain(sh, skin, self.config.camera.exposure)
        channels = 3 if ap.per_channel else 1
        gain = draw("appearance.gain", ap.gain, channels)
        offset = draw("appearance.offset", ap.offset, channels)
        return Illumination(
            sh=sh.astype(np.float32),
            specular_strength=max(
                0.0, draw.one("appearance.specular_strength", ap.specular_strength)
            ),
            specular_shininess=max(
                0.0, draw.one("appearance.specular_shininess", ap.specular_shininess)
            ),
            gain=tuple(float(v) for v in np.broadcast_to(gain, 3)),
            contrast=draw.one("appearance.contrast", ap.contrast),
            offset=tuple(float(v) for v in np.broadcast_to(offset, 3)),
            occlusion=float(np.clip(draw.one("appearance.occlusion", ap.occlusion), 0.0, 1.0)),
            shadows=float(np.clip(draw.one("appearance.shadows", ap.shadows), 0.0, 1.0)),
        )

    def _background(self, draw: _Draws) -> dict[str, Any]:
        bg = self.config.background
        rng = draw.rng("background")
        if self.background_count and rng.random() < bg.image_probability:
            return {"kind": "image", "index": int(rng.integers(self.background_count))}
        kinds = list(bg.kinds)
        w = np.asarray([bg.kinds[k] for k in kinds], dtype=float)
        kind = kinds[int(rng.choice(len(kinds), p=w / w.sum()))]
        spec = {"kind": kind, "seed": int(rng.integers(0, 2**31 - 1))}
        if kind in DEFOCUSED_KINDS:
            spec["defocus"] = max(0.0, draw.one("background.defocus", bg.defocus))
        return spec


def limit_radius(z: np.ndarray, radius: float | None) -> np.ndarray:
    """``z`` shrunk onto the sphere of ``radius`` when it lies outside (None: unchanged)."""
    norm = float(np.linalg.norm(z))
    if radius is None or norm <= radius:
        return z
    return z * (radius / norm)


def name_pairs(names: list[str], pairs: tuple[tuple[str, str], ...]) -> np.ndarray:
    """``(P, 2)`` blendshape indices of the ``pairs`` of names the model has both of."""
    index = {n: k for k, n in enumerate(names)}
    found = [(index[a], index[b]) for a, b in pairs if a in index and b in index]
    return np.asarray(found, dtype=np.int64).reshape(-1, 2)


def plausible(
    weights: np.ndarray, antagonists: np.ndarray, capped: np.ndarray, max_active: int | None
) -> np.ndarray:
    """Random activations a face can make: the stronger of each antagonist pair, each
    dependent blendshape at most its driver (``capped``: (dependent, driver) rows), then the
    ``max_active`` strongest (ties: the lower index)."""
    w = weights.copy()
    for a, b in antagonists:
        if w[a] > 0 and w[b] > 0:
            w[b if w[a] >= w[b] else a] = 0.0
    for dependent, driver in capped:
        w[dependent] = min(w[dependent], w[driver])
    if max_active is not None and np.count_nonzero(w) > max_active:
        order = np.argsort(-w, kind="stable")
        w[order[max_active:]] = 0.0
    return w


def twins(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(P, 2)`` indices of each left blendshape and its right twin (gaze: the right eye's
    blendshape that looks the same way, ``CONJUGATE_GAZE``), and which of the pairs are gaze."""
    looking = {n for pair in CONJUGATE_GAZE for n in pair}
    sided = tuple((n, n[:-2] + "_R") for n in names if n.endswith("_L") and n not in looking)
    gaze = name_pairs(names, CONJUGATE_GAZE)
    pairs = np.concatenate([gaze, name_pairs(names, sided)])
    return pairs, np.arange(len(pairs)) < len(gaze)


def companions(names: list[str]) -> tuple[int, np.ndarray, np.ndarray] | None:
    """``(jawOpen index, companion indices, fractions)`` of ``JAW_COMPANIONS``, if present."""
    index = {n: k for k, n in enumerate(names)}
    found = [(index[n], f) for n, f in JAW_COMPANIONS.items() if n in index]
    if "jawOpen" not in index or not found:
        return None
    ids, fractions = zip(*found, strict=True)
    return index["jawOpen"], np.array(ids), np.array(fractions, dtype=np.float32)


def with_companions(
    weights: np.ndarray, jaw: tuple[int, np.ndarray, np.ndarray] | None
) -> np.ndarray:
    """Weights with the open jaw's companions raised to their fraction of ``jawOpen``."""
    if jaw is None or weights[jaw[0]] <= 0:
        return weights
    out = weights.copy()
    k, ids, fractions = jaw
    out[ids] = np.maximum(out[ids], fractions * out[k])
    return out


def augment_ops(cfg: Augment, draw: _Draws) -> list[dict[str, Any]]:
    """The augmentations of one image, every random value resolved, in application order."""
    ops: list[dict[str, Any]] = []
    for name in type(cfg).model_fields:  # blur, resample, color_jitter, noise, jpeg
        section = getattr(cfg, name)
        if section.probability <= 0:
            continue
        key = f"augment.{name}"
        rng = draw.rng(key)
        if rng.random() >= section.probability:
            continue
        if name == "blur":
            ops.append({"op": "blur", "sigma": max(0.0, draw.one(f"{key}.sigma", section.sigma))})
        elif name == "resample":
            factor = float(np.clip(draw.one(f"{key}.factor", section.factor), 0.05, 1.0))
            ops.append({"op": "resample", "factor": factor})
        elif name == "color_jitter":
            op: dict[str, Any] = {"op": "color_jitter"}
            for part in ("brightness", "contrast", "saturation", "hue"):
                op[part] = draw.one(f"{key}.{part}", getattr(section, part))
            ops.append(op)
        elif name == "noise":
            std = max(0.0, draw.one(f"{key}.std", section.std))
            ops.append({"op": "noise", "std": std, "seed": int(rng.integers(0, 2**31 - 1))})
        elif name == "jpeg":
            quality = int(np.clip(round(draw.one(f"{key}.quality", section.quality)), 1, 100))
            ops.append({"op": "jpeg", "quality": quality})
    return ops
