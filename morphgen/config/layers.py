"""Config sections for hair and accessories (``hair:`` and ``accessories:``).

Every default is declared here only. A hairstyle and its colour belong to an identity;
accessories are drawn per image from a small per-identity set of outfits (as DigiFace-1M
gives each identity several accessory sets), so an identity keeps its glasses or cap
across images, yet not always the same.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from morphgen.config.distributions import Dist
from morphgen.config.distributions import uniform as unif

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]

HAIR_STYLES = ("shaved", "buzz", "short", "medium", "long", "curly", "afro", "ponytail", "bun")
GLASSES_STYLES = ("round", "rectangular", "cat_eye", "aviator", "rimless")
HEADWEAR_KINDS = ("cap", "beanie", "headband", "hat")
CLOTHING_KINDS = ("tshirt", "shirt", "sweater")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _weights_of(known: tuple[str, ...]):
    def check(value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise ValueError(f"unknown name(s) {unknown}; known: {', '.join(known)}")
        if not any(w > 0 for w in value.values()):
            raise ValueError("give at least one positive weight")
        return value

    return AfterValidator(check)


def _equal(names: tuple[str, ...]):
    return Field(default_factory=lambda: {name: 1.0 for name in names})


class Hairline(_Section):
    """Receding front hairline (``mm`` back from the model's, deeper at the temples)."""

    probability: Probability = 0.25
    mm: Dist = unif(5.0, 35.0)
    temples: Dist = unif(0.0, 1.5)  # extra recession at the temples (an M shape)


class Crown(_Section):
    """A bald crown of radius ``mm``."""

    probability: Probability = 0.08
    mm: Dist = unif(20.0, 55.0)


class HairColour(_Section):
    """Melanin-style colour: eumelanin (dark) and pheomelanin (red), each in [0, 1].

    ``dark_skin``: skin lightness bounds (CIE L*, ``SceneParams.appearance.skin_tone``):
    below the first, hair has at least ``DARK_SKIN_EUMELANIN`` eumelanin (black or dark
    brown, neither fair nor red), above the second the draw is free, smoothly between; fair
    hair is all but absent among darker skin tones. ``null`` draws hair colour alone.
    """

    eumelanin: Dist = unif(0.0, 1.0)
    dark_skin: tuple[float, float] | None = (45.0, 65.0)
    pheomelanin: Dist = unif(0.0, 0.3)
    red_probability: Probability = 0.04  # red hair: little eumelanin, much pheomelanin
    grey_probability: Probability = 0.12
    grey: Dist = unif(0.15, 0.9)  # share of unpigmented strands when greying

    @model_validator(mode="after")
    def _bounds(self) -> HairColour:
        low, high = self.dark_skin or (0.0, 1.0)
        if not 0.0 <= low < high <= 100.0:
            raise ValueError("`dark_skin` must be two L* values, 0 <= first < second <= 100")
        return self


def _per_sex(value: object) -> object:
    """A flat ``{style: weight}`` mapping means the same weights for both sexes."""
    if isinstance(value, dict) and not any(isinstance(v, dict) for v in value.values()):
        return {"female": value, "male": value}
    return value


StyleWeights = Annotated[dict[str, Weight], _weights_of(HAIR_STYLES)]


class SexStyles(_Section):
    """Hairstyle weights of feminine and masculine identities (``identities.sex``)."""

    female: StyleWeights = Field(
        default_factory=lambda: {
            "shaved": 0.05,
            "buzz": 0.1,
            "short": 1.5,
            "medium": 2.5,
            "long": 3.5,
            "curly": 1.2,
            "afro": 0.5,
            "ponytail": 1.5,
            "bun": 1.0,
        }  # fmt: skip
    )
    male: StyleWeights = Field(
        default_factory=lambda: {
            "shaved": 0.8,
            "buzz": 1.5,
            "short": 4.5,
            "medium": 1.5,
            "long": 0.5,
            "curly": 0.8,
            "afro": 0.5,
            "ponytail": 0.1,
            "bun": 0.05,
        }  # fmt: skip
    )


class Hair(_Section):
    """Scalp hair, fixed per identity: style, shape parameters and colour.

    ``probability``: identities with hair (0: every head bald); of those, masculine ones
    are bald with ``male_bald_probability``, and only masculine hairlines recede or crowns
    go bald. ``styles``: weights per sex (``female:`` and ``male:``), or one flat mapping
    for both.
    """

    probability: Probability = 1.0
    male_bald_probability: Probability = 0.08
    styles: Annotated[SexStyles, BeforeValidator(_per_sex)] = SexStyles()
    length_scale: Dist = unif(0.8, 1.2)  # times the style's typical length
    volume_scale: Dist = unif(0.7, 1.3)  # times the style's typical volume
    curl: Dist = unif(0.6, 1.0)  # curly and afro styles only
    parting: Dist = unif(-0.7, 0.7)
    fringe_probability: Probability = 0.3
    fringe: Dist = unif(0.4, 1.0)
    density: Dist = unif(0.85, 1.1)
    hairline: Hairline = Hairline()
    crown: Crown = Crown()
    colour: HairColour = HairColour()


class Glasses(_Section):
    """Glasses: frame style, rim thickness, colour; sunglasses have dark opaque lenses.

    Defaults near real face photos (CelebA: 6.5 % of images with eyeglasses, 4.8 % with
    hats): glasses in 15 % of outfits, a fifth of them sunglasses; headwear in 7 %.
    """

    probability: Probability = 0.15
    styles: Annotated[dict[str, Weight], _weights_of(GLASSES_STYLES)] = _equal(GLASSES_STYLES)
    rim_mm: Dist = unif(1.2, 3.5)
    sunglasses_probability: Probability = 0.2


class Headwear(_Section):
    """Headwear over the hair: a cap with a visor, a knitted beanie, a headband or a hat."""

    probability: Probability = 0.07
    kinds: Annotated[dict[str, Weight], _weights_of(HEADWEAR_KINDS)] = _equal(HEADWEAR_KINDS)


class Clothing(_Section):
    probability: Probability = 0.9
    kinds: Annotated[dict[str, Weight], _weights_of(CLOTHING_KINDS)] = _equal(CLOTHING_KINDS)


class Accessories(_Section):
    """Per-image accessories, each image picking one of its identity's ``sets``."""

    sets: Annotated[int, Field(ge=1, le=64)] = 3
    glasses: Glasses = Glasses()
    headwear: Headwear = Headwear()
    clothing: Clothing = Clothing()
