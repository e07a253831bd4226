"""Fake renderer output for the io and pipeline tests (no renderer needed)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from morphgen.sampling.params import SceneParams


@dataclass
class FakeSample:
    """Duck-typed like morphgen.render.sample.Sample."""

    params: SceneParams
    rgb: np.ndarray
    mask: np.ndarray
    depth: np.ndarray
    landmarks: np.ndarray
    landmark_visible: np.ndarray
    extras: dict = field(default_factory=dict)

    def metadata(self) -> dict:
        return {
            "identity": self.params.identity,
            "sample": self.params.sample,
            "params": self.params.to_dict(),
            "landmarks": self.landmarks.tolist(),
            "landmark_visible": self.landmark_visible.tolist(),
        }


def fake_sample(identity: int, sample: int, size: int = 32, labels: int = 15) -> FakeSample:
    """A sample whose pixels are random but fixed by (identity, sample)."""
    rng = np.random.default_rng([identity, sample])
    params = SceneParams(
        identity=identity,
        sample=sample,
        shape=rng.normal(size=4).astype(np.float32),
        color=rng.normal(size=4).astype(np.float32),
        expression=np.zeros(2, np.float32),
        blendshapes=np.zeros(0, np.float32),
        yaw=float(rng.uniform(-30, 30)),
    )
    depth = rng.uniform(800, 1200, size=(size, size)).astype(np.float32)
    depth[:4] = 0.0
    return FakeSample(
        params=params,
        rgb=rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8),
        mask=rng.integers(0, labels, size=(size, size), dtype=np.uint8),
        depth=depth,
        landmarks=rng.uniform(0, size, size=(68, 2)).astype(np.float32),
        landmark_visible=rng.random(68) > 0.3,
        extras={"normals": rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)},
    )
