"""Make the mouth-and-eyes before/after picture: presets and random expressions, image and mask.

    python scripts/make_mouth_images.py --row after.png [--size 256] [--backend cpu]
    python scripts/make_mouth_images.py --compose before.png after.png \
        -o docs/images/mouth_before_after.png

``--row`` renders one row pair (images above their masks) with the code checked out: the
presets smile, jaw_open, surprise, pucker and blink at full strength, then random
expressions of ``configs/parsing.yaml`` (presets off), each cropped to the lower face (the
eyes for blink). ``--compose`` stacks two such rows, labelled "before" and "after". The
README's picture was composed from a row made at commit dd224ac (before) and one made after.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from morphgen.config import load_config
from morphgen.config.presets import PRESETS
from morphgen.labelsets import palette
from morphgen.model.load import load_model
from morphgen.render.renderer import Renderer
from morphgen.sampling.sampler import Sampler

SHOWN = ("smile", "jaw_open", "surprise", "pucker", "blink")
RANDOM = ((3, 1), (11, 4), (27, 2))  # (identity, sample) of configs/parsing.yaml
TILE = 128
OUT = Path("docs/images/mouth_before_after.png")


def scenes(model, size: int) -> list[tuple[str, object]]:
    """(name, SceneParams) of every column: presets on identity 0, then random draws."""
    config = load_config("configs/parsing.yaml")
    config.camera.width = config.camera.height = size
    config.expression.presets.probability = 0.0
    config.augment = type(config.augment)()
    sampler = Sampler(config, model)
    out = []
    names = model.blendshapes.names
    for k, preset in enumerate(SHOWN):
        scene = sampler.scene(k, 0)
        scene.yaw, scene.pitch, scene.roll = 15.0, 0.0, 0.0
        scene.expression = np.zeros_like(scene.expression)
        weights = np.zeros(len(names), dtype=np.float32)
        for name, w in PRESETS[preset].items():
            weights[names.index(name)] = w
        scene.blendshapes = weights
        out.append((preset, scene))
    out += [(f"random {i}:{j}", sampler.scene(i, j)) for i, j in RANDOM]
    return out


def crop_box(landmarks: dict[str, np.ndarray], eyes: bool, size: int) -> tuple[int, ...]:
    """A square around the mouth (or the right eye for ``eyes``)."""
    group = range(37, 43) if eyes else range(49, 61)
    centre = np.mean([landmarks[f"ibug{n:02d}"] for n in group], axis=0)
    half = size // (10 if eyes else 6)
    x, y = int(centre[0]), int(centre[1])
    return x - half, y - half, x + half, y + half


def row(size: int, backend: str) -> Image.Image:
    """Images over masks, one column per scene."""
    model = load_model()
    renderer = Renderer(model, backend, outputs=frozenset({"mask"}))
    colours = np.array(palette("morphgen"), dtype=np.uint8).reshape(256, 3)
    shown = scenes(model, size)
    sheet = Image.new("RGB", (TILE * len(shown), 2 * TILE + 14), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for col, (name, scene) in enumerate(shown):
        sample = renderer.render(scene)
        marks = dict(zip(sample.landmark_names, sample.landmarks, strict=True))
        box = crop_box(marks, name == "blink", size)
        for r, image in enumerate((sample.rgb, colours[sample.mask])):
            tile = Image.fromarray(image).crop(box).resize((TILE, TILE), Image.NEAREST)
            sheet.paste(tile, (col * TILE, 14 + r * TILE))
        draw.text((col * TILE + 3, 1), name, fill=(0, 0, 0))
    renderer.close()
    return sheet


def compose(before: Path, after: Path, out: Path) -> None:
    """Stack two rows with a "before"/"after" caption column."""
    rows = [Image.open(before).convert("RGB"), Image.open(after).convert("RGB")]
    width = max(r.width for r in rows) + 50
    sheet = Image.new("RGB", (width, sum(r.height for r in rows)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    y = 0
    for label, image in zip(("before", "after"), rows, strict=True):
        sheet.paste(image, (50, y))
        draw.text((4, y + image.height // 2), label, fill=(0, 0, 0))
        y += image.height
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--row", type=Path, help="render this code's row into this PNG")
    parser.add_argument("--compose", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--backend", default="cpu")
    args = parser.parse_args()
    if args.row:
        row(args.size, args.backend).save(args.row)
    if args.compose:
        compose(*args.compose, args.out)


if __name__ == "__main__":
    main()
