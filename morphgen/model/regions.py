"""Per-vertex regions and landmarks for models that lack them, and user-supplied files.

``derive_regions`` paints morphgen's labels (``morphgen.labels``) on the mean shape from
the 68 iBUG landmark vertices (``ibug01``..``ibug68``, subject's left/right): brows, eyes,
nose, lips and the inner mouth as outlines in the face's frontal plane, the neck below the
jaw line, the ears lateral of and behind the jaw ends, skin elsewhere. A feature whose
landmarks are missing is left as skin, so a partial landmark set still gives what it can.

Region files (``--regions`` / config ``model.regions``):
- ``.npy``: one integer label id per vertex, ``(N,)``;
- ``.json``: ``{"label name": [vertex, ...], ...}``; vertices not listed are skin.

Landmark files (``--landmarks`` / config ``model.landmarks``):
- ``.json``: ``{"name": vertex, ...}`` or a list of 68 vertex indices (iBUG order);
- any other extension: 68 whitespace-separated vertex indices (iBUG order).
Indices are 0-based. 68 indices become ``ibug01``..``ibug68``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from morphgen.errors import ModelFormatError
from morphgen.labels import LABEL_IDS, REGIONS
from morphgen.model.morphable import unknown_region_ids, valid_region_ids
from morphgen.model.outlines import brow_band, inside_polygon, nose_outline, smooth_closed

IBUG_NAMES = tuple(f"ibug{i:02d}" for i in range(1, 69))
# The eye outline grows this much around the eyelid landmarks, so that the landmark
# vertices themselves are inside. Frontal-render pixel IoU with the default model's own
# eye regions: 0 mm 0.88, 0.5 mm 0.80, 1.5 mm 0.64.
EYE_MARGIN_MM = 0.5
LIP_DEPTH_MM = 4.0  # inside the lip outline, this much deeper than the lip contours is mouth


def _has(landmarks: dict[str, int], numbers: range | tuple[int, ...]) -> bool:
    return all(f"ibug{n:02d}" in landmarks for n in numbers)


def face_frame(vertices: np.ndarray, landmarks: dict[str, int]) -> np.ndarray:
    """The vertices in the face's own frame: x to the subject's left, y up, z forward.

    Built from the outer eye corners (ibug37 -> ibug46 is +x) and the chin (ibug09) to
    the eyes (+y); the origin is the nose tip (ibug31).
    """
    p = {n: vertices[landmarks[f"ibug{n:02d}"]].astype(np.float64) for n in (9, 31, 37, 46)}
    x = p[46] - p[37]
    x /= np.linalg.norm(x)
    up = 0.5 * (p[37] + p[46]) - p[9]
    y = up - (up @ x) * x
    y /= np.linalg.norm(y)
    rotation = np.stack([x, y, np.cross(x, y)])
    return ((vertices - p[31]) @ rotation.T).astype(np.float32)


def _inside(xy: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """``inside_polygon`` restricted to the polygon's bounding box (fast on large meshes)."""
    lo, hi = polygon.min(axis=0), polygon.max(axis=0)
    box = np.all((xy >= lo) & (xy <= hi), axis=1)
    out = np.zeros(len(xy), dtype=bool)
    out[box] = inside_polygon(xy[box], polygon)
    return out


def _grow(polygon: np.ndarray, margin: float) -> np.ndarray:
    """Push each outline point ``margin`` away from the outline's centre."""
    rel = polygon - polygon.mean(axis=0)
    norm = np.maximum(np.linalg.norm(rel, axis=1, keepdims=True), 1e-9)
    return polygon + margin * rel / norm


def _mouth_line(pts: dict[int, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Height of the line between the lips at each ``x``: mid-way between inner contours."""
    line = [pts[49], *(0.5 * (pts[a] + pts[b]) for a, b in ((62, 68), (63, 67), (64, 66))), pts[55]]
    line = np.array(line)[:, :2]
    order = np.argsort(line[:, 0])
    return np.interp(x, line[order, 0], line[order, 1])


def _lip_depth(pts: dict[int, np.ndarray], x: np.ndarray) -> np.ndarray:
    """How deep the lips reach at each ``x``: the deepest of their outer and inner contours."""
    depths = []
    contours = ((49, 50, 51, 52, 53, 54, 55), (55, 56, 57, 58, 59, 60, 49))
    contours += ((61, 62, 63, 64, 65), (65, 66, 67, 68, 61))
    for numbers in contours:
        contour = np.array([pts[n] for n in numbers])
        order = np.argsort(contour[:, 0])
        depths.append(np.interp(x, contour[order, 0], contour[order, 2]))
    return np.min(depths, axis=0)


def derive_regions(vertices: np.ndarray, landmarks: dict[str, int]) -> np.ndarray | None:
    """Per-vertex label ids from the iBUG-68 landmarks, or None without a face frame.

    ``vertices`` is the mean shape ``(N, 3)`` in millimetres.
    """
    if not _has(landmarks, (9, 31, 37, 46)):
        return None
    ids = LABEL_IDS
    c = face_frame(np.asarray(vertices, dtype=np.float32), landmarks)
    pts = {int(k[4:]): c[v] for k, v in landmarks.items() if k in IBUG_NAMES}
    regions = np.full(len(c), ids["skin"], dtype=np.uint8)
    x, y, z = c[:, 0], c[:, 1], c[:, 2]
    xy = c[:, :2]
    height = float(np.linalg.norm(pts[9] - 0.5 * (pts[37] + pts[46])))  # chin to eyes
    front = np.ones(len(c), dtype=bool)
    if _has(landmarks, range(1, 18)):
        jaw = np.array([pts[n] for n in range(1, 18)])
        order = np.argsort(jaw[:, 0])
        regions[y < np.interp(x, jaw[order, 0], jaw[order, 1])] = ids["neck"]
        front = z > min(pts[1][2], pts[17][2])
        for end in (pts[1], pts[17]):  # the side, not the number, names the ear
            side = 1.0 if end[0] > 0 else -1.0
            label = "left_ear" if side > 0 else "right_ear"  # +x is the subject's left
            ear = (
                (side * x > side * end[0])
                & (y > end[1] - 0.35 * height)
                & (y < end[1] + 0.3 * height)
                & (z < end[2])
                & (z > end[2] - 0.6 * height)
            )
            regions[ear] = ids[label]
    # the helpers below take (vertices, landmarks) and read the frontal (x, y) plane
    if _has(landmarks, range(18, 23)):
        brow = brow_band(c, landmarks, range(18, 23), True)
        regions[front & _inside(xy, brow)] = ids["right_brow"]
    if _has(landmarks, range(23, 28)):
        brow = brow_band(c, landmarks, range(23, 28), False)
        regions[front & _inside(xy, brow)] = ids["left_brow"]
    if _has(landmarks, (28, 30, 31, 32, 34)):
        regions[front & _inside(xy, nose_outline(c, landmarks))] = ids["nose"]
    for numbers, label in ((range(37, 43), "right_eye"), (range(43, 49), "left_eye")):
        if _has(landmarks, numbers):
            outline = _grow(smooth_closed(np.array([pts[n][:2] for n in numbers])), EYE_MARGIN_MM)
            regions[front & _inside(xy, outline)] = ids[label]
    if _has(landmarks, range(49, 69)):
        outline = front & _inside(xy, smooth_closed(np.array([pts[n][:2] for n in range(49, 61)])))
        surface = z > _lip_depth(pts, x) - LIP_DEPTH_MM
        lips = outline & surface
        lower = y < _mouth_line(pts, x)
        regions[lips & lower] = ids["lower_lip"]
        regions[lips & ~lower] = ids["upper_lip"]
        inner = np.array([pts[n][:2] for n in range(61, 69)])
        regions[(lips & _inside(xy, inner)) | (outline & ~surface)] = ids["inner_mouth"]
    return regions


def _vertex_list(value: object, n_vertices: int, where: str) -> np.ndarray:
    """Vertex indices from a JSON list, checked integral and in range."""
    idx = np.asarray(value)
    if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
        raise ModelFormatError(f"{where}: expected a list of integer vertex indices")
    idx = idx.astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= n_vertices):
        raise ModelFormatError(
            f"{where}: vertex indices range {idx.min()}..{idx.max()}, expected 0..{n_vertices - 1}"
        )
    return idx


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelFormatError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise ModelFormatError(f"{path}: not a readable JSON file ({exc})") from None


def read_region_file(path: str | Path, n_vertices: int) -> np.ndarray:
    """Per-vertex label ids ``(N,) uint8`` from a ``.npy`` or ``.json`` region file."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        data = _read_json(path)
        if not isinstance(data, dict):
            raise ModelFormatError(f"{path}: expected {{label name: [vertex, ...]}}")
        regions = np.full(n_vertices, LABEL_IDS["skin"], dtype=np.uint8)
        for name, vertices in data.items():
            if name not in {label.name for label in REGIONS}:
                known = ", ".join(label.name for label in REGIONS)
                raise ModelFormatError(f"{path}: unknown region {name!r}; known: {known}")
            regions[_vertex_list(vertices, n_vertices, f"{path}: {name!r}")] = LABEL_IDS[name]
        return regions
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise ModelFormatError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise ModelFormatError(f"{path}: not a .npy array of region ids ({exc})") from None
    if data.shape != (n_vertices,) or data.dtype.kind not in "iu":
        raise ModelFormatError(
            f"{path}: region array has shape {data.shape} and dtype {data.dtype}, "
            f"expected ({n_vertices},) integers (one label id per vertex)"
        )
    bad = unknown_region_ids(data)
    if bad:
        raise ModelFormatError(f"{path}: unknown region ids {bad}; valid ids {valid_region_ids()}")
    return data.astype(np.uint8)


def read_landmark_file(path: str | Path, n_vertices: int) -> dict[str, int]:
    """Landmark name -> vertex from a JSON map, a JSON list of 68 or a text file of 68."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        data = _read_json(path)
    else:
        try:
            data = [int(tok) for tok in path.read_text().split()]
        except FileNotFoundError:
            raise ModelFormatError(f"{path}: no such file") from None
        except (OSError, ValueError) as exc:
            raise ModelFormatError(f"{path}: expected 68 integer vertex indices ({exc})") from None
    if isinstance(data, list):
        if len(data) != 68:
            raise ModelFormatError(f"{path}: {len(data)} indices, expected 68 (iBUG order)")
        data = dict(zip(IBUG_NAMES, data, strict=True))
    if not isinstance(data, dict):
        raise ModelFormatError(f"{path}: expected {{name: vertex}} or a list of 68 indices")
    names = [str(k) for k in data]
    idx = _vertex_list(list(data.values()), n_vertices, str(path))
    return dict(zip(names, idx.tolist(), strict=True))
