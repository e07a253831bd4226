"""Fake renderer output for the io and pipeline tests (no renderer needed)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from morphgen.scene import SceneParams


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
            "landmarks": [
                {"name": f"p{n}", "x": float(x), "y": float(y), "visible": bool(v)}
                for n, ((x, y), v) in enumerate(
                    zip(self.landmarks, self.landmark_visible, strict=True)
                )
            ],
            "camera": {"width": self.rgb.shape[1], "height": self.rgb.shape[0]},
            "backend": "fake",
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


def fake_manifest(fmt: str, shards: int, per_shard: int, labels: str):
    """A manifest planning ``shards`` shards of ``per_shard`` samples, two per identity."""
    from morphgen.io.manifest import Manifest, config_hash, label_info

    config = {"seed": 0, "output": {"format": fmt, "mask": True, "depth": "png16"}}
    return Manifest(
        morphgen_version="test",
        format=fmt,
        config=config,
        config_hash=config_hash(config, "", "cpu"),
        seed=0,
        model={"path": None, "sha256": "", "name": "fake"},
        backend="cpu",
        labels=label_info(labels),
        plan={
            "shards": shards,
            "samples": per_shard * shards,
            "identities": per_shard * shards // 2,
            "samples_per_shard": per_shard,
        },
    )


def write_fake_dataset(directory, fmt: str = "webdataset", shards: int = 2, labels: str = "lapa"):
    """A finished dataset of fake samples (two identities per shard, two samples each)."""
    from morphgen.config.schema import Output
    from morphgen.io.manifest import save_manifest
    from morphgen.io.shards import write_shard

    manifest = fake_manifest(fmt, shards, 4, labels)
    options = Output(format=fmt, labels=labels)
    n_labels = len(manifest.labels["classes"])
    for k in range(shards):
        samples = [fake_sample(i, j, labels=n_labels) for i in (2 * k, 2 * k + 1) for j in (0, 1)]
        manifest.shards[k] = write_shard(directory, k, samples, options)
    save_manifest(directory, manifest)
    return manifest
