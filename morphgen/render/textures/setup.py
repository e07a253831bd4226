"""What a model's textures need, computed once per process: atlas, texel groups, landmarks."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel
from morphgen.render.texture_atlas import Atlas, bake_atlas
from morphgen.render.textures.canvas import Canvas
from morphgen.render.textures.fill import BrowFill, brow_fill, vertex_adjacency
from morphgen.render.textures.makeup import makeup_fields
from morphgen.render.textures.skin import FRONT_Z_MM, skin_fields, smoothstep

SKIN_LABELS = (
    "skin", "nose", "left_brow", "right_brow", "upper_lip", "lower_lip", "left_ear",
    "right_ear", "neck", "scalp",
)  # fmt: skip


@dataclass
class Eyeball:
    """The texels of one eyeball (its own mesh component) and its pupil in the face frame."""

    texels: np.ndarray  # indices into the atlas's covered texels
    vertices: np.ndarray  # its mesh vertices
    pupil: np.ndarray  # (3,) face-frame position of the pupil landmark


@dataclass
class TextureSetup:
    """Per-model, per-size texture inputs (see ``texture_setup``)."""

    atlas: Atlas
    triangles: np.ndarray
    skin: np.ndarray  # covered-texel indices on skin-like regions
    skin_position: np.ndarray  # (len(skin), 3) their face-frame points
    lips: np.ndarray  # covered-texel indices on or at the edge of the lips
    lip_weight: np.ndarray  # (len(lips),) how much of the lips each is (a smooth outline)
    landmarks: dict[int, np.ndarray]  # iBUG number -> face-frame point (empty without them)
    eyes: list[Eyeball] = field(default_factory=list)
    eye_span_uv: float = 0.0  # UV distance between the outer eye corners (0: unknown)
    texel_mm: float = 0.3  # about how many mm of face one texel covers
    # with the 68 landmarks: per-skin-texel unit fields (``skin.skin_fields``), beard zones
    # by kind, and skin-texel indices of the face front and of places moles may sit
    fields: dict[str, np.ndarray] = field(default_factory=dict)
    beard_zones: dict[str, np.ndarray] = field(default_factory=dict)
    front_face: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    mole_sites: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    upper_face: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    beard_texels: dict[str, np.ndarray] = field(default_factory=dict)  # where each zone > 0
    brows: BrowFill | None = None  # the colour model's brows, replaced by skin (drawn brows)

    @property
    def has_face(self) -> bool:
        return len(self.landmarks) == 68


def _components(model: MorphableModel) -> np.ndarray:
    """The connected mesh component of every vertex."""
    from scipy.sparse.csgraph import connected_components  # here: models without UVs skip it

    graph = vertex_adjacency(model.triangles, np.ones(model.n_vertices, dtype=bool))
    return connected_components(graph, directed=False)[1]


def _corner_uv(model: MorphableModel, vertex: int) -> np.ndarray:
    tri, corner = np.nonzero(model.triangles == vertex)
    return model.uv[tri[0], corner[0]]


def texture_setup(model: MorphableModel, size: int) -> TextureSetup:
    """Bake the atlas and group its texels (needs ``model.uv``)."""
    atlas = bake_atlas(model, size)
    ids = [LABEL_IDS[name] for name in SKIN_LABELS]
    skin = np.flatnonzero(np.isin(atlas.region, ids))
    lip_ids = [LABEL_IDS["upper_lip"], LABEL_IDS["lower_lip"]]
    lips, lip_weight = _lips(atlas, skin, np.isin(atlas.region[skin], lip_ids))
    marks = {
        int(name[4:]): atlas.frame[v]
        for name, v in model.landmarks.items()
        if name.startswith("ibug") and name[4:].isdigit()
    }
    setup = TextureSetup(
        atlas,
        model.triangles,
        skin,
        atlas.position[skin],
        lips,
        lip_weight,
        marks if len(marks) == 68 else {},
    )
    component = _components(model)
    texel_component = component[model.triangles[atlas.triangle, 0]]
    eye_ids = (LABEL_IDS["left_eye"], LABEL_IDS["right_eye"])
    for name in ("left_pupil", "right_pupil"):
        if name in model.landmarks:
            v = model.landmarks[name]
            on = (texel_component == component[v]) & np.isin(atlas.region, eye_ids)
            vertices = np.flatnonzero(component == component[v])
            setup.eyes.append(Eyeball(np.flatnonzero(on), vertices, atlas.frame[v]))
    if setup.has_face:
        setup.brows = brow_fill(model, atlas)
        p = setup.skin_position
        setup.fields = skin_fields(p, marks) | makeup_fields(p, marks)
        core = lips[lip_weight >= 0.5]
        lip_gap = _lip_gap(p, atlas.position[core], np.isin(skin, core))
        setup.beard_zones = {
            kind: (lip_gap * beard_zone(marks, kind, p)).astype(np.float32)
            for kind in ("moustache", "goatee", "full", "stubble")
        }
        setup.beard_texels = {k: np.flatnonzero(z > 0) for k, z in setup.beard_zones.items()}
        front = (p[:, 2] > FRONT_Z_MM) & (np.abs(p[:, 0]) < 75.0)
        eye_y = float(np.mean([marks[n][1] for n in range(37, 49)]))
        top = max(marks[n][1] for n in range(18, 28))
        setup.upper_face = np.flatnonzero(front & (p[:, 1] > eye_y - 14.0) & (p[:, 1] < top + 25.0))
        setup.front_face = np.flatnonzero(front)
        # moles sit on skin, not on the lips' vermilion: sites at least LIP_GAP_MM + the
        # largest mole radius off every lip texel (one had sat on a lower lip)
        off_lips = _lip_gap(p, atlas.position[lips], np.isin(skin, lips), MOLE_LIP_GAP_MM) >= 1
        setup.mole_sites = np.flatnonzero(
            front & (np.abs(p[:, 0]) < 60) & (p[:, 1] > marks[9][1]) & off_lips
        )
    if "ibug37" in model.landmarks and "ibug46" in model.landmarks:
        a, b = (_corner_uv(model, model.landmarks[n]) for n in ("ibug37", "ibug46"))
        setup.eye_span_uv = float(np.linalg.norm(a - b))
        mm = np.linalg.norm(
            atlas.frame[model.landmarks["ibug37"]] - atlas.frame[model.landmarks["ibug46"]]
        )
        setup.texel_mm = float(mm / max(setup.eye_span_uv * size, 1e-6))
    return setup


LIP_GAP_MM = 1.5  # facial hair thins out over this distance from the lips
MOLE_LIP_GAP_MM = 3.0  # a mole's centre keeps this far from the lips (radius <= 1.5 mm)
LIP_EDGE_MM = 0.6  # the lips' outline is smoothed over about this (the mesh's is jagged)
LIP_CELL_MM = 0.2


def _lips(atlas: Atlas, skin: np.ndarray, on_lips: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covered-texel indices on or at the edge of the lips and how much of the lips each is:
    the share of lip texels around it in the frontal plane, blurred over ``LIP_EDGE_MM`` (the
    lip triangles' union has spikes a triangle long)."""
    if not on_lips.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    xy = atlas.position[skin, :2]
    lo = xy[on_lips].min(axis=0) - 4 * LIP_EDGE_MM
    hi = xy[on_lips].max(axis=0) + 4 * LIP_EDGE_MM
    near = np.flatnonzero(np.all((xy > lo) & (xy < hi), axis=1))
    near = near[atlas.position[skin[near], 2] > atlas.position[skin[on_lips], 2].min() - 2.0]
    lip, every = (Canvas.over(lo[0], hi[0], lo[1], hi[1], LIP_CELL_MM) for _ in range(2))
    lip.splat(xy[near, 0], xy[near, 1], on_lips[near].astype(np.float32))
    every.splat(xy[near, 0], xy[near, 1], 1.0)
    share = lip.blurred(LIP_EDGE_MM).at(xy[near]) / np.maximum(
        every.blurred(LIP_EDGE_MM).at(xy[near]), 1e-6
    )
    weight = smoothstep(0.3, 0.7, share).astype(np.float32)
    keep = weight > 0
    return skin[near[keep]], weight[keep]


def _lip_gap(
    p: np.ndarray, lips: np.ndarray, on_lips: np.ndarray, mm: float = LIP_GAP_MM
) -> np.ndarray:
    """0 on the lips, rising to 1 at ``mm`` from them (a soft, not jagged, edge)."""
    if len(lips) == 0:
        return np.ones(len(p), dtype=np.float32)
    from scipy.spatial import cKDTree

    distance = cKDTree(lips).query(p, distance_upper_bound=mm)[0]
    gap = np.clip(np.nan_to_num(distance, posinf=mm) / mm, 0.0, 1.0)
    return np.where(on_lips, 0.0, gap).astype(np.float32)


def beard_zone(lm: dict[int, np.ndarray], kind: str, p: np.ndarray) -> np.ndarray:
    """Soft membership in [0, 1] of face-frame points ``p`` in the zone of beard ``kind``
    (``moustache``, ``goatee``, ``full`` or ``stubble``: the full zone with softer edges),
    placed by the iBUG landmarks ``lm``."""
    x, y, z = np.abs(p[:, 0]), p[:, 1], p[:, 2]
    eye_y = float(np.mean([lm[n][1] for n in range(37, 49)]))
    y34, y52, y58, y9 = lm[34][1], lm[52][1], lm[58][1], lm[9][1]
    xm = 0.5 * (abs(lm[49][0]) + abs(lm[55][0]))
    front = smoothstep(-75.0, -65.0, z)
    moustache = front * (
        (1.0 - smoothstep(xm + 1.0, xm + 5.0, x))
        * smoothstep(y52 - 2.0, y52 + 0.5, y)
        * (1.0 - smoothstep(y34 - 3.0, y34 - 0.5, y))
    )
    if kind == "moustache":
        return moustache
    chin = (1.0 - smoothstep(xm - 2.0, xm + 3.0, x)) * (1.0 - smoothstep(y58 + 1.0, y58 + 4.0, y))
    chin *= smoothstep(y9 - 2.0, y9 + 4.0, y) * front
    if kind == "goatee":
        return np.maximum(moustache, chin)
    # the top edge by distance from the midline: under the nose, round the mouth, the cheek
    # line rising to the sideburn, which runs up along the front of the ear
    xs = np.array([0.0, 15.0, 30.0, 42.0, 52.0, 62.0, 72.0, 80.0])
    ys = np.array([y34 - 1.0, y34 - 4.0, y34 - 12.0, y34 - 14.0, y34 - 8.0, eye_y - 16.0,
                   eye_y - 8.0, eye_y + 2.0])  # fmt: skip
    upper = np.interp(x, xs, ys)
    # the edge is as soft across as along y where it runs steeply (the cheek line, sideburn)
    slope = np.interp(x, 0.5 * (xs[1:] + xs[:-1]), np.diff(ys) / np.diff(xs))
    soft = (14.0 if kind == "stubble" else 5.0) * np.sqrt(1.0 + slope**2)
    zone = 1.0 - smoothstep(upper - soft, upper + 0.3 * soft, y)
    zone *= smoothstep(y9 - 45.0, y9 - 30.0, y) * smoothstep(-115.0, -100.0, z)
    # the sideburn: a strip along the front of the ear from the jaw to below the ear's top;
    # the ear's front lies about 25 mm behind iBUG 1 and 17 (the default model's ear region)
    ear_z, ear_y = 0.5 * (lm[1][2] + lm[17][2]), 0.5 * (lm[1][1] + lm[17][1])
    sideburn = smoothstep(ear_z - 32.0, ear_z - 28.0, z) * (
        1.0 - smoothstep(ear_z - 12.0, ear_z - 8.0, z)
    )
    sideburn *= smoothstep(45.0, 60.0, x) * (1.0 - smoothstep(ear_y - 6.0, ear_y, y))
    return np.maximum(np.maximum(zone, sideburn * (y > y9)), moustache)
