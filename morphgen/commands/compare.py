"""``morphgen compare A B``: per-attribute KL divergences between two sources, ranked."""

from __future__ import annotations

import argparse
from pathlib import Path

from morphgen.errors import MorphgenError
from morphgen.gaps.divergence import BINNING_TEXT, SMOOTHING_TEXT, compare
from morphgen.gaps.report import report_dir_beside, write_compare
from morphgen.gaps.sources import load_source


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``compare`` subcommand."""
    parser = sub.add_parser(
        "compare",
        help="KL divergence per attribute between two datasets or CSVs, most different first",
        description="A and B are each a morphgen dataset directory or a CSV of attributes "
        f"measured on real data (columns such as yaw, pitch, roll). Binning: {BINNING_TEXT}. "
        f"Smoothing: {SMOOTHING_TEXT}.",
    )
    parser.add_argument("a", metavar="A", help="dataset directory or CSV")
    parser.add_argument("b", metavar="B", help="dataset directory or CSV")
    parser.add_argument(
        "-o",
        "--out",
        metavar="DIR",
        help="report directory (default: A_vs_B next to A, never the working directory)",
    )
    parser.add_argument(
        "--bins", type=int, metavar="N", help="fixed number of bins instead of the rule"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load both sources, rank their divergences, print the table, write the report."""
    if args.bins is not None and args.bins < 1:
        raise MorphgenError(f"--bins must be a positive integer, got {args.bins}")
    a, b = load_source(args.a), load_source(args.b)
    divergences = compare(a.attributes, b.attributes, args.bins)
    if not divergences:
        raise MorphgenError(
            f"{a.path} and {b.path} share no attribute with values; "
            f"A has {', '.join(sorted(a.attributes))}; B has {', '.join(sorted(b.attributes))}"
        )
    print(
        f"A = {a.path}\nB = {b.path}\nKL in nats; binning: {BINNING_TEXT}; "
        f"smoothing: {SMOOTHING_TEXT}\n"
    )
    width = max(len(d.attribute) for d in divergences)
    print(f"{'attribute':<{width}}  {'KL(A||B)':>9}  {'KL(B||A)':>9}  {'noise':>7}  {'bins':>5}")
    for d in divergences:
        print(
            f"{d.attribute:<{width}}  {d.kl_ab:9.4f}  {d.kl_ba:9.4f}  {d.noise_floor:7.4f}  "
            f"{d.edges.size - 1:5d}"
        )
    print("noise: what two samples of one distribution would read, (bins-1)/2 (1/nA + 1/nB)")
    out = Path(args.out) if args.out else report_dir_beside(a.path, f"vs_{Path(b.name).stem}")
    index = write_compare(a, b, divergences, out)
    print(f"\nreport: {index.resolve()}")
    return 0
