"""Backgrounds: directory images (stable order, cover crop) and seeded procedural kinds."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from morphgen.errors import MorphgenError
from morphgen.render.backgrounds import (
    PROCEDURAL_KINDS,
    BackgroundSource,
    _doubled,
    _half_size_blur,
)

RED, BLUE, GREEN, GREY = (255, 0, 0), (0, 0, 255), (0, 255, 0), (128, 128, 128)


def _save(path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array.astype(np.uint8)).save(path)


def _split(width: int, height: int, first, second, vertical: bool) -> np.ndarray:
    """An image whose left (or top) half is ``first`` and the other half ``second``."""
    img = np.empty((height, width, 3), dtype=np.uint8)
    if vertical:
        img[:, : width // 2], img[:, width // 2 :] = first, second
    else:
        img[: height // 2], img[height // 2 :] = first, second
    return img


@pytest.mark.parametrize("kind", PROCEDURAL_KINDS)
def test_procedural_is_deterministic_varied_and_in_range(kind):
    src = BackgroundSource()
    a = src.image({"kind": kind, "seed": 7}, 96, 64)
    assert a.shape == (64, 96, 3) and a.dtype == np.float32
    assert 0.0 <= a.min() and a.max() <= 1.0
    np.testing.assert_array_equal(a, BackgroundSource().image({"kind": kind, "seed": 7}, 96, 64))
    means = np.array([src.image({"kind": kind, "seed": s}, 48, 48).mean((0, 1)) for s in range(12)])
    assert means.std(axis=0).max() > 0.05, "different seeds should give different colours"


@pytest.mark.parametrize("kind", ["texture", "clutter", "noise"])
def test_structured_kinds_are_not_flat(kind):
    imgs = [BackgroundSource().image({"kind": kind, "seed": s}, 64, 64) for s in range(8)]
    assert np.median([img.std(axis=(0, 1)).max() for img in imgs]) > 0.02


def _detail(img: np.ndarray) -> float:
    """Mean absolute difference of neighbouring pixels: the fine detail of an image."""
    return float(np.abs(np.diff(img, axis=0)).mean() + np.abs(np.diff(img, axis=1)).mean())


@pytest.mark.parametrize("kind", ["texture", "clutter", "noise"])
def test_defocus_blurs_more_with_sigma_and_keeps_the_colour(kind):
    src = BackgroundSource()
    for seed in range(4):
        imgs = [src.image({"kind": kind, "seed": seed, "defocus": s}, 128, 128) for s in (0, 2, 6)]
        details = [_detail(img) for img in imgs]
        assert details[0] > details[1] > details[2]
        for img in imgs[1:]:
            assert img.dtype == np.float32 and 0.0 <= img.min() and img.max() <= 1.0
            np.testing.assert_allclose(img.mean((0, 1)), imgs[0].mean((0, 1)), atol=0.02)
    # sigma is per 256 px of the larger side: at 512 x 384 px, defocus 3 is a 6 px blur
    sharp = src.image({"kind": kind, "seed": 1}, 512, 384)
    blurred = src.image({"kind": kind, "seed": 1, "defocus": 3}, 512, 384)
    if kind != "noise":  # noise's grain is drawn anew at half size (the test below)
        assert _detail(_blur(sharp, 5.0)) > _detail(blurred) > _detail(_blur(sharp, 7.0))


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """``img`` (a full-size draw) blurred at half size and scaled up, as the defocus blurs."""
    pil = Image.fromarray((img * 255 + 0.5).astype(np.uint8))
    return np.asarray(_half_size_blur(pil, sigma), dtype=np.float32) / 255


@pytest.mark.parametrize("kind", ["texture", "clutter", "noise"])
@pytest.mark.parametrize("size", [(256, 192), (512, 384)])
def test_defocus_drawn_at_half_size_looks_like_the_sharp_image_blurred(kind, size):
    """Out of focus, a kind is drawn at half size: the same picture as its full-size draw
    blurred (texture, clutter), with the same grain strength and detail (noise's grain is
    random, so over seeds; its full-size draw clips more, so a seed may differ by ~25%)."""
    src = BackgroundSource()
    ratios = []
    for seed in range(12):
        sharp = src.image({"kind": kind, "seed": seed}, *size)
        blurred = src.image({"kind": kind, "seed": seed, "defocus": 2.5}, *size)
        reference = _blur(sharp, 2.5 * size[0] / 256)
        if kind != "noise":
            assert np.abs(blurred - reference).mean() < 0.02
        ratios.append([np.std(blurred) / np.std(reference), _detail(blurred) / _detail(reference)])
    std_ratio, detail_ratio = np.median(ratios, axis=0)
    assert 0.9 < std_ratio < 1.1 and 0.85 < detail_ratio < 1.15


def test_directory_order_is_sorted_by_relative_path_and_recursive(tmp_path):
    colours = {"b/2.png": RED, "a.jpg": BLUE, "b/1.webp": GREEN, "c/d/e.bmp": GREY}
    for name, colour in colours.items():
        _save(tmp_path / name, np.full((20, 20, 3), colour))
    (tmp_path / "notes.txt").write_text("not an image")
    src = BackgroundSource(tmp_path)
    assert src.count == 4
    expected = sorted(colours)
    assert [src.path(i).relative_to(tmp_path).as_posix() for i in range(4)] == expected
    for i, name in enumerate(expected):
        img = src.image({"kind": "image", "index": i}, 16, 16)
        np.testing.assert_allclose(img[8, 8], np.array(colours[name]) / 255.0, atol=0.05)
    assert src.path(5) == src.path(1)  # the index wraps around


def test_wide_image_is_centre_cropped_not_stretched(tmp_path):
    # 200x100: left half red, right half blue; a square crop keeps the middle 100 columns
    _save(tmp_path / "wide.png", _split(200, 100, RED, BLUE, vertical=True))
    img = BackgroundSource(tmp_path).image({"kind": "image", "index": 0}, 64, 64)
    np.testing.assert_allclose(img[32, 4], [1, 0, 0], atol=0.02)
    np.testing.assert_allclose(img[32, 60], [0, 0, 1], atol=0.02)
    # the red/blue edge stays in the middle: half the columns each way
    assert abs(int((img[32, :, 0] > 0.5).sum()) - 32) <= 1


def test_tall_image_loses_its_top_and_bottom(tmp_path):
    # 100 wide x 300 tall: green top third, grey middle, green bottom third
    arr = np.full((300, 100, 3), GREY, dtype=np.uint8)
    arr[:100], arr[200:] = GREEN, GREEN
    _save(tmp_path / "tall.png", arr)
    img = BackgroundSource(tmp_path).image({"kind": "image", "index": 0}, 40, 40)
    # the filter's support reaches a little past the crop on the edge rows only
    np.testing.assert_allclose(img[1:-1], np.full_like(img[1:-1], 128 / 255), atol=0.02)
    assert (img[..., 1] - img[..., 0]).max() < 0.08


def test_non_square_output_covers_the_frame(tmp_path):
    _save(tmp_path / "sq.png", _split(100, 100, RED, BLUE, vertical=False))
    img = BackgroundSource(tmp_path).image({"kind": "image", "index": 0}, 80, 20)
    # a 80x20 frame crops the middle 25 rows of the square: the top/bottom split stays
    assert img.shape == (20, 80, 3)
    np.testing.assert_allclose(img[1, 40], [1, 0, 0], atol=0.02)
    np.testing.assert_allclose(img[18, 40], [0, 0, 1], atol=0.02)


def test_unreadable_image_names_the_file(tmp_path):
    (tmp_path / "broken.jpg").write_bytes(b"this is not a jpeg")
    src = BackgroundSource(tmp_path)
    with pytest.raises(MorphgenError, match="broken.jpg"):
        src.image({"kind": "image", "index": 0}, 32, 32)


def test_directory_errors_name_the_directory(tmp_path):
    with pytest.raises(MorphgenError, match="nowhere"):
        BackgroundSource(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(MorphgenError, match="no images"):
        BackgroundSource(tmp_path / "empty")


def test_bad_specs_are_user_errors():
    src = BackgroundSource()
    assert src.count == 0
    with pytest.raises(MorphgenError, match="directory"):
        src.image({"kind": "image", "index": 0}, 32, 32)
    with pytest.raises(MorphgenError, match="sunset"):
        src.image({"kind": "sunset", "seed": 1}, 32, 32)


@pytest.mark.parametrize(
    ("half", "full"), [((64, 64), (128, 128)), ((33, 49), (65, 97)), ((1, 3), (2, 5))]
)
def test_doubling_matches_a_bilinear_resize_to_twice_the_size(half, full):
    """``_doubled`` against Pillow's bilinear resize of the same image to exactly twice its
    size (cut to the odd sizes): within Pillow's rounding to 8 bits, 0.5 level on average."""
    small = np.random.default_rng(3).integers(0, 256, (*half, 3), dtype=np.uint8)
    out = np.empty((*full, 3), dtype=np.float32)
    _doubled(small, np.float32(1.0), out)
    size = (2 * half[1], 2 * half[0])
    pillow = np.asarray(Image.fromarray(small).resize(size, Image.Resampling.BILINEAR), float)
    diff = np.abs(pillow[: full[0], : full[1]] - out)
    assert diff.max() <= 1.0 and diff.mean() < 0.5
    scaled = np.empty_like(out)
    _doubled(small, np.float32(1.0 / 255.0), scaled)
    np.testing.assert_allclose(scaled, out / 255.0, rtol=1e-6, atol=1e-7)
