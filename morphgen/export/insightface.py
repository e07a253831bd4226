"""``--to insightface``: ``train.rec``, ``train.idx`` and ``property``, as arcface_torch reads.

Records (InsightFace's MXFaceDataset, recognition/arcface_torch/dataset.py, reads record 0
and, when its flag > 0, takes images 1 .. label[0] - 1): record 0 has the label
(N + 1, N + 1 + C) for N images and C identities; records 1..N are the images with the
identity index as label; records N + 1 .. N + C give each identity's image range
[first, end). ``property`` is "C,H,W". With ``--val-pairs K`` the last
``--val-identities`` identities are held out of training and written as ``val.bin`` in
arcface_torch's verification format: a pickle of (list of encoded images, list of K
"same identity" bools), the images pairwise.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np

from morphgen.errors import MorphgenError
from morphgen.export.job import ExportOptions, Source, crop, encode, write_new
from morphgen.export.recordio import IndexedWriter, pack
from morphgen.io.atomic import atomic_file, write_bytes

VAL_NAME = "val"


def _held_out(identities: list[int], options: ExportOptions) -> set[int]:
    if not options.val_pairs:
        return set()
    n = options.val_identities or max(2, len(identities) // 20)
    if n >= len(identities):
        raise MorphgenError(
            f"--val-identities {n}: the dataset has only {len(identities)} identities; "
            "hold out fewer so some remain for training"
        )
    return set(identities[-n:])


def _pairs(groups: dict[int, list[int]], k: int, seed: int) -> list[tuple[int, int, bool]]:
    """``k`` pairs (half same identity, half different) of held-out image indices."""
    rng = np.random.default_rng(seed)
    ids = sorted(groups)
    multi = [i for i in ids if len(groups[i]) >= 2]
    if not multi:
        raise MorphgenError("--val-pairs: no held-out identity has 2 images for a same pair")
    out = []
    for n in range(k):
        if n % 2 == 0:
            ident = multi[rng.integers(len(multi))]
            a, b = rng.choice(groups[ident], 2, replace=False)
            out.append((int(a), int(b), True))
        else:
            x, y = rng.choice(len(ids), 2, replace=False)
            a, b = rng.choice(groups[ids[x]]), rng.choice(groups[ids[y]])
            out.append((int(a), int(b), False))
    return out


def export(source: Source, out: Path, options: ExportOptions, progress: bool) -> dict[str, Any]:
    """Write the RecordIO set (and the verification pairs); what it holds."""
    manifest_ids = sorted(
        {i for e in source.dataset.shards for i in range(e.identities[0], e.identities[1] + 1)}
    )
    held = _held_out(manifest_ids, options)
    classes = {ident: n for n, ident in enumerate(i for i in manifest_ids if i not in held)}
    ranges: dict[int, list[int]] = {}
    val_images: list[bytes] = []
    val_groups: dict[int, list[int]] = {}
    shape = None
    with atomic_file(out / "train.rec") as rec, atomic_file(out / "train.idx") as idx:
        writer = IndexedWriter(rec, idx)
        # record 0 needs the image count: write a placeholder of the same size, fill it last
        writer.write(0, pack([0.0, 0.0], b""))
        index = 1
        for sample in source.samples(progress, "export insightface"):
            rgb, _ = crop(sample, options)
            shape = shape or rgb.shape
            if rgb.shape != shape:
                raise MorphgenError(
                    f"{sample['key']}: image is {rgb.shape[1]}x{rgb.shape[0]}, earlier ones "
                    f"{shape[1]}x{shape[0]}; RecordIO needs one size (use --align arcface112)"
                )
            data = encode(rgb, options)
            if sample["identity"] in held:
                val_groups.setdefault(sample["identity"], []).append(len(val_images))
                val_images.append(data)
                continue
            label = classes[sample["identity"]]
            ranges.setdefault(label, [index, index])[1] = index + 1
            writer.write(index, pack(float(label), data, index))
            index += 1
        images = index - 1
        for label in range(len(classes)):
            first, end = ranges.get(label, [index, index])
            writer.write(images + 1 + label, pack([float(first), float(end)], b""))
        header = pack([float(images + 1), float(images + 1 + len(classes))], b"")
        rec.seek(8)
        rec.write(header)
    height, width = (shape or (options.size, options.size))[:2]
    write_bytes(out / "property", f"{len(classes)},{height},{width}\n".encode())
    contents: dict[str, Any] = {
        "files": ["train.rec", "train.idx", "property"],
        "images": images,
        "classes": len(classes),
        "image_size": [height, width],
    }
    if options.val_pairs:
        pairs = _pairs(val_groups, options.val_pairs, source.dataset.manifest.seed)
        bins = [val_images[i] for a, b, _ in pairs for i in (a, b)]
        issame = [same for _, _, same in pairs]
        write_new(out / f"{VAL_NAME}.bin", pickle.dumps((bins, issame), protocol=4))
        contents["files"].append(f"{VAL_NAME}.bin")
        contents["val"] = {
            "pairs": len(pairs),
            "same": sum(issame),
            "identities_held_out": sorted(held),
        }
    return contents


def readme(contents: dict[str, Any], out: Path) -> str:
    """How to train on it with arcface_torch."""
    lines = [
        "InsightFace RecordIO export from morphgen (see export.json for its source and options).",
        f"{contents['images']} images of {contents['classes']} identities, "
        f"{contents['image_size'][1]}x{contents['image_size'][0]}.",
        "",
        "arcface_torch config:",
        f'  config.rec = "{out.resolve()}"',
        f"  config.num_classes = {contents['classes']}",
        f"  config.num_image = {contents['images']}",
    ]
    if "val" in contents:
        lines.append(f'  config.val_targets = ["{VAL_NAME}"]')
    return "\n".join(lines) + "\n"
