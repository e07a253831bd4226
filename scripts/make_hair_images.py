"""Make the README's hair picture: a dozen identities of the default config across poses.

    python scripts/make_hair_images.py [--out docs/images/hair.png] [--size 128]

Each identity's hairstyle, colour and first outfit come from the default config's sampler
(seed 0); its image is re-posed at yaw -45, 0 and 45 degrees and shown beside its mask
(morphgen's own labels).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from morphgen.config import parse_config
from morphgen.labels import palette
from morphgen.model.load import load_model
from morphgen.render.renderer import Renderer
from morphgen.sampling.sampler import Sampler

YAWS = (-45.0, 0.0, 45.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images/hair.png"))
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--identities", type=int, default=12)
    args = parser.parse_args()
    model = load_model()
    sampler = Sampler(parse_config({"camera": {"width": args.size, "height": args.size}}), model)
    renderer = Renderer(model, "cpu", outputs=frozenset({"mask"}))
    tiles = []
    for i in range(args.identities):
        base = sampler.scene(i, 0)
        row = []
        for yaw in YAWS:
            sample = renderer.render(replace(base, yaw=yaw, pitch=0.0, roll=0.0, augment=[]))
            mask = Image.fromarray(sample.mask, "P")
            mask.putpalette(palette())
            row += [sample.rgb, np.asarray(mask.convert("RGB"))]
        tiles.append(np.concatenate(row, axis=1))
    half = (len(tiles) + 1) // 2
    left, right = tiles[:half], tiles[half:] + [np.zeros_like(tiles[0])] * (2 * half - len(tiles))
    sheet = np.concatenate([np.concatenate(left, axis=0), np.concatenate(right, axis=0)], axis=1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
