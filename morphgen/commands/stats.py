"""``morphgen stats DIR``: the attribute distributions of a dataset (or a CSV), as a report."""

from __future__ import annotations

import argparse
from pathlib import Path

from morphgen.gaps.report import write_stats
from morphgen.gaps.sources import load_source, save_csv


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``stats`` subcommand."""
    parser = sub.add_parser(
        "stats",
        help="attribute distributions of a dataset: JSON, histograms and an HTML page",
        description="Measure pose, expression, light, skin tone, face size, visible landmarks, "
        "mask class shares, images per identity and identity nearest-neighbour distances.",
    )
    parser.add_argument("source", metavar="DIR", help="a morphgen dataset directory or a CSV")
    parser.add_argument(
        "-o",
        "--out",
        metavar="REPORT_DIR",
        help="report directory (default: DIR_stats next to DIR)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the source, write the report, print where it is."""
    source = load_source(args.source)
    out = Path(args.out) if args.out else default_out(source.path, "stats")
    index = write_stats(source, out)
    print(f"{len(source.attributes)} attributes of {source.kind} {source.path}")
    print(f"report: {index}\njson:   {out / 'stats.json'}")
    if source.kind == "dataset":
        save_csv(out / "attributes.csv", source.attributes)
        print(f"csv:    {out / 'attributes.csv'} (one row per image; compare/fit read it)")
    return 0


def default_out(path: Path, name: str) -> Path:
    """Next to the source (never inside a dataset): ``out/demo`` -> ``out/demo_stats``."""
    path = path.resolve()
    return path.with_name(f"{path.stem if path.is_file() else path.name}_{name}")
