"""``morphgen verify DIR``: check every shard against the manifest; exit 1 on any problem."""

from __future__ import annotations

import argparse

from morphgen.io.readers import open_dataset
from morphgen.io.verify import dataset_problems


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``verify`` subcommand."""
    parser = sub.add_parser(
        "verify",
        help="check a dataset against its manifest (sha256, counts, label ids, metadata)",
        description="Check that every shard listed in DIR/manifest.json exists, reads, has "
        "the listed sha256, sample count and identities, masks with valid label ids only "
        "and complete metadata. Prints each problem; exit 0 when there is none, 1 otherwise.",
    )
    parser.add_argument("dir", metavar="DIR", help="dataset directory")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print every problem (or a one-line OK) and return 1 if there was any."""
    ds = open_dataset(args.dir)
    problems = 0
    for problem in dataset_problems(ds):
        print(problem)
        problems += 1
    if problems:
        print(f"{args.dir}: {problems} problem{'s' * (problems != 1)} found")
        return 1
    print(f"{args.dir}: OK ({len(ds.shards)} shards, {len(ds)} samples verified)")
    return 0
