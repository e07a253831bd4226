"""``morphgen render --out DIR``: render one image with all its labels into a folder."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from morphgen.config.schema import BACKENDS, EXTRAS
from morphgen.errors import MorphgenError
from morphgen.scene import SceneParams


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``render`` subcommand."""
    parser = sub.add_parser(
        "render",
        help="render one image with its mask, depth, landmarks and metadata",
        description="Render one scene into DIR: rgb.png, mask.png (label colours), "
        "mask_ids.png (raw label ids), depth.png (uint16, 0.1 mm units, 0 = background), "
        "depth.npy (float32 mm), landmarks.json and metadata.json. The scene comes from "
        "--params (a SceneParams JSON, e.g. the params of a metadata.json), from "
        "--config with --identity/--sample, or from --random-seed with the default config.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--params", metavar="JSON", help="scene parameters (JSON file)")
    source.add_argument("--config", metavar="FILE", help="YAML config to sample the scene from")
    source.add_argument(
        "--random-seed", type=int, metavar="N", help="sample a scene of the default config, seed N"
    )
    parser.add_argument("--identity", type=int, default=0, metavar="I", help="with --config")
    parser.add_argument("--sample", type=int, default=0, metavar="J", help="with --config")
    parser.add_argument("--model", metavar="PATH", help="model file (default: the built-in)")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")
    parser.add_argument("--backend", default=None, choices=BACKENDS)
    parser.add_argument("--extras", nargs="*", default=[], choices=EXTRAS, help="extra maps")
    parser.set_defaults(func=run)


def _no_constant(name: str) -> float:
    """JSON's NaN and Infinity, refused."""
    raise ValueError(f"{name} is not a finite number")


def _finite(text: str) -> float:
    """A JSON number, refused when it overflows to infinity."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def check_image_size(params: SceneParams, path: Path) -> None:
    """The camera.width/height limits of a config, for scene parameters read from a file."""
    from morphgen.config.schema import MAX_IMAGE_SIZE, MIN_IMAGE_SIZE

    for key in ("width", "height"):
        value = getattr(params.camera, key)
        if not MIN_IMAGE_SIZE <= value <= MAX_IMAGE_SIZE:
            raise MorphgenError(
                f"{path}: camera.{key} {value}: expected {MIN_IMAGE_SIZE}..{MAX_IMAGE_SIZE} pixels"
            )


def _scene(args: argparse.Namespace):
    """(SceneParams, config, model) for the command line's scene source."""
    from morphgen.config import load_config
    from morphgen.config.schema import Config
    from morphgen.run.build import load_model
    from morphgen.sampling.sampler import Sampler

    if args.params:
        path = Path(args.params)
        try:
            data = json.loads(path.read_text(), parse_constant=_no_constant, parse_float=_finite)
        except (OSError, ValueError) as exc:
            raise MorphgenError(f"{path}: cannot read scene parameters ({exc})") from exc
        if isinstance(data, dict):
            data = data.get("params", data)  # a metadata.json holds them under "params"
        if not isinstance(data, dict):
            raise MorphgenError(f"{path}: expected a JSON object of scene parameters")
        try:
            params = SceneParams.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise MorphgenError(f"{path}: not a SceneParams JSON ({exc})") from exc
        check_image_size(params, path)
        # scene parameters from a file: the default outputs and labels, at the scene's size
        size = {"width": params.camera.width, "height": params.camera.height}
        config = Config(camera=Config().camera.model_copy(update=size))
        return params, config, load_model(config, args.model).model
    config = load_config(args.config) if args.config else Config(seed=args.random_seed or 0)
    model = load_model(config, args.model).model
    sampler = Sampler(config, model)
    if not 0 <= args.identity < sampler.num_identities:
        raise MorphgenError(
            f"--identity {args.identity}: the config has identities 0..{sampler.num_identities - 1}"
        )
    if not 0 <= args.sample < sampler.images_for(args.identity):
        raise MorphgenError(
            f"--sample {args.sample}: identity {args.identity} has samples "
            f"0..{sampler.images_for(args.identity) - 1}"
        )
    return sampler.scene(args.identity, args.sample), config, model


def run(args: argparse.Namespace) -> int:
    """Render and write the files; print the folder."""
    from PIL import Image

    from morphgen.io.encode import DEPTH_PNG_UNIT_MM, encode_depth_png16
    from morphgen.labelsets import palette
    from morphgen.run.build import build_renderer

    params, config, model = _scene(args)
    backend = args.backend or config.render.backend
    # every label is written here, whatever the config's output section switches off
    output = config.output.model_copy(update={"mask": True, "depth": "npy"})
    config = config.model_copy(update={"output": output})
    renderer = build_renderer(model, config, backend, extras=tuple(args.extras))
    try:
        sample = renderer.render(params)
    finally:
        renderer.close()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sample.rgb).save(out / "rgb.png")
    mask = Image.fromarray(sample.mask)
    mask.save(out / "mask_ids.png")
    mask.putpalette(palette(config.output.labels))
    mask.save(out / "mask.png")
    (out / "depth.png").write_bytes(encode_depth_png16(sample.depth))
    np.save(out / "depth.npy", sample.depth)
    for name, image in sample.extras.items():
        Image.fromarray(image).save(out / f"{name}.png")
    meta = sample.metadata()
    meta["depth_png_unit_mm"] = DEPTH_PNG_UNIT_MM
    (out / "landmarks.json").write_text(
        json.dumps({"landmarks": meta["landmarks"], "arcface5": meta.get("arcface5")}, indent=1)
    )
    (out / "metadata.json").write_text(json.dumps(meta, indent=1))
    print(out)
    return 0
