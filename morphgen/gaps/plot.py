"""Histogram charts drawn with Pillow (no plotting library needed)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

Colour = tuple[int, int, int]
BLUE: Colour = (31, 119, 180)
ORANGE: Colour = (230, 120, 20)
WIDTH, HEIGHT = 520, 320
LEFT, RIGHT, TOP, BOTTOM = 58, 18, 54, 46
INK = (40, 40, 40)
GRID = (225, 225, 225)


@dataclass
class Series:
    """One histogram to draw: bin probabilities over shared edges, a label and a colour."""

    label: str
    probs: np.ndarray
    colour: Colour


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick positions (steps of 1, 2 or 5 x 10^k) covering [lo, hi]."""
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step + 1e-9) + 1)]


def _label(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.0e}"
    return f"{v:.4g}"


def histogram_chart(
    title: str,
    subtitle: str,
    edges: np.ndarray,
    series: list[Series],
    xlabel: str = "",
    *,
    ymax: float | None = None,
    markers: tuple[tuple[float, str], ...] = (),
) -> Image.Image:
    """A bar chart of one or more histograms on shared ``edges`` (overlaid, translucent).

    ``ymax`` fixes the top of the y axis (e.g. 1 for rates); ``markers`` are labelled
    vertical dashed lines at x positions (e.g. a decision threshold).
    """
    img = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    lo, hi = float(edges[0]), float(edges[-1])
    if ymax is None:
        ymax = max(float(s.probs.max()) for s in series) * 1.08 or 1.0

    def px(v: float) -> float:
        return x0 + (v - lo) / (hi - lo) * (x1 - x0) if hi > lo else (x0 + x1) / 2

    def py(v: float) -> float:
        return y1 - v / ymax * (y1 - y0)

    small = _font(11)
    for t in nice_ticks(0.0, ymax, 4):
        draw.line([(x0, py(t)), (x1, py(t))], fill=GRID)
        draw.text((x0 - 6, py(t)), _label(t), fill=INK, font=small, anchor="rm")
    for t in nice_ticks(lo, hi, 6):
        draw.line([(px(t), y1), (px(t), y1 + 4)], fill=INK)
        draw.text((px(t), y1 + 6), _label(t), fill=INK, font=small, anchor="mt")

    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    ldraw = ImageDraw.Draw(layer)
    alpha = 255 if len(series) == 1 else 110
    for s in series:
        for k, p in enumerate(s.probs):
            if p > 0:
                a, b = px(edges[k]), px(edges[k + 1])
                ldraw.rectangle([a, py(p), max(a, b - (b - a > 3)), y1], fill=(*s.colour, alpha))
    img.paste(layer, (0, 0), layer)
    if len(series) > 1:  # step outlines keep each series readable where they overlap
        for s in series:
            points = [(px(lo), y1)]
            for k, p in enumerate(s.probs):
                points += [(px(edges[k]), py(p)), (px(edges[k + 1]), py(p))]
            points.append((px(hi), y1))
            draw.line(points, fill=s.colour, width=2)

    for x, text in markers:
        if lo <= x <= hi:
            for y in range(int(y0), int(y1), 8):  # dashed
                draw.line([(px(x), y), (px(x), min(y + 4, y1))], fill=INK, width=1)
            draw.text((px(x) - 4, y0 + 2), text, fill=INK, font=small, anchor="rt")
    draw.line([(x0, y0), (x0, y1), (x1, y1)], fill=INK)
    draw.text((x0, 10), title, fill=INK, font=_font(15))
    draw.text((x0, 31), subtitle, fill=(100, 100, 100), font=_font(11))
    if xlabel:
        draw.text(((x0 + x1) / 2, HEIGHT - 6), xlabel, fill=INK, font=small, anchor="mb")
    for k, s in enumerate(series if len(series) > 1 else []):
        ty = y0 + 4 + 16 * k
        draw.rectangle([x1 - 150, ty, x1 - 140, ty + 10], fill=s.colour)
        draw.text((x1 - 134, ty + 5), s.label[:24], fill=INK, font=small, anchor="lm")
    return img


def tile(images: list[Image.Image], columns: int = 3) -> Image.Image:
    """The charts in a grid, row by row, on one white canvas."""
    rows = max(1, -(-len(images) // columns))
    sheet = Image.new("RGB", (WIDTH * min(columns, max(1, len(images))), HEIGHT * rows), "white")
    for k, img in enumerate(images):
        sheet.paste(img, (WIDTH * (k % columns), HEIGHT * (k // columns)))
    return sheet
