"""``morphgen model info|export``: inspect a morphable model and write meshes for a viewer."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from morphgen.errors import MorphgenError
from morphgen.labels import LABELS, NUM_LABELS


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``model`` and its subcommands."""
    parser = sub.add_parser(
        "model",
        help="inspect and export morphable models",
        description="Inspect a model (BFM 2009 .mat, BFM 2017/2019 or morphgen .h5; "
        "no PATH = the embedded default model) or export meshes of it as PLY.",
    )
    parser.set_defaults(func=lambda args: parser.print_help() or 1)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("path", nargs="?", metavar="PATH", help="model file (default: built-in)")
        p.add_argument("--regions", metavar="FILE", help="region file overriding the model's")
        p.add_argument("--landmarks", metavar="FILE", help="landmark file adding to the model's")
        return p

    info = add("info", "print sizes, components, units, landmarks, blendshapes and regions")
    info.set_defaults(func=run_info)
    export = add("export", "write the mean and sampled instances as coloured PLY meshes")
    export.add_argument("--mean", metavar="PLY", help="write the mean mesh here")
    export.add_argument("--samples", type=int, default=0, metavar="K", help="sampled instances")
    export.add_argument("--out-dir", default=".", metavar="DIR", help="folder for the samples")
    export.add_argument("--seed", type=int, default=0, metavar="S", help="sampling seed")
    export.add_argument(
        "--scale", type=float, default=1.0, metavar="X", help="coefficient spread (1.0 = model's)"
    )
    export.add_argument("--ascii", action="store_true", help="ASCII PLY instead of binary")
    export.set_defaults(func=run_export)


def _load(args: argparse.Namespace):
    from morphgen.model.load import load_model

    return load_model(args.path, regions=args.regions, landmarks=args.landmarks)


def _names_summary(names: list[str], limit: int = 8) -> str:
    """``ibug01..ibug68`` collapsed, then the other names (at most ``limit`` shown)."""
    ibug = [n for n in names if n.startswith("ibug") and n[4:].isdigit()]
    rest = [n for n in names if n not in ibug]
    parts = [f"{ibug[0]}..{ibug[-1]} ({len(ibug)})"] if ibug else []
    parts += rest[:limit] + ([f"... {len(rest) - limit} more"] if len(rest) > limit else [])
    return ", ".join(parts)


def _spectrum(comp, n_vertices: int, part: str) -> str:
    """Component count, the spread they hold and how many hold 90 % of it."""
    variance = np.maximum(comp.variance.astype(np.float64), 0.0)
    total = float(variance.sum())
    if total == 0.0:
        return f"{comp.n_components} components (no variation)"
    # unit basis columns over N vertices: the per-vertex RMS offset is sqrt(sum(var) / N)
    unit = "RGB" if part == "color" else "mm"
    rms = np.sqrt(total / n_vertices)
    k90 = int(np.searchsorted(np.cumsum(variance) / total, 0.9)) + 1
    return (
        f"{comp.n_components} components, {rms:.3g} {unit} RMS per vertex in all, "
        f"90% of the variance in the first {k90}, first mode {100 * variance[0] / total:.0f}%"
    )


def describe(model) -> str:
    """The text ``morphgen model info`` prints."""
    lines = [
        f"model:       {model.name}",
        f"source:      {model.source}",
        f"vertices:    {model.n_vertices}",
        f"triangles:   {model.n_triangles}",
        f"units:       {model.units} (colour: linear RGB in [0, 1])",
    ]
    for part in ("shape", "color", "expression"):
        comp = getattr(model, part)
        text = "none" if comp is None else _spectrum(comp, model.n_vertices, part)
        lines.append(f"{part + ':':12s} {text}")
    shapes = model.blendshapes
    if shapes is None:
        lines.append("blendshapes: none")
    else:
        lines.append(f"blendshapes: {len(shapes.names)}: {_names_summary(shapes.names, 12)}")
    names = list(model.landmarks)
    marks = _names_summary(names) if names else "none"
    lines.append(f"landmarks:   {len(names)}: {marks}")
    if model.regions is None:
        lines.append("regions:     none: every vertex is skin")
    else:
        counts = np.bincount(model.regions, minlength=NUM_LABELS)
        found = [f"{label.name} {counts[label.id]}" for label in LABELS if counts[label.id]]
        lines.append(f"regions:     {', '.join(found)}")
    return "\n".join(lines)


def run_info(args: argparse.Namespace) -> int:
    """Print the model's description, and a warning on stderr when it has no regions."""
    model = _load(args)
    print(describe(model))
    if model.regions is None:
        print(
            "morphgen: warning: the model has no regions and no iBUG-68 landmarks to derive "
            "them from, so masks will show skin only; give --regions FILE or --landmarks FILE "
            "(config: model.regions / model.landmarks)",
            file=sys.stderr,
        )
    return 0


def write_ply(
    path: Path,
    vertices: np.ndarray,
    colors: np.ndarray,
    triangles: np.ndarray,
    ascii: bool = False,
) -> None:
    """A PLY (binary little-endian or ASCII) with float xyz, 8-bit sRGB colours, triangles."""
    from morphgen.render.compose import linear_to_srgb

    vert = np.empty(len(vertices), dtype=[("p", "<f4", 3), ("c", "u1", 3)])  # packed, 15 bytes
    vert["p"] = vertices
    vert["c"] = np.round(linear_to_srgb(colors) * 255.0).astype(np.uint8)
    faces = np.empty(len(triangles), dtype=[("n", "u1"), ("v", "<i4", 3)])
    faces["n"] = 3
    faces["v"] = triangles
    header = (
        f"ply\nformat {'ascii' if ascii else 'binary_little_endian'} 1.0\n"
        "comment written by morphgen\n"
        f"element vertex {len(vertices)}\n"
        "property float x\nproperty float y\nproperty float z\n"
        "property uchar red\nproperty uchar green\nproperty uchar blue\n"
        f"element face {len(triangles)}\nproperty list uchar int vertex_indices\nend_header\n"
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(header.encode("ascii"))
            if ascii:
                np.savetxt(fh, np.c_[vert["p"], vert["c"]], fmt=["%.6g"] * 3 + ["%d"] * 3)
                np.savetxt(fh, np.c_[faces["n"], faces["v"]], fmt="%d")
            else:
                fh.write(vert.tobytes())
                fh.write(faces.tobytes())
    except OSError as exc:
        raise MorphgenError(f"{path}: cannot write the mesh ({exc.strerror})") from None


def run_export(args: argparse.Namespace) -> int:
    """Write the mean and ``--samples`` random identities (shape and colour) as PLY."""
    if args.samples < 0 or not (np.isfinite(args.scale) and args.scale >= 0):
        raise MorphgenError(
            f"model export: --samples {args.samples} --scale {args.scale}: "
            "expected K >= 0 and a finite scale >= 0"
        )
    if not args.mean and args.samples == 0:
        raise MorphgenError("model export: give --mean FILE.ply and/or --samples K (K > 0)")
    model = _load(args)
    if args.mean:
        colors = model.color.mean.reshape(-1, 3)
        write_ply(Path(args.mean), model.mean_vertices(), colors, model.triangles, args.ascii)
        print(f"wrote {args.mean}")
    if args.samples > 0:
        rng = np.random.default_rng(args.seed)
        shape = args.scale * rng.standard_normal((args.samples, model.shape.n_components))
        color = args.scale * rng.standard_normal((args.samples, model.color.n_components))
        vertices = model.shape_instance(shape)
        colors = model.color_instance(color)
        for i in range(args.samples):
            out = Path(args.out_dir) / f"sample_{i:03d}.ply"
            write_ply(out, vertices[i], colors[i], model.triangles, args.ascii)
            print(f"wrote {out}")
    return 0
