"""ArcFace alignment: a similarity warp of the 5 ArcFace points onto the standard template.

The template is InsightFace's ``arcface_src`` for 112 x 112 crops (image-left eye,
image-right eye, nose tip, image-left and image-right mouth corners), from
github.com/deepinsight/insightface, python-package/insightface/utils/face_align.py. Its
``estimate_norm`` scales it by ``size / 112`` for multiples of 112, and by ``size / 128``
shifted 8 * scale px right for multiples of 128; other sizes here scale by ``size / 112``.
The template is in OpenCV's pixel convention (pixel centres at integers); morphgen's
landmarks and PIL's warp use pixel centres at +0.5, so the template is shifted by half a
pixel before fitting. The fit is Umeyama's least-squares similarity (rotation, uniform
scale, translation; no reflection).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from morphgen.errors import MorphgenError

ARCFACE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ]
)
ALIGNMENTS = ("arcface112", "none")


def template(size: int) -> np.ndarray:
    """(5, 2) template points for a ``size`` x ``size`` crop, in OpenCV pixel convention."""
    if size % 112 != 0 and size % 128 == 0:
        ratio = size / 128.0
        return ARCFACE_112 * ratio + np.array([8.0 * ratio, 0.0])
    return ARCFACE_112 * (size / 112.0)


def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 2 x 3 similarity matrix that maps ``src`` points onto ``dst`` in least squares."""
    src, dst = np.asarray(src, float), np.asarray(dst, float)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s, d = src - mu_s, dst - mu_d
    u, sig, vt = np.linalg.svd(d.T @ s / len(src))
    flip = np.diag([1.0, np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0])
    rotation = u @ flip @ vt
    scale = float(np.trace(np.diag(sig) @ flip) / (s**2).sum(1).mean())
    out = np.empty((2, 3))
    out[:, :2] = scale * rotation
    out[:, 2] = mu_d - scale * rotation @ mu_s
    return out


def arcface_points(metadata: dict[str, Any], key: str) -> np.ndarray:
    """(5, 2) ArcFace points of a sample from its metadata (``arcface5``)."""
    points = metadata.get("arcface5") if metadata else None
    if not points or len(points) != 5:
        raise MorphgenError(
            f"{key}: no arcface5 points in the sample's metadata; generate with "
            "output.landmarks: true, or export with --align none"
        )
    return np.array([[p["x"], p["y"]] for p in points], dtype=float)


def alignment_matrix(points: np.ndarray, size: int) -> np.ndarray:
    """2 x 3 matrix from image pixels (centres at +0.5) to the ``size`` crop's pixels."""
    return similarity(points, template(size) + 0.5)


def warp(image: np.ndarray, matrix: np.ndarray, size: int, nearest: bool = False) -> np.ndarray:
    """``image`` warped by ``matrix`` into a ``size`` x ``size`` crop (black outside)."""
    full = np.vstack([matrix, [0.0, 0.0, 1.0]])
    inv = np.linalg.inv(full)[:2].ravel()
    resample = Image.Resampling.NEAREST if nearest else Image.Resampling.BILINEAR
    out = Image.fromarray(image).transform(
        (size, size), Image.Transform.AFFINE, tuple(inv), resample=resample
    )
    return np.asarray(out)
