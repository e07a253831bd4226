"""``--to celebamask-hq``: CelebAMask-HQ's layout, with its own part names.

``CelebA-HQ-img/<k>.<ext>``; binary per-part masks (255 on the part)
``CelebAMask-HQ-mask-anno/<k // 2000>/<k:05d>_<part>.png``; and the combined masks
``CelebAMask-HQ-mask/<k>.png`` in the order ``--labels`` names (celebamask or
celebamask_bisenet). Its preprocessing (face_parsing/Data_preprocessing/g_mask.py in
github.com/switchablenorms/CelebAMask-HQ) combines the parts in the list below, later
parts overwriting earlier ones; morphgen's parts never overlap. ``k`` is the sample's
position in the dataset; ``morphgen-index.txt`` maps it back to the sample key.
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
    require_mask,
    write_new,
)
from morphgen.export.relabel import relabel_table
from morphgen.io.atomic import write_bytes
from morphgen.io.encode import encode_mask
from morphgen.labelsets import get_set

# CelebAMask-HQ's part list, in g_mask.py's order (the combined id is position + 1).
PARTS = (
    "skin nose eye_g l_eye r_eye l_brow r_brow l_ear r_ear mouth u_lip l_lip hair hat "
    "ear_r neck_l neck cloth"
).split()
ORDERS = ("celebamask", "celebamask_bisenet")
IMAGES, ANNO, COMBINED = "CelebA-HQ-img", "CelebAMask-HQ-mask-anno", "CelebAMask-HQ-mask"


def target_set(options: ExportOptions) -> str:
    """The combined masks' order: ``--labels``, celebamask by default."""
    name = options.labels or "celebamask"
    if name not in ORDERS:
        raise MorphgenError(
            f"--labels {name}: celebamask-hq masks use CelebAMask-HQ's classes; "
            f"expected one of: {', '.join(ORDERS)}"
        )
    return name


def export(source: Source, out: Path, options: ExportOptions, progress: bool) -> dict[str, Any]:
    """Write images, per-part masks and combined masks; what it holds."""
    order = get_set(target_set(options))
    table = relabel_table(source.label_set, order.name)
    part_ids = {name: order.class_id(name) for name in PARTS}
    keys = []
    for k, sample in enumerate(source.samples(progress, "export celebamask-hq")):
        keys.append(f"{k} {sample['key']}")
        require_mask(sample)
        combined_path = out / COMBINED / f"{k}.png"
        if combined_path.is_file():
            continue
        rgb, mask = crop(sample, options)
        mask = table[mask]
        write_new(out / IMAGES / f"{k}.{options.image_format}", encode(rgb, options))
        for part, cid in part_ids.items():
            on = mask == cid
            if on.any():
                path = out / ANNO / str(k // 2000) / f"{k:05d}_{part}.png"
                write_new(path, encode_mask(on.astype(np.uint8) * 255))
        write_bytes(combined_path, encode_mask(mask))
    write_bytes(out / "morphgen-index.txt", ("\n".join(keys) + "\n").encode())
    return {"images": len(keys), "label_set": order.name, "parts": PARTS}


def readme(contents: dict[str, Any], out: Path) -> str:
    """What the folders hold."""
    return (
        "CelebAMask-HQ-layout export from morphgen (see export.json for source and options).\n"
        f"{contents['images']} images. {IMAGES}/<k>: images; {ANNO}/<k//2000>/<k:05d>_<part>"
        f".png: binary part masks; {COMBINED}/<k>.png: combined masks in the "
        f"{contents['label_set']} order. l_/r_ are the subject's left and right.\n"
        "morphgen-index.txt: k and the morphgen sample key.\n"
    )
