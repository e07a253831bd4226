"""``morphgen config check|show FILE``: validate a config, or print it fully defaulted."""

from __future__ import annotations

import argparse

from morphgen.config import load_config
from morphgen.errors import ConfigError
from morphgen.sampling.sampler import count_background_images


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``config`` with its ``check`` and ``show`` subcommands."""
    parser = sub.add_parser(
        "config",
        help="validate a YAML config or print it with every default filled in",
        description="Validate a YAML config (every problem listed with its line and key path) "
        "or print the merged, fully defaulted config.",
    )
    parser.set_defaults(func=lambda args: parser.print_help() or 1)
    actions = parser.add_subparsers(dest="config_command", metavar="ACTION")
    check = actions.add_parser("check", help="validate a config; exit 2 listing the problems")
    check.add_argument("file", help="YAML config file")
    check.set_defaults(func=run_check)
    show = actions.add_parser("show", help="print the merged, fully defaulted config as YAML")
    show.add_argument("file", help="YAML config file")
    show.set_defaults(func=run_show)


def run_check(args: argparse.Namespace) -> int:
    """Validate ``args.file``: print a one-line summary or raise ``ConfigError``."""
    cfg = load_config(args.file)
    bg = cfg.background
    if bg.directory is not None and bg.image_probability > 0:
        try:
            count_background_images(bg.directory, read_headers=True)
        except ConfigError as exc:
            raise ConfigError(f"{args.file}: {exc}") from None
    ids = cfg.identities
    images = ids.images_per_identity
    if images == "grid":
        per = "one image per grid point"
    elif images.dist == "constant":
        per = f"{images.value:g} images each"
    else:
        per = f"images per identity: {images.dist}"
    print(f"{args.file}: OK ({ids.count} identities, {per}, seed {cfg.seed})")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print the fully defaulted config."""
    print(load_config(args.file).dump_yaml(), end="")
    return 0
