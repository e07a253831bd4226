"""A procedural per-vertex albedo model (linear RGB) for a head mesh with labelled regions.

ICT Face Model Light has no albedo, so morphgen paints one. The model is written as a
generator: ``colour = mean + G @ z`` with ``z ~ N(0, I)``, one column of ``G`` per named
effect (skin tone along a melanin axis, redness, undertone, lips, cheeks, eye region, brow
hair colour / density / thickness, iris colour, sclera tint, smooth blotches). The SVD
``G = U S V^T`` then gives the Basel layout exactly: an orthonormal basis ``U`` with variances
``S^2`` and the same Gaussian distribution. The melanin column is by far the largest, so the
first component is the light-to-dark skin axis.

Teeth, gums, tongue, the mouth socket and the eye sockets have fixed colours; the pupil is
black and an iris disc is painted on the sclera around the eye's optical axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from morphgen.colour import srgb8_to_linear
from morphgen.labels import LABEL_IDS
from morphgen.model.build.ict_regions import IRIS_RADIUS_MM, EyeGeometry
from morphgen.model.morphable import PCAComponent

PUPIL_RADIUS_MM = 1.9
LIMBUS_WIDTH_MM = 0.8  # the darker ring at the iris's edge


# Anchor colours, 8-bit sRGB (chosen by eye from photographs of skin, eyes and mouths).
SKIN_LIGHT = srgb8_to_linear((236, 197, 174))
# The dark anchor is nearly proportional to the light one, so the tail beyond it fades to
# black instead of turning red when channels clip.
SKIN_DARK = srgb8_to_linear((76, 54, 45))
SKIN_TONE_SPAN_SD = 2.6  # SKIN_LIGHT and SKIN_DARK sit at +-2.6 standard deviations
BROW_HAIR = srgb8_to_linear((62, 44, 34))
BROW_HAIR_LIGHT = srgb8_to_linear((150, 112, 78))
IRIS_MEAN = srgb8_to_linear((105, 86, 70))  # a light brown between dark brown and blue-grey
# Per sd: -2 sd is dark brown, +2 sd blue-grey; hazel/green. Both keep R >= G >= B drops
# balanced so that clipping at 0 never leaves a red or purple iris.
IRIS_BLUE_SHIFT = np.array([0.025, 0.04, 0.07])
IRIS_GREEN_SHIFT = np.array([0.004, 0.012, -0.002])
SCLERA = srgb8_to_linear((232, 222, 212))
TEETH = srgb8_to_linear((228, 218, 192))
GUMS = srgb8_to_linear((188, 92, 92))
MOUTH_SOCKET = srgb8_to_linear((112, 38, 38))
EYE_SOCKET = srgb8_to_linear((176, 96, 90))
PUPIL = srgb8_to_linear((12, 10, 10))

# Multiplicative tints of the skin colour per region (redder lips, ears and nose).
REGION_TINT = {
    "upper_lip": (0.86, 0.56, 0.58),
    "lower_lip": (0.90, 0.58, 0.60),
    "nose": (1.0, 0.95, 0.94),
    "left_ear": (1.0, 0.93, 0.91),
    "right_ear": (1.0, 0.93, 0.91),
}

RELATIVE_EFFECTS_AT_SD = 1.2  # see build_colour_model
BLOTCH_FIELDS = 6  # smooth noise fields; half change lightness, half redness
BLOTCH_WAVELENGTH_MM = 35.0


@dataclass
class _Generator:
    """Builds ``mean`` and generator columns over ``n`` vertices."""

    n: int

    def __post_init__(self) -> None:
        self.mean = np.zeros((self.n, 3))
        self.columns: list[np.ndarray] = []

    def add(self, field: np.ndarray) -> None:
        """One effect: per-vertex RGB change per standard deviation, ``(n, 3)``."""
        self.columns.append(np.asarray(field, dtype=np.float64).reshape(self.n, 3))

    def component(self) -> PCAComponent:
        gen = np.stack([c.reshape(-1) for c in self.columns], axis=1)
        u, s, _ = np.linalg.svd(gen, full_matrices=False)
        variance = s**2
        k = int((variance > variance.sum() * 1e-10).sum())
        signs = np.sign(u[np.abs(u[:, :k]).argmax(axis=0), np.arange(k)])
        return PCAComponent(self.mean.reshape(-1), u[:, :k] * signs, variance[:k])


def soft_mask(points: np.ndarray, mask: np.ndarray, sigma: float) -> np.ndarray:
    """``mask`` blurred over 3-D distance with a Gaussian of ``sigma`` mm, in [0, 1]."""
    out = np.zeros(len(points))
    if not mask.any():
        return out
    tree = cKDTree(points)
    src = cKDTree(points[mask])
    pairs = tree.sparse_distance_matrix(src, 3.0 * sigma, output_type="coo_matrix")
    weight = np.exp(-0.5 * (pairs.data / sigma) ** 2)
    np.add.at(out, pairs.row, weight)
    norm = np.zeros(len(points))
    pairs_all = tree.sparse_distance_matrix(tree, 3.0 * sigma, output_type="coo_matrix")
    np.add.at(norm, pairs_all.row, np.exp(-0.5 * (pairs_all.data / sigma) ** 2))
    return np.clip(out / np.maximum(norm, 1e-12), 0.0, 1.0)


def gaussian_blob(points: np.ndarray, centre: np.ndarray, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * (np.linalg.norm(points - centre, axis=1) / sigma) ** 2)


def smooth_noise(points: np.ndarray, count: int, wavelength: float, seed: int) -> np.ndarray:
    """``count`` smooth random scalar fields (sums of plane waves), unit RMS, ``(count, n)``."""
    rng = np.random.default_rng(seed)
    fields = np.empty((count, len(points)))
    for k in range(count):
        directions = rng.normal(size=(6, 3))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        freq = directions * (2.0 * np.pi / wavelength) * rng.uniform(0.7, 1.4, size=(6, 1))
        phase = rng.uniform(0.0, 2.0 * np.pi, size=6)
        f = np.sin(points @ freq.T + phase).sum(axis=1)
        fields[k] = f / np.sqrt(np.mean(f**2))
    return fields


def build_colour_model(
    vertices: np.ndarray,
    kinds: np.ndarray,
    regions: np.ndarray,
    landmarks: dict[str, int],
    eyes: list[EyeGeometry],
    seed: int = 0,
) -> PCAComponent:
    """The colour component for a mesh with part kinds, regions, landmarks and eyeballs.

    ``kinds`` names each vertex's part kind (``skin``, ``mouth_socket``, ``eye_socket``,
    ``gums``, ``teeth``, ``sclera``); ``regions`` holds morphgen label ids. ``seed`` fixes the
    blotch fields, so the same inputs give the same model.
    """
    n = len(vertices)
    g = _Generator(n)
    skin = kinds == "skin"
    names = {v: k for k, v in LABEL_IDS.items()}

    # Skin: tint * (mean skin + tone components), brows blended towards hair colour.
    tint = np.ones((n, 3))
    for i in np.unique(regions[skin]):
        if names[int(i)] in REGION_TINT:
            tint[skin & (regions == i)] = REGION_TINT[names[int(i)]]
    tint = np.where(skin[:, None], _smooth_rows(vertices, tint, skin, 1.5), 0.0)
    brow = np.isin(regions, (LABEL_IDS["left_brow"], LABEL_IDS["right_brow"])) & skin
    brow_core = soft_mask(vertices, brow, 2.0) * skin
    brow_wide = soft_mask(vertices, brow, 4.0) * skin
    alpha = 0.6 * brow_core  # hair density in the brows
    skin_weight = tint * (1.0 - alpha)[:, None]
    skin_mean = 0.5 * (SKIN_LIGHT + SKIN_DARK)
    melanin = (SKIN_LIGHT - SKIN_DARK) / (2.0 * SKIN_TONE_SPAN_SD)
    # Additive effects are sized on a darker-than-mean skin: in a linear model they cannot
    # scale with each person's tone, and sized on the mean they swamp the darkest skins.
    ref = skin_mean - RELATIVE_EFFECTS_AT_SD * melanin
    g.mean += skin_weight * skin_mean + alpha[:, None] * BROW_HAIR
    iris, limbus, pupil = _iris_masks(vertices, eyes)
    shade = np.where(limbus > 0, 0.55, 1.0)[:, None] * iris[:, None]
    # lighter skin goes with lighter eyes (a mild correlation, as in populations)
    g.add(skin_weight * melanin + 0.25 * shade * IRIS_MEAN)
    g.add(skin_weight * ref * (0.04, -0.01, -0.015))  # redness (blood)
    g.add(skin_weight * ref * (0.0, 0.02, -0.04))  # olive / yellow undertone

    # Regional variation.
    lips = np.isin(regions, (LABEL_IDS["upper_lip"], LABEL_IDS["lower_lip"])) & skin
    lips_soft = soft_mask(vertices, lips, 1.2)[:, None] * skin[:, None]
    g.add(lips_soft * ref * (0.06, -0.01, -0.01))  # lip redness
    g.add(lips_soft * ref * -0.10)  # lip darkness
    for weight, change in _face_blobs(vertices, landmarks):
        g.add((weight * skin)[:, None] * ref * change)
    hair_offset = BROW_HAIR - ref
    g.add(alpha[:, None] * BROW_HAIR * 0.7)  # brow hair lightness (dark brown .. black)
    g.add(alpha[:, None] * (BROW_HAIR_LIGHT - BROW_HAIR) * 0.12)  # towards light brown
    g.add(0.12 * brow_core[:, None] * hair_offset)  # brow density (darkness)
    ring = np.clip(brow_wide - brow_core, 0.0, 1.0)
    g.mean += (0.15 * ring)[:, None] * hair_offset
    g.add(0.08 * ring[:, None] * hair_offset)  # brow thickness: the band around the core

    # Smooth blotches: lightness and redness.
    for k, field in enumerate(smooth_noise(vertices, BLOTCH_FIELDS, BLOTCH_WAVELENGTH_MM, seed)):
        change = (-0.014, -0.014, -0.014) if k % 2 == 0 else (0.01, -0.003, -0.004)
        g.add(field[:, None] * skin_weight * ref * change)

    # Eyes: sclera with a painted iris, pupil and limbus.
    sclera = kinds == "sclera"
    white = sclera & (iris == 0) & ~pupil
    g.mean[white] = SCLERA
    g.add(white[:, None] * SCLERA * (0.0, -0.04, -0.09))  # yellowish sclera
    g.add(white[:, None] * SCLERA * -0.06)  # sclera brightness
    g.mean[iris > 0] = (shade * IRIS_MEAN)[iris > 0]
    g.add(shade * IRIS_BLUE_SHIFT)  # brown .. blue-grey
    g.add(shade * IRIS_GREEN_SHIFT)  # hazel / green
    g.add(shade * IRIS_MEAN * 0.4)  # iris lightness
    g.mean[pupil] = PUPIL

    # Fixed colours.
    for kind, colour in (
        ("teeth", TEETH),
        ("gums", GUMS),
        ("mouth_socket", MOUTH_SOCKET),
        ("eye_socket", EYE_SOCKET),
    ):
        g.mean[kinds == kind] = colour
    return g.component()


def _smooth_rows(
    points: np.ndarray, values: np.ndarray, where: np.ndarray, sigma: float
) -> np.ndarray:
    """Blur per-vertex ``values`` over the vertices in ``where`` (soft region borders)."""
    out = values.copy()
    if not where.any():
        return out
    sub = points[where]
    tree = cKDTree(sub)
    pairs = tree.sparse_distance_matrix(tree, 3.0 * sigma, output_type="coo_matrix")
    w = np.exp(-0.5 * (pairs.data / sigma) ** 2)
    acc = np.zeros((len(sub), 3))
    norm = np.zeros(len(sub))
    np.add.at(acc, pairs.row, w[:, None] * values[where][pairs.col])
    np.add.at(norm, pairs.row, w)
    out[where] = acc / norm[:, None]
    return out


def _iris_masks(vertices: np.ndarray, eyes: list[EyeGeometry]) -> tuple[np.ndarray, ...]:
    """Iris (float 0/1), limbus ring and pupil masks over all vertices."""
    n = len(vertices)
    iris, limbus, pupil = np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for eye in eyes:
        d = np.full(n, np.inf)
        d[eye.vertices] = eye.iris_distance(vertices[eye.vertices])
        iris[d <= IRIS_RADIUS_MM] = 1.0
        limbus |= (d <= IRIS_RADIUS_MM) & (d > IRIS_RADIUS_MM - LIMBUS_WIDTH_MM)
        pupil |= d <= PUPIL_RADIUS_MM
    iris[pupil] = 0.0
    return iris, limbus, pupil


def _face_blobs(
    vertices: np.ndarray, landmarks: dict[str, int]
) -> list[tuple[np.ndarray, tuple[float, float, float]]]:
    """Symmetric cheek-redness and under-eye-darkness weights with their relative RGB change."""
    need = (37, 40, 43, 46, 49, 55)
    if not all(f"ibug{i:02d}" in landmarks for i in need):
        return []

    def at(i: int) -> np.ndarray:
        return vertices[landmarks[f"ibug{i:02d}"]]

    cheeks = np.zeros(len(vertices))
    under_eyes = np.zeros(len(vertices))
    for eye_a, eye_b, mouth in ((37, 40, 49), (43, 46, 55)):
        eye = 0.5 * (at(eye_a) + at(eye_b))
        cheek = 0.5 * (eye + at(mouth)) + [np.sign(eye[0]) * 12.0, 0.0, 0.0]
        cheeks += gaussian_blob(vertices, cheek, 16.0)
        under_eyes += gaussian_blob(vertices, eye - [0.0, 6.0, 0.0], 9.0)
    return [(cheeks, (0.04, -0.008, -0.012)), (under_eyes, (-0.08, -0.09, -0.09))]
