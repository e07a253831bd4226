"""``Sample``: one rendered image with its exact labels and the metadata to re-render it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from morphgen.render.landmarks import ARCFACE5, ArcFacePoints
from morphgen.scene import SceneParams

# What each ArcFace point is on the image for a frontal face (template order).
_ARCFACE_IMAGE_SIDE = ("image_left", "image_right", "centre", "image_left", "image_right")


@dataclass
class Sample:
    """One image. Arrays are in image row order (top row first); pixels origin top-left."""

    params: SceneParams
    rgb: np.ndarray  # (H, W, 3) uint8, sRGB-encoded
    mask: np.ndarray | None  # (H, W) uint8 label ids, 0 = background
    depth: np.ndarray | None  # (H, W) float32 mm along the camera axis, 0 = background
    landmarks: np.ndarray  # (L, 2) float32 pixel coordinates (x right, y down)
    landmark_visible: np.ndarray  # (L,) bool
    landmark_names: list[str]
    intrinsics: np.ndarray  # (3, 3)
    extrinsics: np.ndarray  # (4, 4) model -> camera (camera looks down -z, y up)
    extras: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (H, W, 3) uint8
    backend: str = ""
    arcface: ArcFacePoints | None = None
    model_sha256: str | None = None

    def metadata(self) -> dict[str, Any]:
        """A JSON-ready description: parameters, landmarks, ArcFace points, camera, backend."""
        meta: dict[str, Any] = {
            "identity": self.params.identity,
            "sample": self.params.sample,
            "params": self.params.to_dict(),
            "landmarks": [
                {"name": n, "x": round(x, 3), "y": round(y, 3), "visible": v}
                for n, (x, y), v in zip(
                    self.landmark_names,
                    np.asarray(self.landmarks, dtype=np.float64).tolist(),
                    np.asarray(self.landmark_visible, dtype=bool).tolist(),
                    strict=True,
                )
            ],
            "camera": {
                "intrinsics": np.asarray(self.intrinsics, dtype=float).tolist(),
                "extrinsics": np.asarray(self.extrinsics, dtype=float).tolist(),
                "width": int(self.rgb.shape[1]),
                "height": int(self.rgb.shape[0]),
            },
            "backend": self.backend,
        }
        if self.arcface is not None:
            meta["arcface5"] = [
                {
                    "name": name,
                    "frontal_image_side": side,
                    "x": round(float(p[0]), 3),
                    "y": round(float(p[1]), 3),
                    "visible": bool(v),
                }
                for (name, _), side, p, v in zip(
                    ARCFACE5,
                    _ARCFACE_IMAGE_SIDE,
                    self.arcface.points,
                    self.arcface.visible,
                    strict=True,
                )
            ]
        if self.model_sha256:
            meta["model_sha256"] = self.model_sha256
        return meta
