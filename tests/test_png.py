"""The PNG writer: Pillow (an independent decoder, which checks every chunk's CRC) reads back
exactly the pixels written, for every channel count, both bit depths and odd sizes."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from morphgen.io.encode import decode_depth_png16, encode_depth_png16, encode_image, encode_mask
from morphgen.io.png import encode_png


def _pillow(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    "shape, dtype",
    [
        ((1, 1), np.uint8),
        ((7, 3), np.uint8),
        ((5, 9, 3), np.uint8),
        ((4, 6, 4), np.uint8),
        ((3, 5, 2), np.uint8),
        ((6, 4, 1), np.uint8),
        ((9, 5), np.uint16),
        ((64, 48, 3), np.uint8),
    ],
)
def test_pillow_decodes_exactly_the_pixels_written(shape, dtype) -> None:
    rng = np.random.default_rng(len(shape) * 100 + shape[0])
    pixels = rng.integers(0, np.iinfo(dtype).max, size=shape, endpoint=True).astype(dtype)
    image = _pillow(encode_png(pixels))
    assert image.size == (shape[1], shape[0])
    expected = pixels[..., 0] if pixels.ndim == 3 and shape[2] == 1 else pixels
    np.testing.assert_array_equal(np.asarray(image), expected)


def test_a_rendered_looking_image_round_trips_through_every_encoder() -> None:
    y, x = np.mgrid[0:40, 0:50]
    rgb = np.stack([x * 5, y * 6, (x + y) % 256], axis=-1).astype(np.uint8)
    mask = ((x // 10 + y // 10) % 20).astype(np.uint8)
    depth = np.where(mask > 3, 800.0 + x + 0.1 * y, 0.0)
    assert _pillow(encode_image(rgb)).mode == "RGB"
    np.testing.assert_array_equal(np.asarray(_pillow(encode_image(rgb))), rgb)
    assert _pillow(encode_mask(mask)).mode == "L"
    np.testing.assert_array_equal(np.asarray(_pillow(encode_mask(mask))), mask)
    np.testing.assert_allclose(decode_depth_png16(encode_depth_png16(depth)), depth, atol=0.05)


def test_smooth_images_compress() -> None:
    ramp = np.tile(np.arange(256, dtype=np.uint8), (256, 1))
    data = encode_png(np.stack([ramp] * 3, axis=-1))
    assert len(data) < ramp.size * 3 // 20
    # the IDAT holds one zlib stream of 256 rows of 1 filter byte + 768 sample bytes
    idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
    assert len(zlib.decompress(idat)) == 256 * (1 + 768)


def test_other_pixel_types_are_refused() -> None:
    with pytest.raises(ValueError, match="uint8 or uint16"):
        encode_png(np.zeros((4, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="1 to 4 channels"):
        encode_png(np.zeros((4, 4, 5), dtype=np.uint8))
