#!/usr/bin/env python3
"""A quick realism check with dlib (HOG detector + ResNet face recogniser), until
``morphgen realism`` lands: renders a set like issue 15's in-process and prints the HOG
detection rate, the share of different-identity pairs closer than dlib's 0.6 and the
verification AUC.

    pip install dlib-bin face-recognition-models
    python scripts/dlib_check.py --identities 30 --images 5

The set: 256 px, yaw uniform in +-30 deg, pitch in +-10 deg, half neutral expressions,
gradient and texture backgrounds, no augmentation, the default model and appearance.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def _models() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or spec.origin is None:
        sys.exit("dlib_check: pip install dlib-bin face-recognition-models")
    return Path(spec.origin).parent / "models"


def render_set(identities: int, images: int, extra: dict) -> list[tuple[int, np.ndarray]]:
    from morphgen.config.schema import Config
    from morphgen.model.load import load_model
    from morphgen.render.renderer import Renderer
    from morphgen.sampling.sampler import Sampler

    config = {
        "seed": 1,
        "identities": {"count": identities, "images_per_identity": images},
        "expression": {"neutral_probability": 0.5},
        "pose": {
            "yaw": {"dist": "uniform", "low": -30, "high": 30},
            "pitch": {"dist": "uniform", "low": -10, "high": 10},
        },
        "background": {"kinds": {"gradient": 1.0, "texture": 1.0}},
        **extra,
    }
    model = load_model()
    sampler = Sampler(Config.model_validate(config), model)
    renderer = Renderer(model, backend="cpu")
    return [(p.identity, renderer.render(p).rgb) for p in sampler.scenes()]


def auc(same: np.ndarray, different: np.ndarray) -> float:
    """P(a same-identity distance < a different-identity one), ties counted half."""
    scores = np.concatenate([same, different])
    ranks = scores.argsort().argsort() + 1.0
    return float(
        1
        - (ranks[: len(same)].sum() - len(same) * (len(same) + 1) / 2)
        / (len(same) * len(different))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=30)
    parser.add_argument("--images", type=int, default=5)
    parser.add_argument("--config", default="{}", help="JSON merged into the config")
    parser.add_argument("--save", type=Path, help="write a contact sheet PNG here")
    args = parser.parse_args()
    import dlib

    models = _models()
    detector = dlib.get_frontal_face_detector()
    shape = dlib.shape_predictor(str(models / "shape_predictor_5_face_landmarks.dat"))
    net = dlib.face_recognition_model_v1(str(models / "dlib_face_recognition_resnet_model_v1.dat"))
    rendered = render_set(args.identities, args.images, json.loads(args.config))
    ids, descriptors = [], []
    for identity, rgb in rendered:
        faces = detector(rgb, 1)
        if faces:
            ids.append(identity)
            descriptors.append(np.array(net.compute_face_descriptor(rgb, shape(rgb, faces[0]))))
    if args.save:
        from PIL import Image

        row = [
            np.concatenate([rgb for _, rgb in rendered[k : k + 10]], axis=1)
            for k in range(0, 30, 10)
        ]
        Image.fromarray(np.concatenate(row, axis=0)).save(args.save)
    d = np.array(descriptors)
    ids = np.array(ids)
    dist = np.linalg.norm(d[:, None] - d[None], axis=2)
    upper = np.triu(np.ones_like(dist, dtype=bool), 1)
    same = dist[upper & (ids[:, None] == ids[None])]
    different = dist[upper & (ids[:, None] != ids[None])]
    print(f"images {len(rendered)}, HOG detection {len(ids) / len(rendered):.3f}")
    print(f"confusable (different identities < 0.6) {np.mean(different < 0.6):.3f}")
    print(f"verification AUC {auc(same, different):.3f}")
    print(f"median distance same {np.median(same):.3f}, different {np.median(different):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
