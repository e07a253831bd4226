"""Backgrounds: photographs from a user directory, or procedural images from a seed.

A background is a pure function of its spec (``SceneParams.background``) and the size:
``{"kind": "image", "index": 17}`` is the 18th file of the directory in sorted
relative-path order (the index is taken modulo the number of files), and
``{"kind": "gradient" | "texture" | "clutter" | "solid" | "noise", "seed": 123}`` is drawn
from ``numpy.random.default_rng(seed)``, then blurred by ``"defocus"`` (a Gaussian sigma in
pixels per 256 px of the larger side; absent or 0: sharp). An image out of focus is drawn
at half size, blurred there and scaled up. Images come back as (H, W, 3)
float32 sRGB in [0, 1].
"""

from __future__ import annotations

import colorsys
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit
from PIL import Image, ImageDraw, ImageFilter

from morphgen.config.backgrounds import background_files
from morphgen.config.schema import BACKGROUND_KINDS
from morphgen.errors import MorphgenError

PROCEDURAL_KINDS = BACKGROUND_KINDS
KINDS = ("image", *PROCEDURAL_KINDS)

# Hue (0-1), saturation and value ranges of plausible indoor surfaces: walls, wood,
# fabric, paint, metal. Colours are drawn inside one of these boxes.
_INDOOR = (
    ((0.08, 0.14), (0.05, 0.25), (0.70, 0.95)),  # cream and beige walls
    ((0.00, 1.00), (0.00, 0.06), (0.25, 0.95)),  # whites and greys
    ((0.05, 0.10), (0.35, 0.70), (0.25, 0.65)),  # wood
    ((0.50, 0.65), (0.15, 0.45), (0.35, 0.80)),  # muted blues
    ((0.20, 0.40), (0.15, 0.45), (0.30, 0.70)),  # muted greens
    ((0.95, 1.00), (0.30, 0.60), (0.30, 0.70)),  # reds and terracotta
    ((0.00, 1.00), (0.40, 0.90), (0.40, 0.95)),  # a saturated object of any hue
)
_INDOOR_WEIGHTS = (0.2, 0.2, 0.15, 0.12, 0.12, 0.09, 0.12)


class BackgroundSource:
    """Backgrounds for one run: the files under ``directory`` (recursive) and procedural kinds."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = None if directory is None else Path(directory).expanduser()
        self._files = [] if self.directory is None else background_files(self.directory)

    @property
    def count(self) -> int:
        """Number of background images (0 without a directory)."""
        return len(self._files)

    def path(self, index: int) -> Path:
        """The file that ``{"kind": "image", "index": index}`` uses."""
        if not self._files:
            raise MorphgenError(
                "background kind 'image' needs background.directory with images; none was given"
            )
        return self._files[index % len(self._files)]

    def image(self, spec: dict[str, Any], width: int, height: int) -> np.ndarray:
        """The (height, width, 3) float32 sRGB background that ``spec`` names."""
        kind = spec.get("kind")
        if kind == "image":
            return _load_cover(self.path(int(spec.get("index", 0))), width, height)
        if kind not in PROCEDURAL_KINDS:
            raise MorphgenError(f"background kind {kind!r}: expected one of {', '.join(KINDS)}")
        rng = np.random.default_rng(int(spec.get("seed", 0)))
        sigma = float(spec.get("defocus", 0.0)) * max(width, height) / 256.0
        if sigma > 0.0:  # out of focus: drawn at half size, where the blur is made anyway
            small = _draw(kind, rng, (width + 1) // 2, (height + 1) // 2, pixel=2)
            return _defocus_half(small, sigma, width, height)
        return _draw(kind, rng, width, height)


def _draw(kind: str, rng: np.random.Generator, width: int, height: int, pixel: int = 1):
    """A procedural image of ``kind``, float32 in [0, 1], drawn with ``pixel`` x ``pixel``
    output pixels to a pixel (only the noise kind's grain depends on it)."""
    if kind == "noise":
        out = _noise(rng, width, height, pixel)
    else:
        out = np.asarray(_GENERATORS[kind](rng, width, height), dtype=np.float32)
    return np.clip(out, 0.0, 1.0, out=out)


def _load_cover(path: Path, width: int, height: int) -> np.ndarray:
    """Decode ``path``, centre-crop it to the frame's aspect ratio and resize (no stretching)."""
    try:
        with Image.open(path) as img:
            img.draft("RGB", (width, height))  # JPEG: decode at a reduced scale when possible
            img = img.convert("RGB")
            w, h = img.size
            scale = max(width / w, height / h)
            crop_w, crop_h = width / scale, height / scale
            left, top = (w - crop_w) / 2.0, (h - crop_h) / 2.0
            box = (left, top, left + crop_w, top + crop_h)
            img = img.resize((width, height), Image.Resampling.BICUBIC, box=box, reducing_gap=2.0)
            return np.asarray(img, dtype=np.float32) / 255.0
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise MorphgenError(f"background image {path}: cannot be read ({exc})") from exc


def _indoor_colour(rng: np.random.Generator) -> np.ndarray:
    """One RGB colour in [0, 1] from a random box of ``_INDOOR``."""
    hues, sats, vals = _INDOOR[rng.choice(len(_INDOOR), p=_INDOOR_WEIGHTS)]
    hsv = [rng.uniform(*hues), rng.uniform(*sats), rng.uniform(*vals)]
    return np.array(colorsys.hsv_to_rgb(*hsv), dtype=np.float32)


def _smooth_field(rng: np.random.Generator, width: int, height: int, cells: float) -> np.ndarray:
    """Value noise in [0, 1]: a random grid about ``cells`` cells across, upsampled bicubically."""
    gw = max(2, round(cells * width / max(width, height))) + 1
    gh = max(2, round(cells * height / max(width, height))) + 1
    grid = Image.fromarray(rng.random((gh, gw), dtype=np.float32), mode="F")
    return np.asarray(grid.resize((width, height), Image.Resampling.BICUBIC))


def _fractal(rng: np.random.Generator, width: int, height: int, octaves: int) -> np.ndarray:
    """Multi-octave value noise normalised to [0, 1]."""
    base = rng.uniform(2.0, 6.0)
    total = np.zeros((height, width), dtype=np.float32)
    for octave in range(octaves):
        total += 0.5**octave * _smooth_field(rng, width, height, base * 2**octave)
    lo, hi = total.min(), total.max()
    return (total - lo) / max(hi - lo, 1e-6)


# Blurs of at least this many pixels are made at half resolution and scaled back up
# (2.4 against 5.8 ms for an RGB 256 px image), where the halving is lost in the blur.
HALF_SIZE_BLUR_PX = 2.0


def _blur(img: Image.Image, radius: float) -> Image.Image:
    """``img`` under a Gaussian blur of ``radius`` pixels."""
    if radius < HALF_SIZE_BLUR_PX:
        return img.filter(ImageFilter.GaussianBlur(radius))
    return _half_size_blur(img, radius)


def _half_size_blur(img: Image.Image, radius: float) -> Image.Image:
    """A Gaussian blur of ``radius`` pixels made at half resolution, scaled back up."""
    small = img.reduce(2).filter(ImageFilter.GaussianBlur(radius / 2.0))
    return small.resize(img.size, Image.Resampling.BILINEAR)


def _defocus_half(small: np.ndarray, sigma: float, width: int, height: int) -> np.ndarray:
    """A ``width`` x ``height`` image out of focus by a Gaussian blur of ``sigma`` pixels,
    from ``small`` (float32 in [0, 1]) drawn at half that size: the blur is made there and
    scaled up, as a half-resolution blur of the full-size image would be (defocus leaves no
    detail that the halving loses), and the kind is drawn on a quarter of the pixels; the
    blurred half-size image is doubled by ``_doubled`` (cut to odd sizes)."""
    scaled = small * np.float32(255.0)
    scaled += np.float32(0.5)
    img = Image.fromarray(scaled.astype(np.uint8)).filter(ImageFilter.GaussianBlur(sigma / 2.0))
    out = np.empty((height, width, 3), dtype=np.float32)
    _doubled(np.asarray(img), np.float32(1.0 / 255.0), out)
    return out


@njit(cache=True, nogil=True)
def _doubled(small, scale, out):  # pragma: no cover - jitted
    """``out`` (H, W, C) float32: ``small`` (uint8, ceil(H / 2) x ceil(W / 2)) times ``scale``
    at twice its size (the last row or column cut for odd sizes), bilinear: output pixel
    centre ``x`` lies at ``x / 2 - 1/4`` in ``small``, between its two nearest pixels weighted
    3:1 (the edge pixel repeated past the edge), where a bilinear resize to exactly twice the
    size places it; 0.46 against Pillow's 1.0 ms at 256 px (with the conversion to float),
    and without its rounding to 8 bits."""
    h, w, channels = small.shape
    near, far = np.float32(0.75) * scale, np.float32(0.25) * scale
    three, one = np.float32(0.75), np.float32(0.25)
    row = np.empty((w, channels), dtype=np.float32)
    for y in range(out.shape[0]):
        i = y // 2  # the nearer source row, and the farther one (clamped)
        j = min(max(i + (1 if y % 2 else -1), 0), h - 1)
        for k in range(w):
            for c in range(channels):
                row[k, c] = near * np.float32(small[i, k, c]) + far * np.float32(small[j, k, c])
        for k in range(w):  # output columns 2k (left neighbour) and 2k + 1 (right)
            left, right = max(k - 1, 0), min(k + 1, w - 1)
            for c in range(channels):
                if 2 * k < out.shape[1]:
                    out[y, 2 * k, c] = three * row[k, c] + one * row[left, c]
                if 2 * k + 1 < out.shape[1]:
                    out[y, 2 * k + 1, c] = three * row[k, c] + one * row[right, c]


def _ramp(t: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Blend colour ``a`` (t = 0) to ``b`` (t = 1) per pixel, float32 (a channel at a time:
    NumPy broadcasts over a last axis of 3 about ten times slower)."""
    t = t.astype(np.float32, copy=False)
    a, d = a.astype(np.float32), (b - a).astype(np.float32)
    return np.stack([t * d[c] + a[c] for c in range(3)], axis=-1)


def _solid(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    row = np.tile(_indoor_colour(rng), width)  # one row, then the rows (see _ramp)
    return np.tile(row, (height, 1)).reshape(height, width, 3)


def _gradient(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    a, b = _indoor_colour(rng), _indoor_colour(rng)
    size = max(width, height)
    # a row and a column of coordinates, broadcast: no full-frame coordinate grids
    x = (np.arange(width, dtype=np.float32) / size)[None, :]
    y = (np.arange(height, dtype=np.float32) / size)[:, None]
    if rng.random() < 0.3:  # radial, like a lit wall
        cx, cy = rng.uniform(0, width / size), rng.uniform(0, 1)
        t = np.hypot(x - np.float32(cx), y - np.float32(cy)) / np.float32(rng.uniform(0.5, 1.5))
    else:
        angle = rng.uniform(0, 2 * np.pi)
        t = x * np.float32(np.cos(angle)) + y * np.float32(np.sin(angle))
        t = (t - t.min()) / max(t.max() - t.min(), 1e-6)
    t = np.clip(t, 0.0, 1.0, out=t) ** np.float32(rng.uniform(0.5, 2.0))
    return _ramp(t, a, b)


def _texture(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    a, b = _indoor_colour(rng), _indoor_colour(rng)
    style = rng.integers(3)
    if style == 0:  # stone, plaster, clouds
        t = _fractal(rng, width, height, octaves=int(rng.integers(3, 6)))
    elif style == 1:  # fabric: threads of random shade in two directions, a fine weave
        period = rng.uniform(3.0, 10.0) * max(width, height) / 256.0
        warp = rng.random(int(width / period) + 2, dtype=np.float32)
        weft = rng.random(int(height / period) + 2, dtype=np.float32)
        ix = (np.arange(width) / period).astype(int)[None, :]
        iy = (np.arange(height) / period).astype(int)[:, None]
        over = ((ix + iy) % 2).astype(np.bool_)
        t = np.where(over, warp[ix], weft[iy])
        t = np.float32(0.7) * t + np.float32(0.3) * _fractal(rng, width, height, octaves=3)
    else:  # wood: rings bent by noise
        size = max(width, height)
        x = (np.arange(width, dtype=np.float32) / size)[None, :]
        y = (np.arange(height, dtype=np.float32) / size)[:, None]
        bend = _fractal(rng, width, height, octaves=3)
        rings = np.float32(rng.uniform(8.0, 30.0))
        phase = rings * (y + np.float32(0.15) * x) + np.float32(2.0) * bend
        t = np.float32(0.5) + np.float32(0.5) * np.sin(np.float32(2 * np.pi) * phase)
    return _ramp(t, a, b)


def _noise(rng: np.random.Generator, width: int, height: int, pixel: int = 1) -> np.ndarray:
    """Grain over a wall colour; drawn with ``pixel`` x ``pixel`` output pixels to a pixel,
    the grain is their mean (1 / ``pixel`` of the standard deviation)."""
    base = _indoor_colour(rng)
    # uniform grain of standard deviation sigma: looks the same as Gaussian grain per pixel
    # and is drawn about 3x faster (0.9 against 2.7 ms at 256 px)
    sigma = rng.uniform(0.03, 0.2) / pixel
    grain = rng.random((height, width, 3), dtype=np.float32)
    grain -= np.float32(0.5)
    grain *= np.float32(sigma * np.sqrt(12.0))
    if rng.random() < 0.5:  # coloured blotches rather than fine grain
        blur = rng.uniform(0.5, 3.0) * max(width, height) / 256.0
        grain *= np.float32(255.0)
        grain += np.float32(128.0)
        img = Image.fromarray(np.clip(grain, 0.0, 255.0, out=grain).astype(np.uint8))
        grain = np.asarray(_blur(img, blur), dtype=np.float32)
        grain -= np.float32(128.0)
        grain *= np.float32((1.0 + blur * pixel) / 255.0)
    grain += base
    return grain


def _clutter(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A wall with furniture-like shapes: rectangles, ellipses and lines, slightly blurred."""
    size = max(width, height)
    img = Image.new("RGB", (width, height), tuple(int(255 * c) for c in _indoor_colour(rng)))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(6, 30))):
        colour = tuple(int(255 * c) for c in _indoor_colour(rng))
        x0, y0 = rng.uniform(-0.2, 1.0) * width, rng.uniform(-0.2, 1.0) * height
        w, h = rng.uniform(0.05, 0.6) * size, rng.uniform(0.05, 0.6) * size
        shape = rng.random()
        if shape < 0.5:
            draw.rectangle((x0, y0, x0 + w, y0 + h), fill=colour)
        elif shape < 0.75:
            draw.ellipse((x0, y0, x0 + w, y0 + h), fill=colour)
        else:
            line_width = max(1, int(rng.uniform(0.005, 0.03) * size))
            draw.line((x0, y0, x0 + w, y0 + h * rng.choice([-1, 1])), fill=colour, width=line_width)
    img = _blur(img, rng.uniform(0.5, 3.0) * size / 256.0)
    shade = 0.75 + 0.5 * _smooth_field(rng, width, height, 2.0)  # uneven room light
    shade *= np.float32(1.0 / 255.0)
    out = np.asarray(img, dtype=np.float32)
    out *= shade[..., None]
    return out


_GENERATORS = {
    "solid": _solid,
    "gradient": _gradient,
    "texture": _texture,
    "noise": _noise,
    "clutter": _clutter,
}
