"""No mouth interior through skin or lips: over 500 images of each ready config (issue 15).

Each config's first 500 images (all of them when it has fewer) are drawn by its Sampler and
rendered through the real path (``Renderer`` on the ``cpu`` backend) at 128 px, with the
config's own expressions, poses and cameras (on a plain background, without augmentation:
neither changes the mask; images that differ only in light, as the controlled config's
five lights per pose, are rendered once). An inner-mouth or teeth pixel counts as outside
when its centre lies outside the outer-lip contour, the polygon of the sample's projected
iBUG-68 points 49-60, by the even-odd rule. No tolerance: the backends decide the window
at each pixel centre, so even boundary pixels must agree.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from morphgen.config import load_config
from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.model.outlines import inside_polygon
from morphgen.render.cpu_backend import CpuBackend
from morphgen.render.renderer import Renderer
from morphgen.sampling.sampler import Sampler
from morphgen.scene import SceneParams

CONFIGS = sorted(Path(__file__).resolve().parents[1].glob("configs/*.yaml"))
IMAGES = 500
SIZE = 128
INTERIOR = (LABEL_IDS["inner_mouth"], LABEL_IDS["teeth"])
LIP_CONTOUR = [f"ibug{n:02d}" for n in range(49, 61)]
GEOMETRY = ("identity", "shape", "expression", "blendshapes", "yaw", "pitch", "roll",
            "translation", "camera")  # fmt: skip


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(load_model(), CpuBackend(), outputs=frozenset({"mask"}))
    yield r
    r.close()


def interior_outside_lips(mask: np.ndarray, contour: np.ndarray) -> int:
    """Mouth-interior pixels whose centre lies outside the closed ``contour``."""
    rows, cols = np.nonzero(np.isin(mask, INTERIOR))
    return int(np.count_nonzero(~inside_polygon(np.c_[cols + 0.5, rows + 0.5], contour)))


def test_interior_outside_lips_counts_a_known_case():
    """The counter itself: a square contour, interior pixels inside, just and far outside."""
    mask = np.zeros((20, 20), dtype=np.uint8)
    mask[5:10, 5:10] = INTERIOR[0]  # inside the contour
    mask[10, 5:10] = INTERIOR[1]  # centres 0.5 px below the edge y = 10
    mask[15, 15] = INTERIOR[0]  # far outside
    contour = np.array([[5.0, 5.0], [10.0, 5.0], [10.0, 10.0], [5.0, 10.0]], dtype=np.float32)
    assert interior_outside_lips(mask, contour) == 6


def geometry(scene: SceneParams) -> str:
    """What decides a mask: images that differ only in light or background share one."""
    d = scene.to_dict()
    return json.dumps({k: d[k] for k in GEOMETRY}, sort_keys=True)


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_no_mouth_interior_outside_the_lips(path, renderer):
    config = load_config(path)
    config.camera.width = config.camera.height = SIZE
    # neither touches the mask: a plain background and no augmentation keep the test short
    config.background = type(config.background)(kinds={"solid": 1.0})
    config.augment = type(config.augment)()
    sampler = Sampler(config, renderer.model)
    pairs = []
    for i in range(sampler.num_identities):
        pairs += [(i, j) for j in range(sampler.images_for(i))]
        if len(pairs) >= IMAGES:
            break
    scenes = list(
        {
            geometry(scene): scene for scene in (sampler.scene(i, j) for i, j in pairs[:IMAGES])
        }.values()
    )
    bad = []
    for scene, sample in zip(scenes, renderer.render_many(scenes), strict=True):
        marks = dict(zip(sample.landmark_names, sample.landmarks, strict=True))
        outside = interior_outside_lips(sample.mask, np.stack([marks[n] for n in LIP_CONTOUR]))
        if outside:
            bad.append((scene.identity, scene.sample, outside))
    assert not bad, f"{path.name}: (identity, sample, pixels) with mouth interior outside: {bad}"
