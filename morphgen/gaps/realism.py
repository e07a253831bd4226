"""The realism report: how a face pipeline trained on real photos (dlib's) sees a dataset.

Pure metric functions on arrays (testable without dlib), :func:`evaluate` that runs a
pipeline over a dataset's samples, :func:`summarise` that turns the per-image results into
the report's numbers, and :func:`write_realism` that writes JSON, CSV, charts and HTML.

Protocol (also stated in the report and the README):

- **Detection**: an image counts as detected when a HOG detection overlaps the face box
  from our landmarks with IoU >= ``MATCH_IOU``; other detections are false positives.
- **Landmarks**: dlib's 68 points, predicted in the matched detection's box, against our
  iBUG 68; NME is the mean point-to-point distance divided by the inter-ocular distance
  (our outer eye corners, iBUG 37 and 46). Headline NME: detected images only.
- **Descriptors** are computed for every image: in the detection's box when detected, else
  in the ground-truth face box from our landmarks (so identity metrics cover every image);
  the identity metrics are also given on the detected images alone.
- **Verification AUC**: ROC AUC of descriptor distance over all same-identity vs
  different-identity image pairs (Mann-Whitney U with average ranks for ties).
- **Confusable**: different-identity pairs closer than dlib's 0.6 threshold.
- **Rank-1**: gallery = the first image (lowest sample index) of every identity; probes =
  every other image; a probe is right when its nearest gallery image is its identity.
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image, ImageDraw
from tqdm import tqdm

from morphgen.errors import MorphgenError
from morphgen.gaps.face_pipeline import SAME_PERSON_THRESHOLD, Box
from morphgen.gaps.plot import BLUE, ORANGE, Series, histogram_chart, tile
from morphgen.gaps.report import html_card, html_grid, html_page
from morphgen.render.landmarks import IBUG_NAMES

MATCH_IOU = 0.3
BOOTSTRAP_ROUNDS = 2000  # identity resamples behind the confusable rate's 95% interval
YAW_BIN_DEG = 15.0
OUTER_EYE_CORNERS = (36, 45)  # iBUG 37 and 46, 0-based
INNER_POINTS = slice(17, 68)  # iBUG 18-68: brows, nose, eyes, mouth (no jaw contour)
# The ground-truth face box, calibrated to where dlib's HOG puts its box on our renders
# (configs/realism.yaml, 127 detections: a square 1.1 x the larger side of the 68 landmarks'
# bounding box, its centre 0.12 of the box height above the landmarks' centre).
BOX_SCALE = 1.1
BOX_SHIFT_UP = 0.12

PROTOCOL = (
    f"Detected = a HOG detection with IoU >= {MATCH_IOU} with the face box of our landmarks. "
    "NME = mean distance of dlib's 68 points to ours / our inter-ocular distance (outer eye "
    "corners, iBUG 37 and 46), on detected images. Descriptors for every image: in the "
    "detection's box, or in the face box from our landmarks when nothing was detected "
    "('all images'); 'detected only' repeats the identity metrics on detected images. "
    "AUC = ROC AUC of descriptor distance, same vs different identity, over all image pairs. "
    f"Confusable = different-identity pairs closer than {SAME_PERSON_THRESHOLD}, with a 95% "
    "interval from resampling the identities with replacement. Rank-1: "
    "gallery = each identity's first image, probes = all other images, nearest gallery image."
)


# --- metrics on arrays -------------------------------------------------------------------


def average_ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks of ``x``, ties sharing their average rank."""
    x = np.asarray(x, dtype=np.float64).ravel()
    order = np.argsort(x, kind="mergesort")
    _, first, counts = np.unique(x[order], return_index=True, return_counts=True)
    ranks = np.empty(x.size)
    ranks[order] = np.repeat(first + (counts + 1) / 2.0, counts)
    return ranks


def roc_auc(same: np.ndarray, different: np.ndarray) -> float:
    """ROC AUC of a distance: P(different-pair distance > same-pair distance), ties half."""
    same, different = np.ravel(same), np.ravel(different)
    n_s, n_d = same.size, different.size
    if n_s == 0 or n_d == 0:
        raise ValueError("AUC needs at least one same and one different pair")
    ranks = average_ranks(np.concatenate([same, different]))
    u = ranks[n_s:].sum() - n_d * (n_d + 1) / 2.0
    return float(u / (n_s * n_d))


def pairwise_distances(descriptors: np.ndarray) -> np.ndarray:
    """``(N, N)`` Euclidean distances between rows."""
    x = np.asarray(descriptors, dtype=np.float64)
    sq = (x * x).sum(axis=1)
    d2 = sq[:, None] + sq[None, :] - 2.0 * (x @ x.T)
    np.fill_diagonal(d2, 0.0)
    return np.sqrt(np.maximum(d2, 0.0))


def pair_split(dist: np.ndarray, identities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distances of all same-identity and all different-identity pairs (i < j)."""
    ids = np.asarray(identities)
    i, j = np.triu_indices(len(ids), k=1)
    same = ids[i] == ids[j]
    return dist[i[same], j[same]], dist[i[~same], j[~same]]


def below_rate(distances: np.ndarray, threshold: float = SAME_PERSON_THRESHOLD) -> float:
    """Share of distances strictly below ``threshold`` (NaN when there are none)."""
    d = np.ravel(distances)
    return float((d < threshold).mean()) if d.size else float("nan")


def rank1(dist: np.ndarray, identities: np.ndarray) -> tuple[float, int, int]:
    """(rank-1 rate, probes, gallery size): gallery = each identity's first row."""
    ids = np.asarray(identities)
    _, gallery = np.unique(ids, return_index=True)
    probes = np.setdiff1d(np.arange(len(ids)), gallery)
    if probes.size == 0:
        return float("nan"), 0, int(gallery.size)
    nearest = gallery[np.argmin(dist[np.ix_(probes, gallery)], axis=1)]
    return float((ids[nearest] == ids[probes]).mean()), int(probes.size), int(gallery.size)


def nme(predicted: np.ndarray, truth: np.ndarray, points: slice | None = None) -> np.ndarray:
    """Per-image NME: mean point error / inter-ocular distance of ``truth`` (outer corners).

    ``predicted`` and ``truth`` are ``(N, 68, 2)`` (or ``(68, 2)`` for one image).
    """
    p, t = np.asarray(predicted, dtype=np.float64), np.asarray(truth, dtype=np.float64)
    a, b = OUTER_EYE_CORNERS
    iod = np.linalg.norm(t[..., a, :] - t[..., b, :], axis=-1)
    sel = points if points is not None else slice(None)
    err = np.linalg.norm(p[..., sel, :] - t[..., sel, :], axis=-1).mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return err / iod


def face_box(landmarks: np.ndarray) -> Box:
    """The ground-truth face box (dlib's convention, see ``BOX_SCALE``) from landmarks."""
    pts = np.asarray(landmarks, dtype=np.float64)
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    side = BOX_SCALE * max(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0 - BOX_SHIFT_UP * (y1 - y0)
    return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of two (left, top, right, bottom) boxes."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def yaw_edges(yaw: np.ndarray, width: float = YAW_BIN_DEG) -> np.ndarray:
    """Bin edges every ``width`` degrees covering the finite yaws (multiples of ``width``)."""
    y = np.asarray(yaw, dtype=np.float64)
    y = y[np.isfinite(y)]
    if y.size == 0:
        return np.array([0.0, width])
    lo, hi = np.floor(y.min() / width) * width, np.ceil(y.max() / width) * width
    if hi <= lo:
        hi = lo + width
    return np.arange(lo, hi + width / 2, width)


def by_bin(
    yaw: np.ndarray, detected: np.ndarray, nmes: np.ndarray, edges: np.ndarray
) -> list[dict[str, Any]]:
    """Per yaw bin: images, detected, detection rate and mean NME of the detected ones."""
    y = np.asarray(yaw, dtype=np.float64)
    det = np.asarray(detected, dtype=bool)
    k = np.clip(np.searchsorted(edges, y, side="right") - 1, 0, len(edges) - 2)
    rows = []
    for b in range(len(edges) - 1):
        inside = (k == b) & np.isfinite(y)
        n, hits = int(inside.sum()), int((inside & det).sum())
        e = np.asarray(nmes)[inside & det]
        e = e[np.isfinite(e)]
        rows.append(
            {
                "low": float(edges[b]),
                "high": float(edges[b + 1]),
                "images": n,
                "detected": hits,
                "rate": hits / n if n else None,
                "nme": float(e.mean()) if e.size else None,
            }
        )
    return rows


def identity_blocks(
    dist: np.ndarray, identities: np.ndarray, threshold: float = SAME_PERSON_THRESHOLD
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per (identity, identity) block of the image distances: the identities (sorted), their
    image counts, the smallest distance and the number of image pairs below ``threshold``."""
    ids = np.asarray(identities)
    order = np.argsort(ids, kind="stable")
    uniq, starts, sizes = np.unique(ids[order], return_index=True, return_counts=True)
    d = dist[np.ix_(order, order)]
    nearest = np.minimum.reduceat(np.minimum.reduceat(d, starts, axis=0), starts, axis=1)
    close = np.add.reduceat(np.add.reduceat(d < threshold, starts, axis=0), starts, axis=1)
    return uniq, sizes, nearest, close


def confusable_interval(
    dist: np.ndarray,
    identities: np.ndarray,
    rounds: int = BOOTSTRAP_ROUNDS,
    threshold: float = SAME_PERSON_THRESHOLD,
    seed: int = 0,
) -> tuple[float, float]:
    """A 95% interval of the confusable rate over the identities drawn: the 2.5th and
    97.5th percentiles of the rate when the identities are resampled with replacement
    (a cluster bootstrap: an identity keeps all its images; two draws of one identity make
    no different-identity pair)."""
    _, sizes, _, close = identity_blocks(dist, identities, threshold)
    close = close.astype(float)
    pairs = np.outer(sizes, sizes).astype(float)
    np.fill_diagonal(close, 0.0)
    np.fill_diagonal(pairs, 0.0)
    n = sizes.size
    rng = np.random.default_rng(seed)
    counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(rounds)])
    counts = counts.astype(float)
    below = np.einsum("ra,ab,rb->r", counts, close, counts)
    total = np.einsum("ra,ab,rb->r", counts, pairs, counts)
    rates = below[total > 0] / total[total > 0]
    if rates.size == 0:
        return float("nan"), float("nan")
    low, high = np.percentile(rates, [2.5, 97.5])
    return float(low), float(high)


def confusable_identities(
    dist: np.ndarray, identities: np.ndarray, threshold: float = SAME_PERSON_THRESHOLD
) -> tuple[list[dict[str, Any]], int]:
    """Identity pairs with any image pair closer than ``threshold``, closest first; and the
    number of identity pairs."""
    uniq, sizes, nearest, close = identity_blocks(dist, identities, threshold)
    a, b = np.triu_indices(uniq.size, k=1)
    hit = close[a, b] > 0
    rows = [
        {
            "identities": [int(uniq[i]), int(uniq[j])],
            "min_distance": float(nearest[i, j]),
            "close_pairs": int(close[i, j]),
            "pairs": int(sizes[i] * sizes[j]),
        }
        for i, j in zip(a[hit], b[hit], strict=True)
    ]
    rows.sort(key=lambda r: r["min_distance"])
    return rows, int(a.size)


def distance_edges(*distances: np.ndarray, width: float = 0.02) -> np.ndarray:
    """Histogram edges from 0 past the largest distance and the threshold."""
    top = max([SAME_PERSON_THRESHOLD, *(float(np.max(d)) for d in distances if np.size(d))])
    return np.arange(0.0, np.ceil(top / 0.1) * 0.1 + width / 2, width)


def verification(descriptors: np.ndarray, identities: np.ndarray) -> dict[str, Any]:
    """AUC, confusable rates, false non-matches at 0.6, rank-1 and distance histograms."""
    ids = np.asarray(identities)
    n_ids = int(np.unique(ids).size)
    if n_ids < 2:
        raise MorphgenError(
            f"verification needs at least 2 identities; these {ids.size} images hold {n_ids}"
        )
    dist = pairwise_distances(descriptors)
    same, different = pair_split(dist, ids)
    if same.size == 0:
        raise MorphgenError(
            "verification needs an identity with at least 2 images; every identity has 1"
        )
    pairs, n_identity_pairs = confusable_identities(dist, ids)
    rate, probes, gallery = rank1(dist, ids)
    edges = distance_edges(same, different)
    return {
        "images": int(ids.size),
        "identities": n_ids,
        "same_pairs": int(same.size),
        "different_pairs": int(different.size),
        "auc": roc_auc(same, different),
        "confusable_rate": below_rate(different),
        "confusable_pairs": int((different < SAME_PERSON_THRESHOLD).sum()),
        "confusable_rate_95": list(confusable_interval(dist, ids)),
        "confusable_identity_rate": len(pairs) / n_identity_pairs,
        "confusable_identity_pairs": len(pairs),
        "identity_pairs": n_identity_pairs,
        "false_non_match_rate": float((same >= SAME_PERSON_THRESHOLD).mean()),
        "rank1": rate if probes else None,
        "rank1_probes": probes,
        "rank1_gallery": gallery,
        "same_distance": _stats(same),
        "different_distance": _stats(different),
        "closest_identity_pairs": pairs[:20],
        "histogram": {
            "edges": edges.tolist(),
            "same": np.histogram(same, bins=edges)[0].tolist(),
            "different": np.histogram(different, bins=edges)[0].tolist(),
        },
    }


def _stats(x: np.ndarray) -> dict[str, float]:
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return {"n": 0}
    return {
        "n": int(x.size),
        "mean": float(x.mean()),
        "median": float(np.median(x)),
        "p05": float(np.percentile(x, 5)),
        "p95": float(np.percentile(x, 95)),
    }


# --- running a pipeline over a dataset -----------------------------------------------------


class Pipeline(Protocol):
    """What :func:`evaluate` needs of a face pipeline (``face_pipeline.FacePipeline``)."""

    upsample: int

    def detect(self, rgb: np.ndarray) -> list[tuple[Box, float]]: ...

    def analyse(self, rgb: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass
class Evaluation:
    """Per-image results of a pipeline on a dataset, in dataset order."""

    keys: list[str] = field(default_factory=list)
    identity: list[int] = field(default_factory=list)
    sample: list[int] = field(default_factory=list)
    yaw: list[float] = field(default_factory=list)
    pitch: list[float] = field(default_factory=list)
    detected: list[bool] = field(default_factory=list)
    score: list[float] = field(default_factory=list)
    iou: list[float] = field(default_factory=list)
    false_positives: list[int] = field(default_factory=list)
    box: list[Box] = field(default_factory=list)
    ours: list[np.ndarray] = field(default_factory=list)  # (68, 2)
    theirs: list[np.ndarray] = field(default_factory=list)  # (68, 2)
    descriptors: list[np.ndarray] = field(default_factory=list)
    examples: list[Image.Image] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.keys)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "identity": np.array(self.identity, dtype=np.int64),
            "yaw": np.array(self.yaw, dtype=np.float64),
            "detected": np.array(self.detected, dtype=bool),
            "nme": nme(np.array(self.theirs), np.array(self.ours)),
            "nme_inner": nme(np.array(self.theirs), np.array(self.ours), INNER_POINTS),
            "descriptors": np.array(self.descriptors),
        }


def ibug68(metadata: Mapping[str, Any]) -> np.ndarray:
    """Our iBUG 68 landmarks ``(68, 2)`` from a sample's metadata, or a MorphgenError."""
    points = {p["name"]: (p["x"], p["y"]) for p in metadata.get("landmarks") or []}
    missing = [n for n in IBUG_NAMES if n not in points]
    if missing:
        raise MorphgenError(
            f"sample {metadata.get('identity')}/{metadata.get('sample')}: no iBUG 68 landmarks "
            f"({len(missing)} of ibug01..ibug68 missing); the realism report needs a model "
            "with the 68 points (the default model has them)"
        )
    return np.array([points[n] for n in IBUG_NAMES], dtype=np.float64)


def evaluate(
    samples: Iterable[Mapping[str, Any]],
    pipeline: Pipeline,
    total: int | None = None,
    progress: bool = True,
    examples: int = 12,
) -> Evaluation:
    """Run the pipeline on every sample (see the module's protocol)."""
    ev = Evaluation()
    bar = tqdm(samples, total=total, unit="img", disable=not progress, desc="realism")
    for s in bar:
        meta = s.get("metadata") or {}
        params = meta.get("params") or {}
        rgb = np.asarray(s["rgb"])
        ours = ibug68(meta)
        truth = face_box(ours)
        detections = pipeline.detect(rgb)
        overlaps = [box_iou(truth, b) for b, _ in detections]
        best = int(np.argmax(overlaps)) if detections else -1
        hit = best >= 0 and overlaps[best] >= MATCH_IOU
        box = detections[best][0] if hit else truth
        theirs, descriptor = pipeline.analyse(rgb, box)
        ev.keys.append(str(s.get("key", len(ev))))
        ev.identity.append(int(s.get("identity", meta.get("identity", 0))))
        ev.sample.append(int(s.get("sample", meta.get("sample", 0))))
        ev.yaw.append(float(params.get("yaw", np.nan)))
        ev.pitch.append(float(params.get("pitch", np.nan)))
        ev.detected.append(bool(hit))
        ev.score.append(detections[best][1] if hit else float("nan"))
        ev.iou.append(overlaps[best] if detections else 0.0)
        ev.false_positives.append(len(detections) - int(hit))
        ev.box.append(tuple(float(v) for v in box))
        ev.ours.append(ours)
        ev.theirs.append(np.asarray(theirs, dtype=np.float64))
        ev.descriptors.append(np.asarray(descriptor, dtype=np.float64))
        if len(ev.examples) < examples:
            ev.examples.append(_example(rgb, ours, ev.theirs[-1], box, hit))
    if len(ev) == 0:
        raise MorphgenError("the dataset has no samples to evaluate")
    return ev


def _example(rgb: np.ndarray, ours: np.ndarray, theirs: np.ndarray, box: Box, hit: bool):
    """The image with its box (solid: detected, dashed look: ground truth), our landmarks
    (green) and dlib's (red)."""
    img = Image.fromarray(np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)).convert("RGB")
    scale = max(1, 256 // max(img.size))
    img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    draw = ImageDraw.Draw(img)
    draw.rectangle([v * scale for v in box], outline=(255, 255, 0) if hit else (0, 200, 255))
    for pts, colour in ((ours, (0, 220, 0)), (theirs, (230, 30, 30))):
        for x, y in pts * scale:
            draw.ellipse([x - 1.5, y - 1.5, x + 1.5, y + 1.5], fill=colour)
    return img


# --- the report ----------------------------------------------------------------------------


def summarise(ev: Evaluation, dataset: str = "", upsample: int = 1) -> dict[str, Any]:
    """Every number of the report (JSON-ready)."""
    a = ev.arrays()
    det = a["detected"]
    edges = yaw_edges(a["yaw"])
    identity: dict[str, Any] = {"all_images": verification(a["descriptors"], a["identity"])}
    try:
        identity["detected_only"] = verification(a["descriptors"][det], a["identity"][det])
    except MorphgenError as exc:
        identity["detected_only"] = {"unavailable": str(exc)}
    return {
        "dataset": dataset,
        "pipeline": {
            "detector": "dlib HOG frontal face detector",
            "upsample": upsample,
            "landmarks": "dlib shape_predictor_68_face_landmarks",
            "descriptor": "dlib_face_recognition_resnet_model_v1 (128-d)",
            "threshold": SAME_PERSON_THRESHOLD,
        },
        "protocol": PROTOCOL,
        "images": len(ev),
        "identities": int(np.unique(a["identity"]).size),
        "detection": {
            "rate": float(det.mean()),
            "detected": int(det.sum()),
            "images_with_false_positives": int(np.count_nonzero(ev.false_positives)),
            "match_iou": MATCH_IOU,
            "by_yaw": by_bin(a["yaw"], det, a["nme"], edges),
        },
        "landmarks": {
            "normalisation": "inter-ocular distance (outer eye corners, iBUG 37 and 46)",
            "nme": _stats(a["nme"][det]),
            "nme_inner_51": _stats(a["nme_inner"][det]),
            "nme_all_images": _stats(a["nme"]),
            "nme_inner_51_all_images": _stats(a["nme_inner"]),
        },
        "identity": identity,
    }


def _num(v: Any, fmt: str = ".3f") -> str:
    return "-" if v is None or (isinstance(v, float) and not np.isfinite(v)) else format(v, fmt)


def headline(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(what, all images, detected only) rows of the report's main table."""
    d, lm = summary["detection"], summary["landmarks"]
    va = summary["identity"]["all_images"]
    vd = summary["identity"]["detected_only"]

    def both(key: str, fmt: str = ".3f", pct: bool = False) -> tuple[str, str]:
        out = []
        for v in (va, vd):
            x = v.get(key)
            out.append(_num(x * 100 if pct and x is not None else x, fmt) + ("%" if pct else ""))
        return out[0], out[1]

    return [
        ("HOG detection rate", f"{d['rate']:.3f} ({d['detected']}/{summary['images']})", ""),
        (
            "landmark NME, 68 points (mean)",
            _num(lm["nme_all_images"].get("mean")),
            _num(lm["nme"].get("mean")),
        ),
        (
            "landmark NME, 51 inner points (mean)",
            _num(lm["nme_inner_51_all_images"].get("mean")),
            _num(lm["nme_inner_51"].get("mean")),
        ),
        ("verification AUC", *both("auc")),
        (
            f"confusable different-identity pairs (< {SAME_PERSON_THRESHOLD})",
            *both("confusable_rate", ".1f", True),
        ),
        (
            "  95% interval over identities (bootstrap)",
            *(
                "-"
                if "confusable_rate_95" not in v
                else "{:.1f}-{:.1f}%".format(*(100 * x for x in v["confusable_rate_95"]))
                for v in (va, vd)
            ),
        ),
        (
            "identity pairs with a confusable image pair",
            *both("confusable_identity_rate", ".1f", True),
        ),
        (
            f"same-identity pairs >= {SAME_PERSON_THRESHOLD}",
            *both("false_non_match_rate", ".1f", True),
        ),
        ("rank-1 identification", *both("rank1")),
        (
            "images / identities",
            f"{va['images']} / {va['identities']}",
            (f"{vd['images']} / {vd['identities']}" if "images" in vd else "-"),
        ),
    ]


def terminal_text(summary: dict[str, Any]) -> str:
    """The report as plain text for the terminal."""
    rows = [("", "all images", "detected only"), *headline(summary)]
    w = max(len(r[0]) for r in rows)
    lines = [f"  {a:<{w}}  {b:>14}  {c:>13}" for a, b, c in rows]
    lines.append("")
    lines.append(f"  {'yaw bin (deg)':<16}{'images':>8}{'detected':>10}{'rate':>8}{'NME':>8}")
    for r in summary["detection"]["by_yaw"]:
        if r["images"]:
            lines.append(
                f"  {r['low']:>6.0f} .. {r['high']:<5.0f} {r['images']:>8}{r['detected']:>10}"
                f"{_num(r['rate']):>8}{_num(r['nme']):>8}"
            )
    return "\n".join(lines)


def write_realism(ev: Evaluation, summary: dict[str, Any], out_dir: Path) -> Path:
    """realism.json, images.csv, descriptors.npy, plots/*.png, examples.png and index.html."""
    plots = out_dir / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    a = ev.arrays()
    (out_dir / "realism.json").write_text(json.dumps(summary, indent=2))
    _write_csv(out_dir / "images.csv", ev, a)
    np.save(out_dir / "descriptors.npy", a["descriptors"].astype(np.float32))

    charts, cards = [], []

    def add(name: str, chart: Image.Image, text: str) -> None:
        chart.save(plots / f"{name}.png")
        charts.append(chart)
        cards.append(html_card(f"plots/{name}.png", html.escape(text)))

    marker = ((SAME_PERSON_THRESHOLD, f"dlib threshold {SAME_PERSON_THRESHOLD}"),)
    for part, title in (("all_images", "all images"), ("detected_only", "detected only")):
        v = summary["identity"][part]
        if "histogram" not in v:
            continue
        h = v["histogram"]
        edges = np.array(h["edges"])
        same, diff = np.array(h["same"]), np.array(h["different"])
        chart = histogram_chart(
            f"descriptor distances, {title}",
            f"AUC {v['auc']:.3f}  confusable {v['confusable_rate'] * 100:.1f}%  "
            f"rank-1 {_num(v['rank1'])}  pairs {v['same_pairs']} same, "
            f"{v['different_pairs']} different",
            edges,
            [
                Series("same identity", same / max(1, same.sum()), BLUE),
                Series("different identities", diff / max(1, diff.sum()), ORANGE),
            ],
            "Euclidean distance of dlib descriptors",
            markers=marker,
        )
        add(
            f"distances_{part}",
            chart,
            f"Distances of same-identity and different-identity image pairs ({title}); "
            "each histogram sums to 1. Different-identity pairs left of the threshold are "
            "the confusable ones.",
        )

    rows = summary["detection"]["by_yaw"]
    edges = np.array([rows[0]["low"], *(r["high"] for r in rows)])
    rates = np.array([r["rate"] or 0.0 for r in rows])
    add(
        "detection_by_yaw",
        histogram_chart(
            "HOG detection rate by yaw",
            f"{summary['detection']['detected']}/{summary['images']} detected, "
            f"upsample {summary['pipeline']['upsample']}",
            edges,
            [Series("detection rate", rates, BLUE)],
            "yaw (deg)",
            ymax=1.0,
        ),
        f"Share of images in each {YAW_BIN_DEG:g} degree yaw bin with a matching detection.",
    )
    e = a["nme"][a["detected"]]
    e = e[np.isfinite(e)]
    if e.size:
        nme_edges = np.linspace(0.0, max(0.2, float(np.ceil(e.max() * 20) / 20)), 41)
        counts = np.histogram(np.clip(e, 0, nme_edges[-1]), bins=nme_edges)[0]
        add(
            "nme",
            histogram_chart(
                "landmark NME per image (detected)",
                f"mean {e.mean():.3f}  median {np.median(e):.3f}  n={e.size}",
                nme_edges,
                [Series("NME", counts / e.size, BLUE)],
                "mean error / inter-ocular distance",
            ),
            "dlib's 68 points against ours, per detected image, normalised by our "
            "inter-ocular distance (outer eye corners).",
        )
        nme_bins = np.array([r["nme"] or 0.0 for r in rows])
        add(
            "nme_by_yaw",
            histogram_chart(
                "landmark NME by yaw (detected)",
                "mean NME of the detected images in each bin",
                edges,
                [Series("NME", nme_bins, BLUE)],
                "yaw (deg)",
            ),
            "Mean NME per yaw bin.",
        )
    tile(charts).save(out_dir / "overview.png")
    if ev.examples:
        tile_w = max(im.width for im in ev.examples)
        tile_h = max(im.height for im in ev.examples)
        cols = min(6, len(ev.examples))
        sheet = Image.new("RGB", (tile_w * cols, tile_h * -(-len(ev.examples) // cols)), "white")
        for k, im in enumerate(ev.examples):
            sheet.paste(im, (tile_w * (k % cols), tile_h * (k // cols)))
        sheet.save(out_dir / "examples.png")

    index = out_dir / "index.html"
    index.write_text(
        html_page(
            f"morphgen realism: {Path(summary['dataset']).name}",
            _meta(summary),
            _body(summary, cards, bool(ev.examples)),
        )
    )
    return index


def _meta(summary: dict[str, Any]) -> str:
    p = summary["pipeline"]
    return html.escape(
        f"dataset {summary['dataset']}: {summary['images']} images, "
        f"{summary['identities']} identities. Pipeline trained on real photos: {p['detector']} "
        f"(upsample {p['upsample']}), {p['landmarks']}, {p['descriptor']}. "
        f"Protocol: {summary['protocol']}"
    )


def _body(summary: dict[str, Any], cards: list[str], examples: bool) -> str:
    head = "".join(
        f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td><td>{html.escape(c)}</td></tr>"
        for a, b, c in headline(summary)
    )
    table = f"<table><tr><th></th><th>all images</th><th>detected only</th></tr>{head}</table>"
    yaw = "".join(
        f"<tr><td>{r['low']:.0f} .. {r['high']:.0f}</td><td>{r['images']}</td>"
        f"<td>{r['detected']}</td><td>{_num(r['rate'])}</td><td>{_num(r['nme'])}</td></tr>"
        for r in summary["detection"]["by_yaw"]
        if r["images"]
    )
    yaw_table = (
        "<table><tr><th>yaw bin (deg)</th><th>images</th><th>detected</th><th>rate</th>"
        f"<th>NME</th></tr>{yaw}</table>"
    )
    v = summary["identity"]["all_images"]
    pairs = "".join(
        f"<tr><td>{p['identities'][0]} / {p['identities'][1]}</td>"
        f"<td>{p['min_distance']:.3f}</td><td>{p['close_pairs']} of {p['pairs']}</td></tr>"
        for p in v["closest_identity_pairs"]
    )
    pair_table = (
        "<table><tr><th>closest identity pairs (all images)</th><th>min distance</th>"
        f"<th>image pairs &lt; {SAME_PERSON_THRESHOLD}</th></tr>{pairs}</table>"
        if pairs
        else ""
    )
    sheet = (
        html_grid(
            [
                html_card(
                    "examples.png",
                    "First images: our landmarks green, dlib's red; box yellow when detected, "
                    "blue (the face box from our landmarks) when not.",
                )
            ]
        )
        if examples
        else ""
    )
    return table + yaw_table + pair_table + html_grid(cards) + sheet


def _write_csv(path: Path, ev: Evaluation, a: dict[str, np.ndarray]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "key",
                "identity",
                "sample",
                "yaw",
                "pitch",
                "detected",
                "score",
                "iou",
                "false_positives",
                "box_left",
                "box_top",
                "box_right",
                "box_bottom",
                "nme",
                "nme_inner",
            ]
        )
        for k in range(len(ev)):
            writer.writerow(
                [
                    ev.keys[k],
                    ev.identity[k],
                    ev.sample[k],
                    f"{ev.yaw[k]:.3f}",
                    f"{ev.pitch[k]:.3f}",
                    int(ev.detected[k]),
                    f"{ev.score[k]:.4f}",
                    f"{ev.iou[k]:.3f}",
                    ev.false_positives[k],
                    *(f"{v:.1f}" for v in ev.box[k]),
                    f"{a['nme'][k]:.4f}",
                    f"{a['nme_inner'][k]:.4f}",
                ]
            )
