"""``morphgen export``: a finished dataset in a training framework's layout, without rendering.

One module per target format, each with ``export(source, out, options, progress)``
returning what it wrote and ``readme(contents, out)``; ``run_export`` does the common part
(open the source, claim the output directory, write export.json and README.txt).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from morphgen.errors import MorphgenError
from morphgen.export.align import ALIGNMENTS
from morphgen.export.job import ExportOptions, OutputDir, Source
from morphgen.labelsets import get_set

# format name -> (module, default alignment, default image format)
FORMATS: dict[str, tuple[str, str, str]] = {
    "insightface": ("morphgen.export.insightface", "arcface112", "jpg"),
    "imagefolder": ("morphgen.export.imagefolder", "arcface112", "png"),
    "celebamask-hq": ("morphgen.export.celebamask", "none", "jpg"),
    "lapa": ("morphgen.export.lapa", "none", "jpg"),
}


def format_defaults(to: str) -> tuple[str, str]:
    """(alignment, image format) a format uses unless told otherwise."""
    if to not in FORMATS:
        raise MorphgenError(f"unknown export format {to!r}; expected one of: {', '.join(FORMATS)}")
    return FORMATS[to][1], FORMATS[to][2]


def _check(options: ExportOptions) -> None:
    format_defaults(options.to)
    if options.align not in ALIGNMENTS:
        raise MorphgenError(f"--align {options.align}: expected one of {', '.join(ALIGNMENTS)}")
    if options.size < 16:
        raise MorphgenError(f"--size {options.size}: expected at least 16 pixels")
    if options.image_format not in ("png", "jpg"):
        raise MorphgenError(f"--image-format {options.image_format}: expected png or jpg")
    if options.labels is not None:
        get_set(options.labels)
        if options.to in ("insightface", "imagefolder"):
            raise MorphgenError(f"--labels: the {options.to} format writes no masks")
    if options.val_pairs and options.to != "insightface":
        raise MorphgenError("--val-pairs: only the insightface format writes verification pairs")
    if options.val_pairs < 0 or options.val_identities < 0:
        raise MorphgenError("--val-pairs and --val-identities must not be negative")
    if 0 < options.val_pairs < 10:  # arcface_torch's verification runs 10-fold
        raise MorphgenError(f"--val-pairs {options.val_pairs}: expected at least 10 pairs")
    if options.val_identities == 1:
        raise MorphgenError("--val-identities 1: different-identity pairs need at least 2")


def run_export(
    dataset: str | Path, out: str | Path, options: ExportOptions, overwrite: bool, progress: bool
) -> dict[str, Any]:
    """Export ``dataset`` into ``out``; the contents recorded in export.json."""
    _check(options)
    source = Source(Path(dataset))
    target = OutputDir(Path(out), options, source, overwrite)
    module = importlib.import_module(FORMATS[options.to][0])
    contents = module.export(source, target.path, options, progress)
    labels = contents.get("label_set")
    if labels:
        s = get_set(labels)
        contents["side"] = {
            "convention": s.side,
            "verified": s.side_verified,
            "evidence": s.evidence,
        }
    target.finish(contents, module.readme(contents, target.path))
    return target.record
