"""Image augmentations: each op does what it says, deterministically, keeping shape and dtype."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.errors import MorphgenError
from morphgen.render.augment import apply_augmentations


def image(seed: int = 0, size: int = 64) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def smooth(size: int = 64) -> np.ndarray:
    """Red ramps left to right, green top to bottom, blue constant."""
    ramp = np.linspace(40, 200, size)
    red, green = np.meshgrid(ramp, ramp)
    return np.stack([red, green, np.full_like(red, 120.0)], -1).astype(np.uint8)


ALL = [
    {"op": "blur", "sigma": 1.2},
    {"op": "resample", "factor": 0.5},
    {"op": "color_jitter", "brightness": 1.1, "contrast": 0.9, "saturation": 1.2, "hue": 0.05},
    {"op": "noise", "std": 0.02, "seed": 5},
    {"op": "jpeg", "quality": 60},
]


def test_no_ops_is_identity_and_ops_keep_shape():
    img = image()
    assert np.array_equal(apply_augmentations(img, []), img)
    out = apply_augmentations(img, ALL)
    assert out.shape == img.shape and out.dtype == np.uint8


def test_deterministic_and_seeded():
    img = image()
    assert np.array_equal(apply_augmentations(img, ALL), apply_augmentations(img, ALL))
    other = [dict(op, seed=6) if op["op"] == "noise" else op for op in ALL]
    assert not np.array_equal(apply_augmentations(img, ALL), apply_augmentations(img, other))


def test_blur_and_resample_remove_high_frequencies():
    img = image()
    lap = lambda x: np.abs(np.diff(x.astype(float), axis=1)).mean()  # noqa: E731
    assert lap(apply_augmentations(img, [{"op": "blur", "sigma": 2.0}])) < 0.3 * lap(img)
    assert lap(apply_augmentations(img, [{"op": "resample", "factor": 0.25}])) < 0.5 * lap(img)
    assert np.array_equal(apply_augmentations(img, [{"op": "blur", "sigma": 0}]), img)
    ramp = smooth()
    back = apply_augmentations(ramp, [{"op": "resample", "factor": 0.5}])
    assert np.abs(back.astype(int) - ramp).mean() < 3  # a smooth image survives


def test_noise_has_the_requested_std():
    grey = np.full((128, 128, 3), 128, dtype=np.uint8)
    out = apply_augmentations(grey, [{"op": "noise", "std": 0.05, "seed": 1}])
    assert abs((out.astype(float) - 128).std() / 255 - 0.05) < 0.003


def test_color_jitter():
    img = smooth()
    brighter = apply_augmentations(img, [{"op": "color_jitter", "brightness": 1.3}])
    assert brighter.mean() > img.mean() * 1.2
    grey = apply_augmentations(img, [{"op": "color_jitter", "saturation": 0.0}])
    assert np.abs(grey.astype(int) - grey[..., :1]).max() <= 1
    flat = apply_augmentations(img, [{"op": "color_jitter", "contrast": 0.0}])
    assert flat.std() < 1.0
    red = np.zeros((8, 8, 3), dtype=np.uint8)
    red[..., 0] = 255
    cyan = apply_augmentations(red, [{"op": "color_jitter", "hue": 0.5}])
    assert cyan[0, 0, 0] < 10 and cyan[0, 0, 1] > 240 and cyan[0, 0, 2] > 240


def test_jpeg_quality_matters():
    img = image()
    low = apply_augmentations(img, [{"op": "jpeg", "quality": 10}])
    high = apply_augmentations(img, [{"op": "jpeg", "quality": 95}])
    err = lambda x: np.abs(x.astype(int) - img).mean()  # noqa: E731
    assert err(low) > err(high) > 0


def test_bad_ops_are_clear_errors():
    with pytest.raises(MorphgenError, match="unknown op 'sharpen'"):
        apply_augmentations(image(), [{"op": "sharpen"}])
    with pytest.raises(MorphgenError, match="lacks parameter 'sigma'"):
        apply_augmentations(image(), [{"op": "blur"}])
