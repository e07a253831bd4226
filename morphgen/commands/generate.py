"""``morphgen generate --config FILE --out DIR``: render a config into identity-labelled shards."""

from __future__ import annotations

import argparse
from pathlib import Path

from morphgen.config import load_config
from morphgen.config.schema import BACKENDS
from morphgen.io.layout import PREVIEW


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``generate`` subcommand."""
    parser = sub.add_parser(
        "generate",
        help="generate a dataset from a config (resumes an interrupted run)",
        description="Render every image of a config and write shards plus manifest.json to "
        "DIR. Run the same command again after an interruption to finish the dataset; "
        "finished shards are kept.",
    )
    parser.add_argument("--config", required=True, metavar="FILE", help="YAML config file")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes (default: one per core; 1 renders in this process)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a dataset of a different config in DIR instead of refusing",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="render backend (overrides render.backend in the config)",
    )
    parser.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local worker processes (default) or a Dask cluster",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786); without it --executor dask starts "
        "a LocalCluster of --workers processes",
    )
    parser.add_argument(
        "--preview", action="store_true", help="also write DIR/preview.png (a contact sheet)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Generate, print the summary (and write the preview when asked)."""
    from morphgen.run.generate import generate

    config = load_config(args.config)
    summary = generate(
        config,
        Path(args.out),
        workers=args.workers,
        executor=args.executor,
        overwrite=args.overwrite,
        backend=args.backend,
        scheduler=args.scheduler,
        progress=not args.quiet,
    )
    print(summary)
    if args.preview:
        from morphgen.io.contact_sheet import write_contact_sheet

        sheet = write_contact_sheet(summary.out_dir, summary.out_dir / PREVIEW)
        print(f"preview: {sheet}")
    return 0
