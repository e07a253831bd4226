"""A contact sheet for a person to look at: each sample's image with its landmarks, and its mask.

Landmarks: visible ones are filled green dots, occluded ones red crosses. Masks are drawn
in the dataset's label-set colours (from the manifest).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from morphgen.errors import MorphgenError
from morphgen.io.atomic import write_bytes
from morphgen.io.encode import encode_image
from morphgen.io.readers import open_dataset
from morphgen.labelsets import flat_palette

VISIBLE = (0, 255, 0)
OCCLUDED = (255, 40, 40)
_CAPTION = 14


def landmark_points(meta: dict[str, Any]) -> list[tuple[float, float, bool]]:
    """(x, y, visible) of every landmark in a sample's metadata (empty if none)."""
    return [(float(p["x"]), float(p["y"]), bool(p["visible"])) for p in meta.get("landmarks", [])]


def _palette(labels: dict[str, Any]) -> list[int]:
    """The palette of the label set a manifest records."""
    return flat_palette((c["id"], c["colour"]) for c in labels.get("classes", []))


def _tile(sample: dict[str, Any], palette: list[int], scale: int) -> Image.Image:
    """Image with landmarks | coloured mask, scaled up by ``scale``, with the key below."""
    rgb = Image.fromarray(np.asarray(sample["rgb"], dtype=np.uint8)).convert("RGB")
    w, h = rgb.size
    rgb = rgb.resize((w * scale, h * scale), Image.NEAREST)
    draw = ImageDraw.Draw(rgb)
    r = max(1.0, scale * 0.5)
    for x, y, vis in landmark_points(sample["metadata"] or {}):
        x, y = x * scale, y * scale
        if vis:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=VISIBLE)
        else:
            draw.line((x - r, y - r, x + r, y + r), fill=OCCLUDED)
            draw.line((x - r, y + r, x + r, y - r), fill=OCCLUDED)
    tile = Image.new("RGB", (2 * w * scale, h * scale + _CAPTION), (32, 32, 32))
    tile.paste(rgb, (0, 0))
    if sample["mask"] is not None:
        mask = Image.fromarray(np.asarray(sample["mask"], dtype=np.uint8), mode="P")
        mask.putpalette(palette)
        tile.paste(mask.convert("RGB").resize(rgb.size, Image.NEAREST), (w * scale, 0))
    ImageDraw.Draw(tile).text((2, h * scale + 1), sample["key"], fill=(230, 230, 230))
    return tile


def contact_sheet(directory: str | Path, count: int = 16) -> Image.Image:
    """The first ``count`` samples of a dataset as one image, tiles in rows."""
    ds = open_dataset(directory)
    samples = list(itertools.islice(iter(ds), count))
    if not samples:
        raise MorphgenError(f"{directory}: no finished shard to preview yet")
    height = samples[0]["rgb"].shape[0]
    scale = max(1, math.ceil(128 / height))
    palette = _palette(ds.manifest.labels)
    tiles = [_tile(s, palette, scale) for s in samples]
    cols = math.ceil(math.sqrt(len(tiles)))
    rows = math.ceil(len(tiles) / cols)
    tw = max(t.width for t in tiles)
    th = max(t.height for t in tiles)
    sheet = Image.new("RGB", (cols * tw, rows * th), (0, 0, 0))
    for n, tile in enumerate(tiles):
        sheet.paste(tile, ((n % cols) * tw, (n // cols) * th))
    return sheet


def write_contact_sheet(directory: str | Path, out: str | Path, count: int = 16) -> Path:
    """Write ``contact_sheet`` as a PNG at ``out``; returns the path."""
    out = Path(out)
    write_bytes(out, encode_image(np.asarray(contact_sheet(directory, count))))
    return out
