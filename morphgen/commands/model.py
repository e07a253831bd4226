"""``morphgen model ...``: inspect and export morphable models."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``model`` and its subcommands."""
    parser = sub.add_parser("model", help="inspect and export morphable models")
    parser.set_defaults(func=lambda args: parser.print_help() or 1)
