"""Per-stage render times of one process: ``python scripts/profile_render.py [--model PATH]``.

Renders ``--identities`` x ``--images`` scenes (random shape, colour, expression, pose,
light, procedural background) through ``Renderer.render_many`` on the chosen backend and
prints milliseconds per image for each stage (its best of ``--repeat`` passes), plus the
best pass's images per second for the one process.
Without ``--model`` it uses the BFM-sized synthetic model (53k vertices, 106k triangles,
199 / 199 / 100 components). The first (compiling or cache-loading) pass is not timed.
``--dressed`` draws the scenes of ``morphgen bench``'s config instead (the default config:
hair, accessories and the default appearance on; the BFM-sized model unless ``--model``);
``--cpu-time`` times this thread's CPU rather than the wall clock (steadier when other
jobs share the cores).
"""

from __future__ import annotations

import argparse
import time
import types

import numpy as np

from morphgen.model.synthetic import synthetic_model
from morphgen.render import renderer as renderer_module
from morphgen.render.renderer import Renderer
from morphgen.sampling.illumination import directional_sh, frontal_sh
from morphgen.scene import CameraParams, Illumination, SceneParams


def scenes(model, identities: int, images: int, size: int, seed: int = 0) -> list[SceneParams]:
    """Random scenes, images of one identity consecutive."""
    rng = np.random.default_rng(seed)
    ke = model.expression.n_components if model.expression is not None else 0
    kb = len(model.blendshapes.names) if model.blendshapes is not None else 0
    out = []
    for i in range(identities):
        shape = rng.normal(size=model.shape.n_components).astype(np.float32)
        color = rng.normal(size=model.color.n_components).astype(np.float32)
        for j in range(images):
            light = frontal_sh(0.5, 0.2) + directional_sh(
                rng.normal(size=3) * [1, 1, 0.3] + [0, 0, 1], [0.4, 0.4, 0.4]
            )
            out.append(
                SceneParams(
                    identity=i,
                    sample=j,
                    shape=shape,
                    color=color,
                    expression=rng.normal(size=ke).astype(np.float32),
                    blendshapes=rng.uniform(0, 0.3, size=kb).astype(np.float32),
                    yaw=float(rng.normal(0, 30)),
                    pitch=float(rng.normal(0, 10)),
                    roll=float(rng.normal(0, 5)),
                    camera=CameraParams(width=size, height=size),
                    illumination=Illumination(sh=light.astype(np.float32), specular_strength=0.2),
                    background={"kind": "gradient", "seed": int(rng.integers(1 << 30))},
                )
            )
    return out


def dressed(args: argparse.Namespace) -> tuple:
    """Model, renderer, warm-up and timed scenes of ``morphgen bench``'s config (or of
    ``args.config``, a YAML file, where given)."""
    from morphgen.bench.runner import BenchOptions, bench_config, bfm_sized_model, cache_dir
    from morphgen.run.build import build_renderer, load_model
    from morphgen.sampling.sampler import Sampler

    opts = BenchOptions(per_identity=args.images, config=getattr(args, "config", None))
    path = args.model or bfm_sized_model(cache_dir(opts))
    n = (args.identities + 1) * args.images
    cfg = bench_config(path, args.size, args.backend, n, opts)
    model = load_model(cfg).model
    sampler = Sampler(cfg, model)
    drawn = [sampler.scene(i, j) for i, j in sampler.plan()]
    renderer = build_renderer(model, cfg, args.backend)
    return model, renderer, drawn[: args.images], drawn[args.images :]


def capture_options(doc: str, identities: int, images: int) -> argparse.Namespace:
    """The options of the scripts that capture the cpu backend's dressed frames and draw
    them again (``draw_patterns.py``, ``raster_parts.py``), parsed; ``doc``: their docstring."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--model", help="model file (default: BFM-sized synthetic model)")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--identities", type=int, default=identities)
    ap.add_argument("--images", type=int, default=images, help="images per identity")
    ap.add_argument("--rounds", type=int, default=3)
    return ap.parse_args()


def render_dressed(args: argparse.Namespace) -> None:
    """Render ``dressed``'s timed scenes on the cpu backend (for a script that captures them)."""
    _, renderer, _, work = dressed(argparse.Namespace(backend="cpu", **vars(args)))
    renderer.render_many(work)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model file (default: BFM-sized synthetic model)")
    ap.add_argument("--backend", default="cpu")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--identities", type=int, default=8)
    ap.add_argument("--images", type=int, default=8, help="images per identity")
    ap.add_argument("--extras", nargs="*", default=[])
    ap.add_argument("--repeat", type=int, default=3, help="passes; each stage's best is shown")
    ap.add_argument("--dressed", action="store_true", help="the scenes of morphgen bench's config")
    ap.add_argument("--cpu-time", action="store_true", help="time thread CPU, not the wall")
    args = ap.parse_args()
    if args.cpu_time:  # the renderer's per-stage clock too
        renderer_module.time = types.SimpleNamespace(perf_counter=time.thread_time)
    clock = time.thread_time if args.cpu_time else time.perf_counter
    t = clock()
    if args.dressed:
        model, renderer, warm, work = dressed(args)
    else:
        if args.model:
            from morphgen.model.load import load_model

            model = load_model(args.model)
        else:
            model = synthetic_model()
        renderer = Renderer(model, args.backend, extras=args.extras)
        warm = scenes(model, 1, 2, args.size, seed=1)
        work = scenes(model, args.identities, args.images, args.size)
    print(f"model: {model.name}, {model.n_vertices} vertices, {model.n_triangles} triangles")
    renderer.render_many(warm)
    print(f"backend {renderer.backend_name}: start + first render {clock() - t:.2f} s")
    n = len(work)
    best: dict[str, float] = {}
    best_total = float("inf")
    for _ in range(args.repeat):  # each stage's best pass: other jobs on the cores add noise
        renderer.stage_seconds.clear()
        t = clock()
        renderer.render_many(work)
        best_total = min(best_total, clock() - t)
        for stage, seconds in renderer.stage_seconds.items():
            best[stage] = min(best.get(stage, float("inf")), seconds)
    for stage, seconds in best.items():
        print(f"  {stage:<11} {seconds / n * 1e3:7.2f} ms/image")
    print(f"  {'sum':<11} {sum(best.values()) / n * 1e3:7.2f} ms/image (best pass per stage)")
    print(f"  {'total':<11} {best_total / n * 1e3:7.2f} ms/image = {n / best_total:.1f} images/s")
    renderer.close()


if __name__ == "__main__":
    main()
