"""Per-identity appearance factors (config ``appearance``): a pure function of (seed, i).

Each factor has its own identity-level stream ``SeedSequence([seed, i], spawn_key=(crc32(
"appearance.<section>.<factor>"),))``, so adding a factor leaves the others' draws alone.
Named colours are anchors in 8-bit sRGB chosen by eye from photographs; the sampler jitters
their lightness and greys hair with age.
"""

from __future__ import annotations

import functools

import numpy as np

from morphgen.colour import srgb8_to_linear
from morphgen.config.distributions import Distribution
from morphgen.config.schema import Appearance
from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel
from morphgen.sampling.identity import generator
from morphgen.scene import AppearanceParams

HAIR_SRGB = {
    "black": (26, 21, 19),
    "dark_brown": (52, 36, 27),
    "brown": (88, 60, 40),
    "light_brown": (132, 98, 66),
    "blond": (190, 154, 104),
    "red": (140, 62, 34),
    "grey": (150, 147, 143),
}
IRIS_SRGB = {
    "brown": (74, 44, 24),
    "hazel": (122, 88, 46),
    "green": (92, 112, 70),
    "blue": (84, 122, 160),
    "grey": (122, 132, 138),
}
GREY_HAIR = srgb8_to_linear((178, 176, 172))
GREYING_FROM_AGE = 0.6  # hair starts greying above this age factor


def _lightness_l_star(y: float) -> float:
    """CIE L* of a linear luminance in [0, 1]."""
    f = y ** (1.0 / 3.0) if y > 216 / 24389 else (24389 / 27 * y + 16) / 116
    return float(116.0 * f - 16.0)


class AppearanceSampler:
    """``AppearanceParams`` of identity ``i``, or None where the model has no UVs."""

    def __init__(self, cfg: Appearance, model: MorphableModel, seed: int):
        self.cfg = cfg
        self.seed = seed
        self.enabled = bool(cfg.textures) and model.uv is not None
        skin = np.arange(model.n_vertices)
        if model.regions is not None and (model.regions == LABEL_IDS["skin"]).any():
            skin = np.flatnonzero(model.regions == LABEL_IDS["skin"])
        rows = (3 * skin[:, None] + np.arange(3)).reshape(-1)
        self._skin_mean = model.color.mean[rows].reshape(-1, 3).mean(axis=0)
        scaled = model.color.scaled_basis[rows]
        self._skin_basis = scaled.reshape(len(skin), 3, -1).mean(axis=0)  # (3, k)

    def _draw(self, i: int, name: str, dist: Distribution) -> float:
        return float(dist.sample(generator([self.seed, i], f"appearance.{name}"), 1)[0])

    def _unit(self, i: int, name: str, dist: Distribution) -> float:
        return float(np.clip(self._draw(i, name, dist), 0.0, 1.0))

    def _pick(self, i: int, name: str, weights: dict[str, float]) -> str:
        names = list(weights)
        p = np.asarray([weights[n] for n in names], dtype=np.float64)
        rng = generator([self.seed, i], f"appearance.{name}")
        return names[int(rng.choice(len(names), p=p / p.sum()))]

    def skin_tone(self, color: np.ndarray) -> float:
        """CIE L* of the identity's mean skin albedo (from its colour coefficients)."""
        k = min(len(color), self._skin_basis.shape[1])
        rgb = np.clip(self._skin_mean + self._skin_basis[:, :k] @ color[:k], 0.0, 1.0)
        return _lightness_l_star(float(rgb @ np.array([0.2126, 0.7152, 0.0722])))

    def __call__(self, i: int, color: np.ndarray) -> AppearanceParams | None:
        if not self.enabled:
            return None
        cfg = self.cfg
        unit = functools.partial(self._unit, i)
        age = unit("skin.age", cfg.skin.age)
        hair = self._pick(i, "hair.colours", cfg.hair.colours)
        light = max(0.1, self._draw(i, "hair.lightness", cfg.hair.lightness))
        hair_rgb = np.clip(srgb8_to_linear(HAIR_SRGB[hair]) * light, 0.0, 1.0)
        grey = np.clip((age - GREYING_FROM_AGE) / (1.0 - GREYING_FROM_AGE), 0.0, 1.0)
        hair_rgb = (1.0 - 0.7 * grey) * hair_rgb + 0.7 * grey * GREY_HAIR
        iris = self._pick(i, "eyes.iris", cfg.eyes.iris)
        iris_light = generator([self.seed, i], "appearance.eyes.iris_lightness").uniform(0.8, 1.2)
        iris_rgb = np.clip(srgb8_to_linear(IRIS_SRGB[iris]) * iris_light, 0.0, 1.0)
        beard = self._pick(i, "beard.types", cfg.beard.types)
        density = 0.0 if beard == "none" else unit("beard.density", cfg.beard.density)
        return AppearanceParams(
            seed=int(generator([self.seed, i], "appearance.seed").integers(0, 2**31 - 1)),
            texture_size=int(cfg.texture_size),
            age=age,
            pores=unit("skin.pores", cfg.skin.pores),
            freckles=unit("skin.freckles", cfg.skin.freckles),
            moles=max(0, int(round(self._draw(i, "skin.moles", cfg.skin.moles)))),
            redness=unit("skin.redness", cfg.skin.redness),
            lip_tint=unit("skin.lip_tint", cfg.skin.lip_tint),
            skin_tone=round(self.skin_tone(np.asarray(color, dtype=np.float64)), 3),
            hair_colour=hair,
            hair_rgb=tuple(round(float(v), 6) for v in hair_rgb),
            brow_thickness=max(0.1, self._draw(i, "brows.thickness", cfg.brows.thickness)),
            brow_arch=self._draw(i, "brows.arch", cfg.brows.arch),
            brow_length=max(0.3, self._draw(i, "brows.length", cfg.brows.length)),
            brow_gap=self._draw(i, "brows.gap", cfg.brows.gap),
            brow_density=unit("brows.density", cfg.brows.density),
            iris_colour=iris,
            iris_rgb=tuple(round(float(v), 6) for v in iris_rgb),
            pupil=float(np.clip(self._draw(i, "eyes.pupil", cfg.eyes.pupil), 0.1, 0.8)),
            lashes=max(0.0, self._draw(i, "eyes.lashes", cfg.eyes.lashes)),
            beard=beard,
            beard_density=density,
        )
