"""The README's "Python API" script: sample scenes, render them, make a dataset, read it back.

python scripts/api_example.py --out out/api            # EGL where it works, else cpu
python scripts/api_example.py --out out/api --backend cpu
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image

import morphgen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/api"))
    parser.add_argument("--backend", default="auto", help="auto, cpu, egl or osmesa")
    parser.add_argument("--config", default=Path(__file__).parent.parent / "configs/demo.yaml")
    args = parser.parse_args()

    model = morphgen.load_model()  # the embedded default head; or a BFM .h5 / .mat path
    config = morphgen.load_config(args.config)
    sampler = morphgen.Sampler(config, model)
    renderer = morphgen.Renderer(model, args.backend)  # one per process; reuse it
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        for i, j in sampler.plan()[:3]:
            sample = renderer.render(sampler.scene(i, j))
            Image.fromarray(sample.rgb).save(args.out / f"id{i}_s{j}.png")
            print(
                f"identity {i} sample {j}: {sample.rgb.shape[1]}x{sample.rgb.shape[0]} px, "
                f"labels {sorted(set(sample.mask.ravel().tolist()))}, backend {sample.backend}"
            )
    finally:
        renderer.close()

    summary = morphgen.generate(config, args.out / "dataset", workers=1, progress=False)
    print(summary)
    dataset = morphgen.open_dataset(args.out / "dataset")
    first = next(iter(dataset))
    print(
        f"read back {len(dataset)} samples; first {first['key']}: rgb {first['rgb'].shape}, "
        f"mask {first['mask'].shape}, yaw {first['metadata']['params']['yaw']:.1f} deg"
    )


if __name__ == "__main__":
    main()
