"""Per-identity appearance factors (config ``appearance``): a pure function of (seed, i).

Each factor has its own identity-level stream ``SeedSequence([seed, i], spawn_key=(crc32(
"appearance.<section>.<factor>"),))``, so adding a factor leaves the others' draws alone.
Iris colours are anchors in 8-bit sRGB chosen by eye from photographs; the sampler jitters
their lightness. Brows, lashes and beard take the scalp hair's melanin colour (one hair
colour per identity, greyed with age by the hair sampler); brows grey later than the scalp.
Sex (``identities.sex``) ties beard, brow shape and lip colour to the identity's sex.
"""

from __future__ import annotations

import functools

import numpy as np

from morphgen.colour import GREY_HAIR, hair_albedo, srgb8_to_linear
from morphgen.config.distributions import Distribution
from morphgen.config.schema import RESTING_BLENDSHAPES, Appearance
from morphgen.model.morphable import MorphableModel
from morphgen.sampling.identity import generator
from morphgen.sampling.skin_tone import SkinTone
from morphgen.scene import AppearanceParams, HairParams

IRIS_SRGB = {
    "brown": (74, 44, 24),
    "hazel": (122, 88, 46),
    "green": (92, 112, 70),
    "blue": (84, 122, 160),
    "grey": (122, 132, 138),
}
# cosmetics (``appearance.makeup``), by eye from product swatches
LIPSTICK_SRGB = {
    "red": (165, 30, 45),
    "pink": (200, 95, 125),
    "nude": (175, 110, 100),
    "berry": (120, 35, 65),
    "coral": (215, 100, 85),
}
EYE_SHADOW_SRGB = {
    "brown": (120, 85, 65),
    "taupe": (135, 115, 105),
    "bronze": (150, 100, 60),
    "plum": (105, 65, 90),
    "grey": (85, 85, 92),
    "charcoal": (45, 42, 45),
}
BROW_GREY = 0.6  # brows grey at this share of the scalp's grey
# Sex-linked brow shape (thickness factor, mm added to the arch) and lip tint range
BROWS_BY_SEX = {"female": (0.8, 1.0), "male": (1.1, -0.5)}
LIPS_BY_SEX = {"female": (0.4, 1.0), "male": (0.0, 0.7)}
# hair colour names by eumelanin (the first whose lower bound it reaches)
EUMELANIN_NAMES = (
    (0.8, "black"), (0.6, "dark_brown"), (0.4, "brown"), (0.25, "light_brown"), (0.0, "blond"),
)  # fmt: skip


def _rounded(rgb: np.ndarray) -> tuple[float, float, float]:
    """A linear RGB colour as the parameters record it (six decimals)."""
    return tuple(round(float(v), 6) for v in rgb)


def hair_colour_name(hair: HairParams) -> str:
    """The name (``HAIR_COLOURS``) of a melanin hair colour: grey, red or by eumelanin."""
    if hair.grey >= 0.5:
        return "grey"
    if hair.pheomelanin >= 0.45 and hair.eumelanin < 0.3:
        return "red"
    return next(name for low, name in EUMELANIN_NAMES if hair.eumelanin >= low)


def hair_rgb(hair: HairParams, lightness: float) -> np.ndarray:
    """Linear RGB of brows, lashes and beard: the scalp's melanin colour, greyed less."""
    grey = BROW_GREY * hair.grey
    rgb = (1.0 - grey) * hair_albedo(hair.eumelanin, hair.pheomelanin) + grey * GREY_HAIR
    return np.clip(rgb * lightness, 0.0, 1.0)


class AppearanceSampler:
    """``AppearanceParams`` of identity ``i``, or None where the model has no UVs."""

    def __init__(self, cfg: Appearance, model: MorphableModel, seed: int):
        self.cfg = cfg
        self.seed = seed
        self.enabled = bool(cfg.textures) and model.uv is not None
        self.skin_tone = SkinTone(model)

    def _draw(self, i: int, name: str, dist: Distribution) -> float:
        return float(dist.sample(generator([self.seed, i], f"appearance.{name}"), 1)[0])

    def _unit(self, i: int, name: str, dist: Distribution) -> float:
        return float(np.clip(self._draw(i, name, dist), 0.0, 1.0))

    def _pick(self, i: int, name: str, weights: dict[str, float]) -> str:
        names = list(weights)
        p = np.asarray([weights[n] for n in names], dtype=np.float64)
        rng = generator([self.seed, i], f"appearance.{name}")
        return names[int(rng.choice(len(names), p=p / p.sum()))]

    def resting(self, i: int) -> dict[str, float]:
        """Identity ``i``'s resting blendshape weights by ARKit base name (without ``_L``/
        ``_R``), from ``appearance.rest``; each in [0, 1]."""
        out: dict[str, float] = {}
        for name, (up, down) in RESTING_BLENDSHAPES.items():
            dist = getattr(self.cfg.rest, name)
            value = float(np.clip(self._draw(i, f"rest.{name}", dist), -1.0, 1.0))
            target = up if value >= 0 or down is None else down
            out[target] = max(0.0, abs(value) if down is not None else value)
        return out

    def age(self, i: int) -> float:
        """Identity ``i``'s age factor (wrinkles; the hair sampler greys hair with it)."""
        return self._unit(i, "skin.age", self.cfg.skin.age)

    def makeup(self, i: int, sex: str) -> dict[str, object]:
        """Identity ``i``'s cosmetics (``AppearanceParams`` fields; empty when none worn)."""
        cfg = self.cfg.makeup
        chance = cfg.female_probability if sex == "female" else cfg.male_probability
        if generator([self.seed, i], "appearance.makeup.worn").random() >= chance:
            return {}
        lipstick = self._pick(i, "makeup.lipstick_colours", cfg.lipstick_colours)
        shadow = self._pick(i, "makeup.eye_shadow_colours", cfg.eye_shadow_colours)
        return {
            "makeup": True,
            "lipstick": self._unit(i, "makeup.lipstick", cfg.lipstick),
            "lipstick_colour": lipstick,
            "lipstick_rgb": _rounded(srgb8_to_linear(LIPSTICK_SRGB[lipstick])),
            "eye_shadow": self._unit(i, "makeup.eye_shadow", cfg.eye_shadow),
            "eye_shadow_colour": shadow,
            "eye_shadow_rgb": _rounded(srgb8_to_linear(EYE_SHADOW_SRGB[shadow])),
            "eyeliner": self._unit(i, "makeup.eyeliner", cfg.eyeliner),
            "mascara": self._unit(i, "makeup.mascara", cfg.mascara),
            "blush": self._unit(i, "makeup.blush", cfg.blush),
        }

    def __call__(
        self, i: int, color: np.ndarray, sex: str = "male", hair: HairParams | None = None
    ) -> AppearanceParams | None:
        """Identity ``i``'s factors, its brows and beard coloured like its ``hair``."""
        if not self.enabled:
            return None
        cfg = self.cfg
        hair = HairParams() if hair is None else hair
        unit = functools.partial(self._unit, i)
        light = max(0.1, self._draw(i, "hair.lightness", cfg.hair.lightness))
        iris = self._pick(i, "eyes.iris", cfg.eyes.iris)
        iris_light = generator([self.seed, i], "appearance.eyes.iris_lightness").uniform(0.8, 1.2)
        iris_rgb = np.clip(srgb8_to_linear(IRIS_SRGB[iris]) * iris_light, 0.0, 1.0)
        beard = self._pick(i, "beard.types", cfg.beard.types) if sex == "male" else "none"
        density = 0.0 if beard == "none" else unit("beard.density", cfg.beard.density)
        shaved = beard == "none" and sex == "male"
        shadow = unit("beard.shadow", cfg.beard.shadow) if shaved else 0.0
        thick, arch = BROWS_BY_SEX.get(sex, (1.0, 0.0))
        lips = LIPS_BY_SEX.get(sex, (0.0, 1.0))
        return AppearanceParams(
            seed=int(generator([self.seed, i], "appearance.seed").integers(0, 2**31 - 1)),
            texture_size=int(cfg.texture_size),
            age=self.age(i),
            pores=unit("skin.pores", cfg.skin.pores),
            freckles=unit("skin.freckles", cfg.skin.freckles),
            moles=max(0, int(round(self._draw(i, "skin.moles", cfg.skin.moles)))),
            redness=unit("skin.redness", cfg.skin.redness),
            crease_mm=max(0.0, self._draw(i, "skin.crease", cfg.skin.crease)),
            lip_tint=lips[0] + (lips[1] - lips[0]) * unit("skin.lip_tint", cfg.skin.lip_tint),
            skin_tone=round(self.skin_tone(np.asarray(color, dtype=np.float64)), 3),
            hair_colour=hair_colour_name(hair),
            hair_rgb=_rounded(hair_rgb(hair, light)),
            hair_grey=round(BROW_GREY * hair.grey, 6),
            brow_thickness=max(0.1, thick * self._draw(i, "brows.thickness", cfg.brows.thickness)),
            brow_arch=arch + self._draw(i, "brows.arch", cfg.brows.arch),
            brow_length=max(0.3, self._draw(i, "brows.length", cfg.brows.length)),
            brow_gap=self._draw(i, "brows.gap", cfg.brows.gap),
            brow_density=unit("brows.density", cfg.brows.density),
            iris_colour=iris,
            iris_rgb=_rounded(iris_rgb),
            pupil=float(np.clip(self._draw(i, "eyes.pupil", cfg.eyes.pupil), 0.1, 0.8)),
            lashes=max(0.0, self._draw(i, "eyes.lashes", cfg.eyes.lashes)),
            beard=beard,
            beard_density=density,
            beard_shadow=shadow,
            **self.makeup(i, sex),
        )
