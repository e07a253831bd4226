#!/usr/bin/env python3
"""README pictures of the appearance model: identities across poses and lights at 256 px,
512 px close-ups (eyes and brows, beard, skin) cropped from 1024 px renders, and a row of
identities whose skin tones are set across L* 30-75 (``identities.color.tone``).

    python scripts/appearance_pictures.py            # writes docs/images/appearance_*.jpg

JPEG (quality ``QUALITY``) keeps each picture under 300 KB; the script prints their sizes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from morphgen.config.schema import Config
from morphgen.model.load import load_model
from morphgen.render.renderer import Renderer
from morphgen.sampling.sampler import Sampler

OUT = Path(__file__).resolve().parent.parent / "docs" / "images"
QUALITY = 82


def _save(image: np.ndarray, path: Path) -> None:
    Image.fromarray(image).save(path, quality=QUALITY, optimize=True)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def _sampler(model, **config) -> Sampler:
    base = {"seed": 7, "expression": {"neutral_probability": 1.0}, "augment": {}}
    return Sampler(Config.model_validate({**base, **config}), model)


def identities_sheet(model, renderer: Renderer, path: Path) -> None:
    """8 identities (rows of 4 poses and lights)."""
    sampler = _sampler(
        model,
        pose={"yaw": {"dist": "grid", "values": [-30, -10, 10, 30]}, "pitch": 0, "roll": 0},
        background={"kinds": {"gradient": 1.0}},
    )
    rows = []
    for i in range(8):
        rows.append(np.concatenate([renderer.render(sampler.scene(i, j)).rgb for j in range(4)], 1))
    _save(np.concatenate(rows, 0), path)


def close_ups(model, renderer: Renderer, path: Path, identities: list[int]) -> None:
    """Per identity: eyes and brows, mouth and beard, cheek skin; 512 px crops of 1024 px."""
    sampler = _sampler(
        model,
        camera={"width": 1024, "height": 1024, "scale": 1.0},
        pose={"yaw": 12, "pitch": 0, "roll": 0},
        illumination={"kind": "frontal", "ambient": 0.75, "diffuse": 0.35},
        appearance={"texture_size": 1024, "specular_strength": 0.05},
        background={"kinds": {"solid": 1.0}},
    )
    rows = []
    for i in identities:
        sample = renderer.render(sampler.scene(i, 0))
        lm = dict(zip(sample.landmark_names, sample.landmarks, strict=True))
        eyes = 0.5 * (lm["ibug37"] + lm["ibug46"]) + [0, -30]
        mouth = 0.5 * (lm["ibug52"] + lm["ibug58"]) + [0, 40]
        cheek = 0.5 * (lm["ibug04"] + lm["ibug31"])
        crops = []
        for centre, half in ((eyes, 256), (mouth, 256), (cheek, 128)):
            x, y = np.round(centre).astype(int)
            crop = sample.rgb[y - half : y + half, x - half : x + half]
            crops.append(np.asarray(Image.fromarray(crop).resize((512, 512), Image.LANCZOS)))
        rows.append(np.concatenate(crops, 1))
    _save(np.concatenate(rows, 0), path)


def tones_row(model, renderer: Renderer, path: Path, tones: list[float]) -> None:
    """One identity per skin tone (CIE L* of the mean skin albedo), frontal, at 256 px."""
    row = []
    for i, tone in enumerate(tones):
        sampler = _sampler(
            model,
            identities={"count": len(tones), "color": {"tone": tone}},
            pose={"yaw": 0, "pitch": 0, "roll": 0},
            background={"kinds": {"gradient": 1.0}},
        )
        row.append(renderer.render(sampler.scene(i, 0)).rgb)
    _save(np.concatenate(row, 1), path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    model = load_model()
    renderer = Renderer(model, backend="cpu")
    identities_sheet(model, renderer, args.out / "appearance_identities.jpg")
    close_ups(model, renderer, args.out / "appearance_closeups.jpg", [0, 2, 3])
    tones_row(model, renderer, args.out / "skin_tones.jpg", [30, 37.5, 45, 52.5, 60, 67.5, 75])
    renderer.close()


if __name__ == "__main__":
    main()
