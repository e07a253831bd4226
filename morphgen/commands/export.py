"""``morphgen export DATASET --to FORMAT --out DIR``: re-lay a finished dataset for training."""

from __future__ import annotations

import argparse

from morphgen.export import FORMATS, format_defaults, run_export
from morphgen.export.align import ALIGNMENTS
from morphgen.export.job import ExportOptions
from morphgen.labelsets import SETS


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``export`` subcommand."""
    parser = sub.add_parser(
        "export",
        help="write a finished dataset as InsightFace RecordIO, ImageFolder, CelebAMask-HQ or "
        "LaPa, without rendering again",
        description="Turn a dataset written by `morphgen generate` into another layout. A "
        "rerun with the same options into the same --out resumes; export.json records the "
        "source, the options and the label side convention.",
    )
    parser.add_argument("dataset", metavar="DATASET", help="dataset directory")
    parser.add_argument("--to", required=True, choices=list(FORMATS), help="target layout")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--align",
        choices=ALIGNMENTS,
        help="arcface112: similarity warp of the 5 ArcFace points to InsightFace's template "
        "(default for insightface, imagefolder); none: images as rendered (default for "
        "celebamask-hq, lapa)",
    )
    parser.add_argument("--size", type=int, default=112, help="aligned crop size (default 112)")
    parser.add_argument(
        "--labels",
        choices=list(SETS),
        metavar="SET",
        help="remap masks to this label set (celebamask-hq: celebamask or celebamask_bisenet, "
        "the combined masks' order; lapa: any set, default lapa)",
    )
    parser.add_argument(
        "--image-format", choices=("png", "jpg"), help="default: jpg, png for imagefolder"
    )
    parser.add_argument("--quality", type=int, default=95, help="JPEG quality (default 95)")
    parser.add_argument(
        "--val-pairs",
        type=int,
        default=0,
        metavar="K",
        help="insightface: also write val.bin, K verification pairs from held-out identities",
    )
    parser.add_argument(
        "--val-identities",
        type=int,
        default=0,
        metavar="N",
        help="identities held out for --val-pairs (default: 5%%, at least 2)",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an earlier export in --out"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the export and say where it went."""
    align, image_format = format_defaults(args.to)
    options = ExportOptions(
        to=args.to,
        align=args.align or align,
        size=args.size,
        labels=args.labels,
        image_format=args.image_format or image_format,
        quality=args.quality,
        val_pairs=args.val_pairs,
        val_identities=args.val_identities,
    )
    record = run_export(args.dataset, args.out, options, args.overwrite, not args.no_progress)
    print(f"exported {record['images']} images to {args.out} ({args.to}); see export.json")
    return 0
