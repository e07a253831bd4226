"""How hair looks in renders: greying mixes into the hair."""

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
