"""``morphgen realism DIR``: how dlib's face pipeline, trained on real photos, sees a dataset."""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from morphgen.errors import MorphgenError
from morphgen.gaps import face_pipeline
from morphgen.gaps.realism import evaluate, summarise, terminal_text, write_realism
from morphgen.gaps.report import report_dir_beside
from morphgen.io.readers import open_dataset


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``realism`` subcommand."""
    parser = sub.add_parser(
        "realism",
        help="realism report: detection, landmarks and identity by dlib's face pipeline",
        description="Run dlib's face pipeline (HOG detector, 68-point shape predictor, ResNet "
        "descriptors; trained on real photos) on a dataset and report the detection rate by "
        "yaw, landmark NME against the dataset's landmarks, verification AUC, confusable "
        "identity pairs and rank-1 identification, in the terminal and as an HTML page. "
        f"Needs the optional extra: {face_pipeline.INSTALL}.",
    )
    parser.add_argument("dataset", metavar="DIR", help="a morphgen dataset directory")
    parser.add_argument(
        "-o",
        "--out",
        metavar="REPORT_DIR",
        help="report directory (default: DIR_realism next to DIR)",
    )
    parser.add_argument(
        "--max-images",
        type=int,
        metavar="N",
        help="only the first N images in dataset order (identity by identity)",
    )
    parser.add_argument(
        "--upsample",
        type=int,
        default=1,
        metavar="K",
        help="upsample the image K times before HOG detection (default 1: finds faces down "
        "to about 40 px; 0 is faster and needs about 80 px)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the inputs, run the pipeline, write the report and print its numbers."""
    if args.max_images is not None and args.max_images < 2:
        raise MorphgenError(f"--max-images must be at least 2 (got {args.max_images})")
    if args.upsample < 0:
        raise MorphgenError(f"--upsample must be 0 or more (got {args.upsample})")
    directory = Path(args.dataset)
    if not directory.is_dir():
        raise MorphgenError(f"{directory}: no such dataset directory")
    dataset = open_dataset(directory)
    identities = {i for e in dataset.shards for i in range(e.identities[0], e.identities[1] + 1)}
    if len(identities) < 2:
        raise MorphgenError(
            f"{directory}: {len(identities)} identit{'y' if len(identities) == 1 else 'ies'} "
            "in its finished shards; the verification metrics need at least 2"
        )
    face_pipeline.require()  # a clear error before any work when the extra is missing
    pipeline = face_pipeline.load_pipeline(args.upsample)
    total = len(dataset) if args.max_images is None else min(len(dataset), args.max_images)
    samples = itertools.islice(iter(dataset), total)
    ev = evaluate(samples, pipeline, total=total, progress=not args.quiet)
    try:
        summary = summarise(ev, str(directory), args.upsample)
    except MorphgenError as exc:
        hint = " (raise --max-images)" if args.max_images is not None else ""
        raise MorphgenError(f"{directory}: {exc}{hint}") from None
    out = Path(args.out) if args.out else report_dir_beside(directory, "realism")
    index = write_realism(ev, summary, out)
    print(
        f"realism of {directory}: {summary['images']} images, {summary['identities']} "
        f"identities; dlib HOG (upsample {args.upsample}) + 68 points + ResNet descriptors"
    )
    print(terminal_text(summary))
    print(f"report: {index}\njson:   {out / 'realism.json'}\ncsv:    {out / 'images.csv'}")
    return 0
