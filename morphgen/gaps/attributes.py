"""Per-sample and per-identity attributes of a dataset, the quantities whose gaps we measure.

Every attribute is a flat float64 array (NaN where a sample has no value). Per-image
attributes have one entry per image; per-identity ones (``images_per_identity``,
``identity_nn_distance``) one per identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from morphgen.colour import linear_to_lab, srgb_to_linear
from morphgen.config.schema import (
    BEARD_TYPES,
    HAIR_COLOURS,
    IRIS_COLOURS,
    LIPSTICK_COLOURS,
    SEXES,
)
from morphgen.labels import LABELS
from morphgen.labelsets import get_set, remap_table


@dataclass(frozen=True)
class AttributeInfo:
    unit: str
    text: str
    per: str = "image"  # "image" or "identity"


def _codes(names: tuple[str, ...], what: str) -> str:
    return f"{what} as a code: " + ", ".join(f"{k} {name}" for k, name in enumerate(names))


# Appearance attributes (``params.appearance``): numbers, and named categories as codes.
APPEARANCE_NUMBERS = {"skin_tone": "skin_tone", "age": "age", "lipstick": "lipstick"}
LIPSTICK_NAMES = ("none", *LIPSTICK_COLOURS)
APPEARANCE_CODES = {
    "iris_colour": ("iris_colour", IRIS_COLOURS),
    "brow_colour": ("hair_colour", HAIR_COLOURS),
    "beard_type": ("beard", BEARD_TYPES),
    "lipstick_colour": ("lipstick_colour", LIPSTICK_NAMES),
}

INFO: dict[str, AttributeInfo] = {
    "yaw": AttributeInfo("deg", "head yaw; positive turns the face towards the subject's left"),
    "pitch": AttributeInfo("deg", "head pitch"),
    "roll": AttributeInfo("deg", "head roll"),
    "expression_strength": AttributeInfo(
        "", "L2 norm of the expression coefficients and blendshape weights"
    ),
    "light_energy": AttributeInfo("", "sum of squared SH light coefficients (9 x RGB)"),
    "light_azimuth": AttributeInfo(
        "deg", "direction of the SH band-1 light, about the vertical; 0 = from the camera"
    ),
    "light_elevation": AttributeInfo("deg", "direction of the SH band-1 light above the horizon"),
    "skin_ita": AttributeInfo(
        "deg", "individual typology angle of the mean skin pixel colour (CIELAB, D65)"
    ),
    "face_size_px": AttributeInfo(
        "px", "sqrt(width x height) of the box around non-background, non-neck mask pixels"
    ),
    "visible_landmarks": AttributeInfo("", "number of landmarks visible in the image"),
    "skin_tone": AttributeInfo("L*", "CIE lightness of the identity's mean skin albedo"),
    "age": AttributeInfo("", "age factor of the skin texture (wrinkles, greying), 0 to 1"),
    "iris_colour": AttributeInfo("category", _codes(IRIS_COLOURS, "iris colour")),
    "brow_colour": AttributeInfo("category", _codes(HAIR_COLOURS, "brow (hair) colour")),
    "beard_type": AttributeInfo("category", _codes(BEARD_TYPES, "facial hair")),
    "lipstick": AttributeInfo("", "lipstick strength of the identity's makeup, 0 (none) to 1"),
    "lipstick_colour": AttributeInfo("category", _codes(LIPSTICK_NAMES, "lipstick colour")),
    "sex": AttributeInfo("category", _codes(SEXES, "the identity's sex")),
    "images_per_identity": AttributeInfo("", "images of each identity", per="identity"),
    "identity_nn_distance": AttributeInfo(
        "",
        "distance to the nearest other identity (standard-normal shape coefficients)",
        per="identity",
    ),
}
SHARE_PREFIX = "share_"  # share_<class>: fraction of the image's pixels in that mask class


def info(name: str) -> AttributeInfo:
    """Description of an attribute; CSV columns and class shares get a generic one."""
    if name in INFO:
        return INFO[name]
    if name.startswith(SHARE_PREFIX):
        return AttributeInfo("", f"fraction of image pixels labelled {name[len(SHARE_PREFIX) :]}")
    return AttributeInfo("", name)


# --- metadata --------------------------------------------------------------------------


def _params(metadata: Mapping[str, Any]) -> Mapping[str, Any]:
    """The SceneParams dict inside a sample's metadata (or the metadata itself)."""
    params = metadata.get("params")
    return params if isinstance(params, Mapping) else metadata


def _array(values: Any) -> np.ndarray:
    if values is None:
        return np.zeros(0)
    return np.asarray(values, dtype=np.float64).ravel()


def expression_strength(params: Mapping[str, Any]) -> float:
    """L2 norm of all expression coefficients and blendshape weights together."""
    coeffs = np.concatenate([_array(params.get("expression")), _array(params.get("blendshapes"))])
    return float(np.linalg.norm(coeffs))


def light_attributes(sh: Any) -> tuple[float, float, float]:
    """(energy, azimuth, elevation) of a 9 x 3 SH light.

    Real SH order (0,0), (1,-1), (1,0), (1,1), ...: band 1 is proportional to (y, z, x), so
    its grey (channel-mean) coefficients point towards the light in camera space (x right,
    y up, z towards the camera). The direction is NaN for a light with no band-1 part.
    """
    sh = np.asarray(sh, dtype=np.float64).reshape(9, -1)
    energy = float(np.sum(sh**2))
    y, z, x = sh[1:4].mean(axis=1)
    if np.hypot(np.hypot(x, y), z) <= 1e-9 * max(energy, 1e-12) ** 0.5:
        return energy, float("nan"), float("nan")
    azimuth = float(np.degrees(np.arctan2(x, z)))
    elevation = float(np.degrees(np.arctan2(y, np.hypot(x, z))))
    return energy, azimuth, elevation


def visible_landmarks(metadata: Mapping[str, Any]) -> float:
    """How many landmarks the metadata marks visible (NaN when it has none)."""
    lms = metadata.get("landmarks")
    if isinstance(lms, Mapping):
        flags = lms.get("visible", lms.get("visibility"))
        return float(np.count_nonzero(flags)) if flags is not None else float("nan")
    if isinstance(lms, list) and lms and isinstance(lms[0], Mapping):
        return float(sum(bool(lm.get("visible")) for lm in lms))
    flags = metadata.get("landmark_visible")
    return float(np.count_nonzero(flags)) if flags is not None else float("nan")


# --- images ----------------------------------------------------------------------------


def skin_ita(rgb: np.ndarray, skin: np.ndarray) -> float:
    """ITA = atan((L* - 50) / b*) in degrees of the mean colour of the ``skin`` pixels."""
    pixels = rgb[skin].reshape(-1, 3).astype(np.float64) / 255.0
    if pixels.shape[0] == 0:
        return float("nan")
    lightness, _, b = linear_to_lab(srgb_to_linear(pixels.mean(axis=0)))
    return float(np.degrees(np.arctan2(lightness - 50.0, b)))


def face_size(face: np.ndarray) -> float:
    """sqrt(width * height) of the bounding box of ``face`` (NaN if empty)."""
    rows = np.flatnonzero(face.any(axis=1))
    cols = np.flatnonzero(face.any(axis=0))
    if rows.size == 0:
        return float("nan")
    return float(np.sqrt((rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1)))


class MaskClasses:
    """Which ids of a label set are skin, face and each named class."""

    def __init__(self, label_set: str):
        self.set = get_set(label_set)
        table = remap_table(label_set)
        by_name = {label.name: int(table[label.id]) for label in LABELS}
        self.skin = by_name["skin"]
        not_face = {0} | {by_name[n] for n in ("neck", "hair", "headwear", "clothing")}
        self.face_ids = np.array(sorted({int(table[label.id]) for label in LABELS} - not_face))
        self.classes = [(cid, name) for cid, name in self.set.classes if cid != 0]

    def attributes(self, mask: np.ndarray, rgb: np.ndarray | None) -> dict[str, float]:
        """Face size, skin tone and the pixel share of every class of one mask."""
        out = {"face_size_px": face_size(np.isin(mask, self.face_ids))}
        if rgb is not None:
            out["skin_ita"] = skin_ita(rgb, mask == self.skin)
        counts = np.bincount(mask.ravel(), minlength=256)
        for cid, name in self.classes:
            out[SHARE_PREFIX + name] = counts[cid] / mask.size
        return out


# --- datasets --------------------------------------------------------------------------


def sample_attributes(sample: Mapping[str, Any], classes: MaskClasses | None) -> dict[str, float]:
    """Per-image attributes of one sample dict (metadata, and mask/rgb when present)."""
    metadata = sample.get("metadata") or {}
    params = _params(metadata)
    out: dict[str, float] = {
        name: float(params.get(name, np.nan)) for name in ("yaw", "pitch", "roll")
    }
    out["expression_strength"] = expression_strength(params)
    sh = (params.get("illumination") or {}).get("sh")
    if sh is not None:
        energy, azimuth, elevation = light_attributes(sh)
        out.update(light_energy=energy, light_azimuth=azimuth, light_elevation=elevation)
    out["visible_landmarks"] = visible_landmarks(metadata)
    out.update(appearance_attributes(params.get("appearance")))
    if params.get("sex") in SEXES:
        out["sex"] = float(SEXES.index(params["sex"]))
    mask = sample.get("mask")
    if classes is not None and mask is not None:
        rgb = sample.get("rgb")
        out.update(classes.attributes(np.asarray(mask), None if rgb is None else np.asarray(rgb)))
    return out


def appearance_attributes(appearance: Any) -> dict[str, float]:
    """Skin tone, age, lipstick and the named colours / beard type (as codes) of
    ``params.appearance``."""
    if not isinstance(appearance, Mapping):
        return {}
    out = {name: float(appearance.get(key, np.nan)) for name, key in APPEARANCE_NUMBERS.items()}
    for name, (key, names) in APPEARANCE_CODES.items():
        value = appearance.get(key)
        out[name] = float(names.index(value)) if value in names else float("nan")
    return out


def identity_nn_distances(shapes: np.ndarray) -> np.ndarray:
    """Euclidean distance from each row to its nearest other row (empty if fewer than 2)."""
    if shapes.shape[0] < 2 or shapes.shape[1] == 0:
        return np.zeros(0)
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(shapes).query(shapes, k=2)
    return dist[:, 1]


def dataset_attributes(
    samples: Iterable[Mapping[str, Any]], label_set: str = "morphgen"
) -> dict[str, np.ndarray]:
    """Every attribute of a stream of sample dicts (as ``open_dataset`` yields them)."""
    classes = MaskClasses(label_set)
    rows: list[dict[str, float]] = []
    per_identity: dict[int, int] = {}
    shapes: dict[int, np.ndarray] = {}
    for sample in samples:
        rows.append(sample_attributes(sample, classes))
        metadata = sample.get("metadata") or {}
        params = _params(metadata)
        identity = sample.get("identity", metadata.get("identity", params.get("identity")))
        if identity is not None:
            per_identity[int(identity)] = per_identity.get(int(identity), 0) + 1
            if int(identity) not in shapes:
                shapes[int(identity)] = _array(params.get("shape"))
    names = list(dict.fromkeys(name for row in rows for name in row))
    out = {name: np.array([row.get(name, np.nan) for row in rows]) for name in names}
    out["images_per_identity"] = np.array(list(per_identity.values()), dtype=np.float64)
    if shapes and len({v.size for v in shapes.values()}) == 1:
        out["identity_nn_distance"] = identity_nn_distances(np.stack(list(shapes.values())))
    return out
