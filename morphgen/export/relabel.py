"""Remap a dataset's masks from the label set they were written in to another set.

Exact from morphgen's own labels. From another set, a class is remapped when every
morphgen label that fed it lands in one class of the target set; a class that the
target splits (LaPa's skin holds the ears, which CelebAMask-HQ separates) is an error.
"""

from __future__ import annotations

import numpy as np

from morphgen.errors import MorphgenError
from morphgen.labels import LABELS
from morphgen.labelsets import get_set, remap_table


def relabel_table(source: str, target: str) -> np.ndarray:
    """(256,) uint8 lookup: ``table[mask_in_source]`` is the mask in ``target``'s ids."""
    if source == "morphgen" or source == target:
        return remap_table(target) if source == "morphgen" else np.arange(256, dtype=np.uint8)
    src, dst = get_set(source), get_set(target)
    table = np.zeros(256, dtype=np.uint8)
    for cid, name in src.classes:
        feeders = [label.name for label in LABELS if src.remap[label.name] == name]
        landing = sorted({dst.remap[f] for f in feeders})
        if len(landing) > 1:
            raise MorphgenError(
                f"cannot relabel {source} masks as {target}: {source}'s {name!r} holds "
                f"{', '.join(feeders)}, which {target} splits into {', '.join(landing)}; "
                f"generate with output.labels: morphgen (or {target}) instead"
            )
        table[cid] = dst.class_id(landing[0]) if landing else 0
    return table
