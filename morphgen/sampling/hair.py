"""Hair and accessory draws: an identity's hairstyle and outfits, an image's outfit choice.

Identity-level numbers come from the identity's own streams (``[seed, i]``), so an
identity keeps its hair and its outfits in every image; the image only picks which of its
outfits it wears (``[seed, i, j]``).
"""

from __future__ import annotations

import colorsys
from typing import Any, Protocol

import numpy as np

from morphgen.config.distributions import Distribution
from morphgen.config.layers import Accessories, Hair, HairColour
from morphgen.scene import HairParams

# A style's typical length and volume (mm): the config scales them per identity.
STYLE_SIZE_MM = {
    "shaved": (0.0, 0.0),
    "buzz": (4.0, 2.0),
    "short": (50.0, 8.0),
    "medium": (115.0, 12.0),
    "long": (250.0, 14.0),
    "curly": (110.0, 25.0),
    "afro": (60.0, 50.0),
    "ponytail": (260.0, 6.0),
    "bun": (280.0, 6.0),
}
CURLED = ("curly", "afro")
FRAME_COLOURS = (
    (0.02, 0.02, 0.02),
    (0.12, 0.05, 0.02),
    (0.55, 0.42, 0.15),
    (0.6, 0.6, 0.62),
    (0.35, 0.03, 0.03),
    (0.04, 0.08, 0.25),
)  # fmt: skip  black, tortoise, gold, silver, red, navy (linear RGB)


class Draws(Protocol):
    """The sampler's per-identity or per-image draw function (``sampler._Draws``)."""

    def rng(self, name: str) -> np.random.Generator: ...

    def one(self, name: str, dist: Distribution) -> float: ...


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    names = [n for n, w in weights.items() if w > 0]
    w = np.asarray([weights[n] for n in names], dtype=float)
    return names[int(rng.choice(len(names), p=w / w.sum()))]


DARK_SKIN_EUMELANIN = 0.85  # hair on the darkest skin: black to dark brown (at least this)
GREYING_FROM_AGE = 0.6  # above this age factor (``appearance.skin.age``) hair greys
GREY_AT_AGE_ONE = 0.85  # the share of grey strands at age factor 1


def age_grey(age: float) -> float:
    """The share of grey strands that age alone gives (0 up to ``GREYING_FROM_AGE``)."""
    return GREY_AT_AGE_ONE * float(np.clip((age - GREYING_FROM_AGE) / (1 - GREYING_FROM_AGE), 0, 1))


def skin_eumelanin_floor(cfg: HairColour, lightness: float | None) -> float:
    """The least eumelanin of hair on skin of CIE L* ``lightness`` (``colour.dark_skin``)."""
    if cfg.dark_skin is None or lightness is None:
        return 0.0
    low, high = cfg.dark_skin
    t = float(np.clip((high - lightness) / (high - low), 0.0, 1.0))
    return DARK_SKIN_EUMELANIN * t * t * (3.0 - 2.0 * t)


def hair_params(
    cfg: Hair, draw: Draws, sex: str = "male", age: float = 0.0, lightness: float | None = None
) -> HairParams:
    """The hairstyle and colour of one identity (``draw`` on its identity streams).

    ``sex`` picks the style weights (and whether the head may be bald or bald-ing);
    ``age`` greys the hair (at least ``age_grey(age)``); the skin's L* ``lightness`` keeps
    hair on darker skin dark (``skin_eumelanin_floor``). A bald head keeps its colour
    (the brows, lashes and beard have it)."""
    col = cfg.colour
    eumelanin = draw.one("hair.colour.eumelanin", col.eumelanin)
    pheomelanin = draw.one("hair.colour.pheomelanin", col.pheomelanin)
    if draw.rng("hair.colour.red").random() < col.red_probability:
        eumelanin, pheomelanin = 0.05 * eumelanin, 0.5 + 0.5 * pheomelanin / 0.3
    eumelanin = max(eumelanin, skin_eumelanin_floor(col, lightness))
    greying = draw.rng("hair.colour.greying").random() < col.grey_probability
    early = float(np.clip(draw.one("hair.colour.grey", col.grey), 0, 1)) if greying else 0.0
    colour = {
        "eumelanin": float(np.clip(eumelanin, 0, 1)),
        "pheomelanin": float(np.clip(pheomelanin, 0, 1)),
        "grey": max(early, age_grey(age)),
    }
    rng = draw.rng("hair")
    masculine = sex == "male"
    bald = draw.rng("hair.bald").random() < cfg.male_bald_probability and masculine
    if rng.random() >= cfg.probability or bald:
        return HairParams(**colour)
    style = _pick(rng, getattr(cfg.styles, "male" if masculine else "female"))
    length, volume = STYLE_SIZE_MM[style]
    line, crown = cfg.hairline, cfg.crown
    receding = draw.rng("hair.hairline").random() < line.probability and masculine
    bald_crown = draw.rng("hair.crown").random() < crown.probability and masculine
    fringe = draw.rng("hair.fringe").random() < cfg.fringe_probability
    return HairParams(
        style=style,
        length_mm=length * max(0.1, draw.one("hair.length_scale", cfg.length_scale)),
        volume_mm=volume * max(0.1, draw.one("hair.volume_scale", cfg.volume_scale)),
        curl=float(np.clip(draw.one("hair.curl", cfg.curl), 0, 1)) if style in CURLED else 0.0,
        parting=float(np.clip(draw.one("hair.parting", cfg.parting), -1, 1)),
        recession_mm=max(0.0, draw.one("hair.hairline.mm", line.mm)) if receding else 0.0,
        temples=max(0.0, draw.one("hair.hairline.temples", line.temples)) if receding else 0.0,
        crown_mm=max(0.0, draw.one("hair.crown.mm", crown.mm)) if bald_crown else 0.0,
        fringe=float(np.clip(draw.one("hair.fringe", cfg.fringe), 0, 1)) if fringe else 0.0,
        density=max(0.1, draw.one("hair.density", cfg.density)),
        seed=int(rng.integers(0, 2**31 - 1)),
        **colour,
    )


def _colour(rng: np.random.Generator, saturation: tuple[float, float]) -> list[float]:
    """A random linear-RGB colour of moderate brightness."""
    r, g, b = colorsys.hsv_to_rgb(rng.random(), rng.uniform(*saturation), rng.uniform(0.15, 0.8))
    return [round(float(c) ** 2.2, 5) for c in (r, g, b)]


def outfit(cfg: Accessories, draw: Draws, k: int) -> dict[str, dict[str, Any] | None]:
    """Outfit ``k`` of an identity: its glasses, headwear and clothing (None: without)."""
    key = f"accessories.{k}"
    out: dict[str, dict[str, Any] | None] = {"glasses": None, "headwear": None, "clothing": None}
    g = cfg.glasses
    rng = draw.rng(f"{key}.glasses")
    if rng.random() < g.probability:
        out["glasses"] = {
            "kind": _pick(rng, g.styles),
            "rim_mm": max(0.5, draw.one(f"{key}.glasses.rim_mm", g.rim_mm)),
            "color": list(FRAME_COLOURS[int(rng.integers(len(FRAME_COLOURS)))]),
            "sunglasses": bool(rng.random() < g.sunglasses_probability),
            "lens_tint": [round(float(c), 4) for c in rng.uniform(0.85, 1.0, 3)],
        }
    for name, section in (("headwear", cfg.headwear), ("clothing", cfg.clothing)):
        rng = draw.rng(f"{key}.{name}")
        if rng.random() < section.probability:
            out[name] = {"kind": _pick(rng, section.kinds), "color": _colour(rng, (0.0, 0.8))}
    return out
