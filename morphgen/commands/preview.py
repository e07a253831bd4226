"""``morphgen preview DIR``: a contact sheet PNG of samples with their masks and landmarks."""

from __future__ import annotations

import argparse
from pathlib import Path

from morphgen.io.contact_sheet import write_contact_sheet
from morphgen.io.layout import PREVIEW


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``preview`` subcommand."""
    parser = sub.add_parser(
        "preview",
        help="write a contact sheet of samples with masks and landmarks",
        description="Draw the first N samples of a dataset: each image with its landmarks "
        "(visible: green dots, occluded: red crosses) beside its mask in the label set's "
        "colours.",
    )
    parser.add_argument("dir", metavar="DIR", help="dataset directory")
    parser.add_argument("-o", "--out", metavar="PNG", help="output file (default: DIR/preview.png)")
    parser.add_argument("-n", type=int, default=16, metavar="N", help="samples (default 16)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the sheet and print where it is."""
    out = Path(args.out) if args.out else Path(args.dir) / PREVIEW
    print(write_contact_sheet(args.dir, out, args.n))
    return 0
