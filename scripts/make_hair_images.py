"""Make the README's hair pictures: a dozen identities across poses, and amodal masks.

    python scripts/make_hair_images.py [--out docs/images] [--size 128]

``hair.jpg``: each identity's hairstyle, colour and first outfit come from the default
config's sampler (seed 0, headwear made more frequent: probability 0.35); its image is
re-posed at yaw -45, 0 and 45 degrees and shown beside its mask (morphgen's own labels).
``amodal.png``: four of them with image, mask, amodal mask (hair, glasses, headwear and
clothing removed) and occluder bits (hair red, glasses green, headwear blue, clothing grey).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from morphgen.config import parse_config
from morphgen.labelsets import palette
from morphgen.model.load import load_model
from morphgen.render.amodal import LABEL_EXTRAS
from morphgen.render.renderer import Renderer
from morphgen.sampling.sampler import Sampler

YAWS = (-45.0, 0.0, 45.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--identities", type=int, default=12)
    args = parser.parse_args()
    model = load_model()
    cfg = {
        "camera": {"width": args.size, "height": args.size},
        "accessories": {"headwear": {"probability": 0.35}},
    }
    sampler = Sampler(parse_config(cfg), model)
    renderer = Renderer(model, "cpu", outputs=frozenset({"mask"}), extras=LABEL_EXTRAS)
    tiles, amodal = [], []
    for i in range(args.identities):
        base = sampler.scene(i, 0)
        row = []
        for yaw in YAWS:
            sample = renderer.render(replace(base, yaw=yaw, pitch=0.0, roll=0.0, augment=[]))
            row += [sample.rgb, _labels(sample.mask)]
            if yaw == 0.0 and len(amodal) < 4 and sample.extras["occluders"].any():
                amodal.append(_amodal_row(sample))
        tiles.append(np.concatenate(row, axis=1))
    half = (len(tiles) + 1) // 2
    left, right = tiles[:half], tiles[half:] + [np.zeros_like(tiles[0])] * (2 * half - len(tiles))
    sheet = np.concatenate([np.concatenate(left, axis=0), np.concatenate(right, axis=0)], axis=1)
    args.out.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(args.out / "hair.jpg", quality=85, optimize=True)  # < 300 KB
    Image.fromarray(np.concatenate(amodal, axis=0)).save(args.out / "amodal.png", optimize=True)
    print(f"wrote {args.out / 'hair.jpg'} and {args.out / 'amodal.png'}")


def _labels(mask: np.ndarray) -> np.ndarray:
    image = Image.fromarray(mask, "P")
    image.putpalette(palette("morphgen"))
    return np.asarray(image.convert("RGB"))


def _amodal_row(sample) -> np.ndarray:
    """Image, mask, amodal mask and occluder bits side by side."""
    bits = sample.extras["occluders"]
    occluders = np.zeros((*bits.shape, 3), dtype=np.uint8)
    for bit, colour in (
        (8, (128, 128, 128)),
        (4, (0, 96, 255)),
        (2, (0, 200, 0)),
        (1, (220, 0, 0)),
    ):
        occluders[(bits & bit) > 0] = colour
    return np.concatenate(
        [sample.rgb, _labels(sample.mask), _labels(sample.extras["amodal"]), occluders], axis=1
    )


if __name__ == "__main__":
    main()
