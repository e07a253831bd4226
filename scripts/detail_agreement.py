"""How the head's level of detail changes the bench's images:
``python scripts/detail_agreement.py [--model PATH] [--size 256]``.

Renders the scenes that ``scripts/profile_render.py --dressed`` draws (the bench config;
the BFM-sized model unless ``--model``) with ``render.detail: auto`` and ``full`` and
prints the drawn triangle counts, the share of mask pixels that agree, the mean and 99.9th
percentile of the RGB difference (of 255), and each renderer's thread CPU ms per image.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from profile_render import dressed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model file (default: BFM-sized synthetic model)")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--identities", type=int, default=12)
    ap.add_argument("--images", type=int, default=8, help="images per identity")
    args = ap.parse_args()
    _, auto, warm, work = dressed(argparse.Namespace(backend="cpu", **vars(args)))
    full_config = Path(__file__).resolve().parent.parent / "configs/bench/full-detail.yaml"
    _, full, _, again = dressed(argparse.Namespace(backend="cpu", config=full_config, **vars(args)))
    drawn = [[(p.identity, p.sample, p.yaw, p.hair) for p in ps] for ps in (work, again)]
    assert drawn[0] == drawn[1], "the two configs drew different scenes"
    out = {}
    for name, renderer in (("auto", auto), ("full", full)):
        renderer.render_many(warm)  # compiled, buffers sized
        start = time.thread_time()
        out[name] = renderer.render_many(work)
        ms = (time.thread_time() - start) / len(work) * 1e3
        print(f"{name}: {renderer.model.n_triangles} triangles, {ms:.1f} ms per image")
    masks = [np.mean(a.mask == b.mask) for a, b in zip(out["auto"], out["full"], strict=True)]
    diff = np.concatenate(
        [
            np.abs(a.rgb.astype(np.int16) - b.rgb.astype(np.int16)).ravel()
            for a, b in zip(out["auto"], out["full"], strict=True)
        ]
    )
    tail = np.percentile(diff, 99.9)
    print(f"{len(work)} images at {args.size} px: masks agree on {100 * np.mean(masks):.2f}%")
    print(f"of pixels; RGB differs by {diff.mean():.2f} of 255 (99.9th percentile {tail:.0f})")


if __name__ == "__main__":
    main()
