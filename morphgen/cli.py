"""The ``morphgen`` command line: one subcommand module per job under ``morphgen.commands``."""

from __future__ import annotations

import argparse
import importlib
import sys

from morphgen import __version__
from morphgen.errors import MorphgenError

# Each module defines ``register(subparsers)``, adding its subcommand(s) with a
# ``func(args) -> int`` default. Order is the order shown in ``morphgen --help``.
COMMAND_MODULES = (
    "morphgen.commands.config",
    "morphgen.commands.generate",
    "morphgen.commands.verify",
    "morphgen.commands.export",
    "morphgen.commands.preview",
    "morphgen.commands.model",
    "morphgen.commands.labels",
    "morphgen.commands.stats",
    "morphgen.commands.compare",
    "morphgen.commands.fit",
    "morphgen.commands.realism",
    "morphgen.commands.render",
    "morphgen.commands.bench",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="morphgen", description="Synthetic face datasets from 3D morphable models."
    )
    parser.add_argument("--version", action="version", version=f"morphgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a subcommand, turning user errors into one clear line and exit 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except MorphgenError as exc:
        print(f"morphgen: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("morphgen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
