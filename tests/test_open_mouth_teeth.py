"""Open mouths show front teeth: every expression preset that opens the jaw (default model)."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.config.presets import PRESETS
from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.render.cpu_backend import CpuBackend
from morphgen.render.renderer import Renderer
from morphgen.scene import CameraParams, SceneParams

OPENING = [name for name, weights in PRESETS.items() if weights.get("jawOpen", 0.0) >= 0.5]


@pytest.fixture(scope="module")
def setup():
    model = load_model()
    return model, Renderer(model, CpuBackend(), outputs=frozenset({"mask"}))


def test_some_presets_open_the_jaw():
    assert {"jaw_open", "surprise"} <= set(OPENING)


@pytest.mark.parametrize("preset", OPENING)
@pytest.mark.parametrize("identity", [None, 3])  # 3: thick lips that hide teeth easily
def test_an_open_jaw_shows_front_teeth(setup, preset, identity):
    """Teeth pixels in the middle half of the mouth's width (between the mouth corners, iBUG
    49 and 55), frontal at 256 px: the incisors, not only a molar at a corner (ICT's jawOpen
    alone shows 1-21 such pixels)."""
    model, renderer = setup
    names = model.blendshapes.names
    shape = np.zeros(model.shape.n_components, dtype=np.float32)
    if identity is not None:
        shape = np.random.default_rng(identity).standard_normal(len(shape)).astype(np.float32)
    weights = np.zeros(len(names), dtype=np.float32)
    for name, weight in PRESETS[preset].items():
        weights[names.index(name)] = weight
    scene = SceneParams(
        0, 0, shape, np.zeros(model.color.n_components, np.float32),
        np.zeros(0, np.float32), weights, camera=CameraParams(256, 256),
    )  # fmt: skip
    sample = renderer.render(scene)
    lm = dict(zip(sample.landmark_names, sample.landmarks, strict=True))
    left, right = lm["ibug49"][0], lm["ibug55"][0]
    _, xs = np.nonzero(sample.mask == LABEL_IDS["teeth"])
    front = np.abs(xs + 0.5 - 0.5 * (left + right)) < 0.25 * abs(right - left)
    assert front.sum() >= 40
    assert front.sum() > (~front).sum()
