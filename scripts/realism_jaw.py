"""Whether dlib's jaw points follow the face silhouette: ``python scripts/realism_jaw.py DIR``.

For each image of a dataset (``morphgen generate``) that dlib's HOG detector finds (as
``morphgen realism`` matches them), the 68-point NME (by the outer eye corners' distance)
of our iBUG 68 against dlib's; again with our jaw points (iBUG 1-8 and 10-17) moved
along their image row out to the face's silhouette in the mask where they lie inside it;
and with only the hidden ones moved (``visible`` false in the metadata: on a turned face,
the far side's jaw vertices behind the cheek, which 300-W's annotators put on the
silhouette). Needs the ``eval`` extra.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from morphgen.gaps import face_pipeline
from morphgen.gaps.realism import MATCH_IOU, box_iou, face_box, ibug68
from morphgen.io.readers import open_dataset
from morphgen.labels import LABEL_IDS
from morphgen.render.landmarks import IBUG_NAMES

FACE = ("skin", "nose", "left_eye", "right_eye", "left_brow", "right_brow", "upper_lip",
        "lower_lip", "inner_mouth", "teeth", "beard")  # fmt: skip


def snapped_jaw(ours: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``ours`` with jaw points 1-8 moved left, 10-17 right, to the face's edge in their row."""
    face = np.isin(mask, [LABEL_IDS[n] for n in FACE])
    out = ours.copy()
    for k in (*range(8), *range(9, 17)):
        cols = np.flatnonzero(face[int(np.clip(round(ours[k, 1]), 0, len(mask) - 1))])
        if len(cols):
            out[k, 0] = min(ours[k, 0], cols.min()) if k < 8 else max(ours[k, 0], cols.max() + 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    args = parser.parse_args()
    pipeline = face_pipeline.load_pipeline(1)
    plain, snapped, hidden = [], [], []
    for s in open_dataset(args.dataset):
        rgb, ours = np.asarray(s["rgb"]), ibug68(s["metadata"])
        detections = pipeline.detect(rgb)
        overlaps = [box_iou(face_box(ours), box) for box, _ in detections]
        if not detections or max(overlaps) < MATCH_IOU:
            continue
        theirs, _ = pipeline.analyse(rgb, detections[int(np.argmax(overlaps))][0])
        iod = np.linalg.norm(ours[36] - ours[45])
        moved = snapped_jaw(ours, np.asarray(s["mask"]))
        hid = ~visibility(s["metadata"])
        hid[17:] = False
        only_hidden = np.where(hid[:, None], moved, ours)
        for points, out in ((ours, plain), (moved, snapped), (only_hidden, hidden)):
            out.append(np.linalg.norm(theirs - points, axis=1).mean() / iod)
    print(f"{len(plain)} detected images: NME {np.mean(plain):.4f}, "
          f"with the jaw on the silhouette {np.mean(snapped):.4f}, "
          f"with only the hidden jaw points on it {np.mean(hidden):.4f}")  # fmt: skip


def visibility(metadata: dict) -> np.ndarray:
    """``(68,)`` visibility flags of our iBUG 68 landmarks."""
    flags = {p["name"]: bool(p["visible"]) for p in metadata["landmarks"]}
    return np.array([flags[n] for n in IBUG_NAMES])


if __name__ == "__main__":
    main()
