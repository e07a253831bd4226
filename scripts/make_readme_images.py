"""Make the README's pictures: default-model identities across poses and lights.

    python scripts/make_readme_images.py [--out docs/images] [--size 160]

Writes ``identities.png`` (rows: identities at scale 1.0; columns: yaw -60..60 under one
key light, then the same face under a warm side light, and smiling). The dataset samples
picture comes from the real pipeline instead:

    morphgen generate --config configs/demo.yaml --out out/demo
    morphgen preview out/demo -o docs/images/samples.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from morphgen.model.load import load_model
from morphgen.render.renderer import Renderer
from morphgen.sampling.illumination import ambient_sh, directional_sh, light_direction
from morphgen.scene import CameraParams, Illumination, SceneParams

YAWS = (-60.0, -30.0, 0.0, 30.0, 60.0)


def scene(model, identity: int, yaw: float, size: int, sh: np.ndarray, smile: float = 0.0):
    """One image's parameters: identity ``identity``'s coefficients from its own seed."""
    rng = np.random.default_rng([2026, identity])
    weights = np.zeros(0 if model.blendshapes is None else len(model.blendshapes.names))
    if smile and model.blendshapes is not None:
        for name in ("mouthSmile_L", "mouthSmile_R"):
            weights[model.blendshapes.index(name)] = smile
    return SceneParams(
        identity=identity,
        sample=0,
        shape=rng.standard_normal(model.shape.n_components).astype(np.float32),
        color=rng.standard_normal(model.color.n_components).astype(np.float32),
        expression=np.zeros(0, dtype=np.float32),
        blendshapes=weights.astype(np.float32),
        yaw=yaw,
        camera=CameraParams(width=size, height=size, focal_mm=50.0, centring="facebox"),
        illumination=Illumination(sh=sh.astype(np.float32)),
        background={"kind": "solid", "seed": 1000 + identity},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    parser.add_argument("--size", type=int, default=160)
    parser.add_argument("--identities", type=int, default=5)
    args = parser.parse_args()
    model = load_model()
    renderer = Renderer(model, "cpu", outputs=frozenset({"mask"}))
    key = ambient_sh(np.full(3, 0.45)) + directional_sh(
        light_direction(-25.0, 25.0), np.full(3, 0.75)
    )
    side = ambient_sh(np.full(3, 0.35)) + directional_sh(
        light_direction(70.0, 20.0), np.array([1.0, 0.92, 0.8])
    )
    rows = []
    for i in range(args.identities):
        scenes = [scene(model, i, yaw, args.size, key) for yaw in YAWS]
        scenes.append(scene(model, i, 20.0, args.size, side))
        scenes.append(scene(model, i, 0.0, args.size, key, smile=0.9))
        samples = renderer.render_many(scenes)
        rows.append(np.concatenate([s.rgb for s in samples], axis=1))
        rows.append(np.concatenate([_mask_rgb(s.mask) for s in samples], axis=1))
    args.out.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(rows, axis=0)).save(args.out / "identities.png", optimize=True)
    print(args.out / "identities.png")


def _mask_rgb(mask: np.ndarray) -> np.ndarray:
    from morphgen.labelsets import palette

    image = Image.fromarray(mask, mode="P")
    image.putpalette(palette("morphgen"))
    return np.asarray(image.convert("RGB"))


if __name__ == "__main__":
    main()
