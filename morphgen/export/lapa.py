"""``--to lapa``: LaPa's layout: ``images/``, ``labels/`` and ``landmarks/``.

Per sample (named by its key): ``images/<key>.<ext>``; ``labels/<key>.png`` with LaPa's
class ids (or another set's, with ``--labels``); ``landmarks/<key>.txt`` in LaPa's text
layout, the point count on the first line then one "x y" line per point. LaPa has 106
points; morphgen writes its 68 iBUG points, so a loader that expects 106 must be told.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from morphgen.errors import MorphgenError
from morphgen.export.job import (
    ExportOptions,
    Source,
    crop,
    encode,
    matrix_for,
    require_mask,
    write_new,
)
from morphgen.export.relabel import relabel_table
from morphgen.io.encode import encode_mask

IBUG = [f"ibug{i:02d}" for i in range(1, 69)]


def _points(sample: dict[str, Any], options: ExportOptions) -> np.ndarray:
    """The 68 iBUG points in the exported image's pixels."""
    named = {p["name"]: (p["x"], p["y"]) for p in (sample["metadata"] or {}).get("landmarks", [])}
    missing = [n for n in IBUG if n not in named]
    if missing:
        raise MorphgenError(
            f"{sample['key']}: the metadata lacks iBUG landmarks ({missing[0]}...); "
            "generate with output.landmarks: true and a model with the 68 iBUG points"
        )
    points = np.array([named[n] for n in IBUG], dtype=float)
    if options.align != "none":
        matrix = matrix_for(sample, options)
        points = points @ matrix[:, :2].T + matrix[:, 2]
    return points


def landmark_text(points: np.ndarray) -> str:
    """LaPa's landmark file: the count, then one "x y" line per point."""
    return f"{len(points)}\n" + "".join(f"{x:.3f} {y:.3f}\n" for x, y in points)


def export(source: Source, out: Path, options: ExportOptions, progress: bool) -> dict[str, Any]:
    """Write images, label maps and landmark files; what it holds."""
    target = options.labels or "lapa"
    table = relabel_table(source.label_set, target)
    for sample in source.samples(progress, "export lapa"):
        key = sample["key"]
        require_mask(sample)
        if (out / "landmarks" / f"{key}.txt").is_file():
            continue
        rgb, mask = crop(sample, options)
        write_new(out / "images" / f"{key}.{options.image_format}", encode(rgb, options))
        write_new(out / "labels" / f"{key}.png", encode_mask(table[mask]))
        points = landmark_text(_points(sample, options))
        write_new(out / "landmarks" / f"{key}.txt", points.encode())
    return {"images": source.count, "label_set": target, "landmarks": 68}


def readme(contents: dict[str, Any], out: Path) -> str:
    """What the folders hold."""
    return (
        "LaPa-layout export from morphgen (see export.json for source and options).\n"
        f"{contents['images']} images; labels/ in the {contents['label_set']} set's ids; "
        "landmarks/ hold 68 iBUG points (LaPa has 106).\n"
    )
