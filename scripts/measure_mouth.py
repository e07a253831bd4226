"""Measure the mouth: interior pixels outside the lips, and lips that cross at the corners.

    python scripts/measure_mouth.py [--images 100] [--size 128] [--backend cpu]
    python scripts/measure_mouth.py --crossing [--unconstrained]

The first form renders the first ``--images`` images of each ``configs/*.yaml`` (plain
background, no augmentation) and prints, per config, how many show inner-mouth or teeth
pixels whose centre lies outside the outer-lip contour (iBUG 49-60). ``--crossing`` checks
400 expressions of ``configs/parsing.yaml`` (no rendering) for a lower lip above the upper
one at a corner (iBUG 60 above 50, or 56 above 54, by more than 0.5 mm on the mean face);
``--unconstrained`` lifts ``max_radius`` and ``max_active`` for comparison.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from morphgen.config import load_config
from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.model.outlines import inside_polygon
from morphgen.render.instance import combine, pca_instances
from morphgen.render.renderer import Renderer
from morphgen.sampling.sampler import Sampler

LIPS = [f"ibug{n:02d}" for n in range(49, 61)]
INTERIOR = (LABEL_IDS["inner_mouth"], LABEL_IDS["teeth"])


def first_pairs(sampler: Sampler, count: int) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for i in range(sampler.num_identities):
        pairs += [(i, j) for j in range(sampler.images_for(i))]
        if len(pairs) >= count:
            break
    return pairs[:count]


def interior_outside(images: int, size: int, backend: str) -> None:
    model = load_model()
    renderer = Renderer(model, backend, outputs=frozenset({"mask"}))
    for path in sorted(Path("configs").glob("*.yaml")):
        config = load_config(path)
        config.camera.width = config.camera.height = size
        config.background = type(config.background)(kinds={"solid": 1.0})
        config.augment = type(config.augment)()
        sampler = Sampler(config, model)
        scenes = [sampler.scene(i, j) for i, j in first_pairs(sampler, images)]
        bad = 0
        for sample in renderer.render_many(scenes):
            marks = dict(zip(sample.landmark_names, sample.landmarks, strict=True))
            rows, cols = np.nonzero(np.isin(sample.mask, INTERIOR))
            inside = inside_polygon(
                np.c_[cols + 0.5, rows + 0.5], np.stack([marks[n] for n in LIPS])
            )
            bad += bool((~inside).any())
        print(f"{path.stem}: {bad} of {len(scenes)} images with mouth interior outside the lips")
    renderer.close()


def crossing(unconstrained: bool) -> None:
    model = load_model()
    config = load_config("configs/parsing.yaml")
    if unconstrained:
        config.expression.max_radius = None
        config.expression.blendshapes.max_active = None
    sampler = Sampler(config, model)
    scenes = [sampler.scene(i, 0) for i in range(0, 2000, 5)]
    pca = pca_instances(model.expression, np.stack([s.expression for s in scenes]))
    weights = np.stack([s.blendshapes for s in scenes])
    blend = combine(model.blendshapes.deltas, weights).reshape(len(scenes), -1, 3)
    faces = model.mean_vertices()[None] + pca.reshape(len(scenes), -1, 3) + blend

    def y(n: int) -> np.ndarray:
        return faces[:, model.landmarks[f"ibug{n:02d}"], 1]

    crossed = (y(60) > y(50) + 0.5) | (y(56) > y(54) + 0.5)
    print(f"lower lip above the upper at a corner: {crossed.mean():.1%} of {len(scenes)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--crossing", action="store_true")
    parser.add_argument("--unconstrained", action="store_true")
    args = parser.parse_args()
    if args.crossing:
        crossing(args.unconstrained)
    else:
        interior_outside(args.images, args.size, args.backend)


if __name__ == "__main__":
    main()
