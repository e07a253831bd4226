"""How hair looks in renders: greying mixes into the hair, hanging hair is one sheet."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.render.renderer import Renderer
from morphgen.scene import CameraParams, HairParams, Illumination, SceneParams

LIGHT = Illumination(sh=np.array([[1.0, 1.0, 1.0]] + [[0.0] * 3] * 8, dtype=np.float32))


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(load_model(), "cpu")
    yield r
    r.close()


def _scene(hair: HairParams, size: int = 256, yaw: float = 30.0) -> SceneParams:
    return SceneParams(
        identity=0, sample=0, shape=np.zeros(0, np.float32), color=np.zeros(0, np.float32),
        expression=np.zeros(0, np.float32), blendshapes=np.zeros(0, np.float32), yaw=yaw,
        camera=CameraParams(width=size, height=size), hair=hair, illumination=LIGHT,
    )  # fmt: skip


def _linear(rgb: np.ndarray) -> np.ndarray:
    return (rgb.astype(np.float64) / 255.0) ** 2.2


@pytest.mark.parametrize("style", ["medium", "long"])
def test_grey_strands_mix_into_the_hair(renderer, style):
    """A quarter of grey hairs on a dark head reads as silver mixed in: each hair pixel is
    close to a quarter of the way from the head without grey to the fully grey head. When a
    strand was either wholly grey or wholly pigmented, each pixel sat at one end (white
    wires on dark hair): 0.375 of that span from the blend for a single strand per pixel (as
    a coin with a quarter chance of heads is from its mean), 0.23-0.29 measured with pixels
    that mix strands; now 0.09-0.10, bounded at 0.18."""
    hair = HairParams(style=style, length_mm=200, volume_mm=12, eumelanin=0.8, seed=7)
    sides = [renderer.render(_scene(replace(hair, grey=g))) for g in (0.0, 0.25, 1.0)]
    dark, mixed, grey = (_linear(s.rgb).mean(axis=-1) for s in sides)
    hair_px = np.logical_and.reduce([s.mask == LABEL_IDS["hair"] for s in sides])
    span = (grey - dark)[hair_px]
    off = np.abs(mixed[hair_px] - (0.75 * dark + 0.25 * grey)[hair_px])
    assert hair_px.sum() > 2000 and span.mean() > 0.05
    assert off.mean() / span.mean() < 0.18


def _holes(mask: np.ndarray) -> float:
    """The share of non-hair pixels between a row's outermost hair pixels, over the rows from
    halfway down the hair to 85% of the way (the hanging sheet, above its lower edge)."""
    hair = mask == LABEL_IDS["hair"]
    rows = np.flatnonzero(hair.any(axis=1))
    top, bottom = rows[0], rows[-1]
    holes = []
    for y in range(int(top + 0.5 * (bottom - top)), int(top + 0.85 * (bottom - top))):
        xs = np.flatnonzero(hair[y])
        holes.append(1.0 - hair[y, xs[0] : xs[-1] + 1].mean())
    return float(np.mean(holes))


@pytest.mark.parametrize(("style", "length", "most"), [("medium", 130, 0.09), ("long", 250, 0.012)])
def test_hanging_hair_is_a_closed_sheet(renderer, style, length, most):
    """Seen from behind at 512 px, hanging hair is one sheet down to its lower edge: few
    pixels between its sides show the neck or the background: 7-8% for medium hair (between
    the back and the locks before the ears), 0.6-0.7% for long. When every strand ended at
    its own length and nape hair was combed sideways, 11-13% did for medium and 2-3% for
    long hair, and the lowest strands hung as separate lines."""
    hair = HairParams(style=style, length_mm=length, volume_mm=14, parting=0.2, seed=2)
    assert _holes(renderer.render(_scene(hair, size=512, yaw=180.0)).mask) < most


def _fringe_cover(mask: np.ndarray) -> float:
    """The share of hair pixels across the middle of the forehead (columns 180-331 at 512
    px), from the first row of skin down to the fringe's lower edge (the median over those
    columns of the lowest hair pixel above the brows)."""
    sub = mask[:, 180:332]
    hair, skin = sub == LABEL_IDS["hair"], sub == LABEL_IDS["skin"]
    brows = np.isin(mask, [LABEL_IDS["left_brow"], LABEL_IDS["right_brow"]]).any(axis=1)
    above = hair & (np.arange(len(sub)) < np.flatnonzero(brows)[0])[:, None]
    lowest = len(sub) - 1 - np.argmax(above[::-1], axis=0)
    edge = int(np.median(lowest[above.any(axis=0)]))
    top = int(np.flatnonzero(skin.any(axis=1))[0])
    assert edge - top > 10  # the fringe falls over the forehead
    return float(hair[top : edge + 1].mean())


@pytest.mark.parametrize("recession", [0.0, 18.0])
def test_a_fringe_covers_the_forehead_as_a_mass(renderer, recession):
    """Seen from the front at 512 px, a short fringe is a closed mass over the forehead:
    from the top of the skin down to its lower edge, 83-90% of the middle of the forehead is
    hair (mean of three heads), its uneven edge most of the rest. Before its strands were
    joined into a sheet under them, 69-74% was, the skin showing between them; when each
    fringe root grew one strand it was a comb of lone lines. Behind a receding hairline the
    fringe starts where the hair does (it used to start at the model's hairline, so a receded
    one kept a 2 mm band of fringe roots: three lone strands over the forehead)."""
    shares = []
    for seed in (1, 2, 3):
        hair = HairParams(
            style="short", length_mm=45, volume_mm=9, fringe=0.5, grey=0.8, seed=seed,
            recession_mm=recession, temples=1.3 if recession else 0.0,
        )  # fmt: skip
        shares.append(_fringe_cover(renderer.render(_scene(hair, size=512, yaw=0.0)).mask))
    assert np.mean(shares) > 0.78
