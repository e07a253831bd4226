"""Identity coefficients: a pure function of (seed, i), or, with ``min_distance``, of (seed, 0..i).

Without ``min_distance`` identity ``i`` is drawn from its own streams
``SeedSequence([seed, i], spawn_key=(stream("identity.shape"),))`` (and ``identity.color``,
``identity.tone``).
With it, candidates are drawn one after another from those same streams and the first one
at least ``distance`` away from every lower-index identity is kept (rejection sampling);
after ``max_tries`` the candidate farthest from its nearest neighbour is kept. Identity ``i``
then depends on identities ``0..i-1`` too, so adding identities still leaves the existing
ones unchanged, but computing identity ``i`` costs all those before it (cached per process).
"""

from __future__ import annotations

import functools
import zlib

import numpy as np

from morphgen.config.schema import Identities
from morphgen.model.morphable import MorphableModel
from morphgen.sampling.components import component_count
from morphgen.sampling.detail import spread_matrix
from morphgen.sampling.sex import masculinity_direction
from morphgen.sampling.skin_tone import SkinTone


def stream_key(name: str) -> int:
    """A stable 32-bit id for a factor name: its random stream's spawn key."""
    return zlib.crc32(name.encode("utf-8"))


def generator(entropy: list[int], name: str) -> np.random.Generator:
    """The random stream of factor ``name`` for ``entropy`` ([seed, i] or [seed, i, j])."""
    seq = np.random.SeedSequence(entropy, spawn_key=(stream_key(name),))
    return np.random.Generator(np.random.PCG64(seq))


class IdentitySampler:
    """Shape and colour coefficients of identity ``i`` (standard-normal units times ``scale``)."""

    def __init__(
        self, cfg: Identities, model: MorphableModel, seed: int, tone: SkinTone | None = None
    ):
        self.cfg = cfg
        self.seed = seed
        n_shape, n_color = model.shape.n_components, model.color.n_components
        self.k_shape = component_count(cfg.shape, "identities.shape.components", n_shape)
        self.k_color = component_count(cfg.color, "identities.color.components", n_color)
        # features whose Euclidean distance is the configured identity distance
        space = cfg.min_distance.space if cfg.min_distance else "shape_rms_mm"
        self.space = space
        sd = np.sqrt(np.maximum(model.shape.variance[: self.k_shape].astype(np.float64), 0.0))
        self._rms_weights = sd / np.sqrt(model.n_vertices)
        shift = cfg.sex.shape
        self._masculine = (
            masculinity_direction(model, self.k_shape, cfg.shape.scale) * shift
            if shift > 0
            else np.zeros(self.k_shape)
        )
        self._tone = tone or SkinTone(model)  # the colour draws' lightness bound
        self._last: tuple[int, tuple[np.ndarray, np.ndarray]] | None = None
        features = cfg.features
        self._spread = spread_matrix(model, features.spreads(), features.first, self.k_shape)
        self._accepted: list[tuple[np.ndarray, np.ndarray]] = []
        self._features = np.zeros((64, self._feature_dim()), dtype=np.float64)  # grows x2

    def _feature_dim(self) -> int:
        return self.k_shape if self.space == "shape_rms_mm" else self.k_shape + self.k_color

    def features(self, shape: np.ndarray, color: np.ndarray) -> np.ndarray:
        """The vector whose distances are identity distances (mm RMS or coefficient space)."""
        if self.space == "shape_rms_mm":
            return shape.astype(np.float64) * self._rms_weights
        return np.concatenate([shape, color]).astype(np.float64)

    @functools.lru_cache(maxsize=4)  # noqa: B019 - a few recent identities, per sampler
    def sex(self, i: int) -> str:
        """Identity ``i``'s sex, ``female`` or ``male`` (``identities.sex``)."""
        male = generator([self.seed, i], "identities.sex").random() < self.cfg.sex.male_probability
        return "male" if male else "female"

    def _candidates(self, i: int):
        shape_rng = generator([self.seed, i], "identity.shape")
        color_rng = generator([self.seed, i], "identity.color")
        tone_rng = generator([self.seed, i], "identity.tone")
        offset = self._masculine if self.sex(i) == "male" else -self._masculine
        while True:
            z = shape_rng.standard_normal(self.k_shape)
            if self._spread is not None:
                z = self._spread @ z
            shape = z * self.cfg.shape.scale + offset
            color = color_rng.standard_normal(self.k_color) * self.cfg.color.scale
            yield shape.astype(np.float32), self._skin(color, tone_rng).astype(np.float32)

    def _skin(self, color: np.ndarray, tone_rng: np.random.Generator) -> np.ndarray:
        """A colour draw with its skin tone set (``tone``) or bounded (``lightness``), then
        its hue and chroma bounded (``hue``, ``chroma``)."""
        cfg = self.cfg.color
        if cfg.tone is not None:
            target = float(cfg.tone.sample(tone_rng, 1)[0])
            if cfg.lightness is not None:
                target = float(np.clip(target, *cfg.lightness))
            color = self._tone.toned(color, target)
        elif cfg.lightness is not None:
            color = self._tone.bounded(color, *cfg.lightness)
        return self._tone.lch_bounded(color, cfg.hue, cfg.chroma)

    def __call__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """``(shape_coeffs, color_coeffs)`` of identity ``i``."""
        if self.cfg.min_distance is None:
            if self._last is None or self._last[0] != i:  # images of one identity follow
                self._last = (i, next(self._candidates(i)))
            shape, color = self._last[1]
            return shape.copy(), color.copy()
        while len(self._accepted) <= i:
            self._accept_next()
        return self._accepted[i]

    def _accept_next(self) -> None:
        md = self.cfg.min_distance
        assert md is not None
        i = len(self._accepted)
        best, best_d = None, -1.0
        for _, cand in zip(range(md.max_tries), self._candidates(i), strict=False):
            f = self.features(*cand)
            diff = self._features[:i] - f
            d = float(np.sqrt(np.min(np.einsum("ij,ij->i", diff, diff)))) if i else np.inf
            if d > best_d:
                best, best_d = cand, d
            if d >= md.distance:
                break
        assert best is not None
        if i == len(self._features):
            self._features = np.concatenate([self._features, np.zeros_like(self._features)])
        self._features[i] = self.features(*best)
        self._accepted.append(best)

    def nearest_neighbour_distances(self, n: int) -> np.ndarray:
        """For identities ``0..n-1``: the distance of each to its nearest other one."""
        feats = np.stack([self.features(*self(i)) for i in range(n)])
        if n < 2:
            return np.full(n, np.inf)
        sq = np.sum(feats**2, axis=1)
        d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * feats @ feats.T, 0.0)
        np.fill_diagonal(d2, np.inf)
        return np.sqrt(d2.min(axis=1))
