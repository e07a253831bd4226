"""The head as hair sees it: a centre, a radial height map for collisions and the scalp.

Everything is computed from one identity's neutral shape (model space, mm, y up, +z
forward) and the model's regions, so it fits any head of any model with a ``scalp``
region. The radial map stores, per direction from the head centre, the largest radius of
the head's surface there: a strand point closer to the centre than that plus its layer
height is pushed outwards along the ray (a star-shaped head, ears and all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from morphgen.labels import LABEL_IDS

THETA_BINS = 64  # polar angle bins, 0 = straight up
PHI_BINS = 128  # azimuth bins around the vertical axis, 0 = straight ahead (+z)
# The direction map's k-d tree: larger leaves, split at the middle. The same nearest points;
# most direction bins lie far from the scalp, where small leaves cost many visits (per
# identity 70 -> 43 ms CPU on the BFM-sized model, 24 -> 26 ms on the default one).
TREE = {"leafsize": 64, "balanced_tree": False}
HAIR_FREE = ("left_eye", "right_eye", "inner_mouth", "teeth")  # inside the head
RIM_SHARE = 0.08  # the scalp's front rim: this share of it nearest the forehead
RIM_SEARCH_MM = 25.0  # how far the rim is looked for before searching the whole scalp


@dataclass
class Head:
    """Collision map, scalp mesh and per-vertex scalp fields of one identity."""

    centre: np.ndarray  # (3,) head centre (cranium)
    radius: np.ndarray  # (THETA_BINS, PHI_BINS) largest surface radius per direction
    vertices: np.ndarray  # (N, 3) the neutral shape
    normals: np.ndarray  # (N, 3) its unit vertex normals
    scalp_triangles: np.ndarray  # (T, 3) triangles whose corners are all scalp
    front_mm: np.ndarray  # (N,) distance from the forehead's hairline (scalp vertices)
    front_map: np.ndarray  # (THETA_BINS, PHI_BINS) ``front_mm`` of the nearest scalp vertex
    crown: np.ndarray  # (3,) the crown point (top back of the scalp)
    top_y: float  # highest scalp point
    chin_y: float  # lowest face point (jaw line)
    front_z: float  # the face's foremost point (nose tip)
    face_half_width: float  # half the face's width between chin and brows (plus a margin)
    brow_y: float  # height of the brows' top

    def bins(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Polar bin, azimuth bin and distance from the centre of each point."""
        rel = points - self.centre
        r = np.maximum(np.linalg.norm(rel, axis=-1), 1e-6)
        theta = np.arccos(np.clip(rel[..., 1] / r, -1.0, 1.0))
        phi = np.arctan2(rel[..., 0], rel[..., 2])
        ti = np.minimum((theta / np.pi * THETA_BINS).astype(np.int64), THETA_BINS - 1)
        pi = ((phi + np.pi) / (2 * np.pi) * PHI_BINS).astype(np.int64) % PHI_BINS
        return ti, pi, r

    def front_at(self, points: np.ndarray) -> np.ndarray:
        """Distance behind the forehead's hairline of the scalp under each point (its ray)."""
        ti, pi, _ = self.bins(points)
        return self.front_map[ti, pi]

    def push_out(self, points: np.ndarray, height: np.ndarray | float) -> np.ndarray:
        """``points`` moved outwards along their rays to at least ``height`` above the head."""
        ti, pi, r = self.bins(points)
        floor = self.radius[ti, pi] + height
        scale = np.where(r < floor, floor / r, 1.0)
        return self.centre + (points - self.centre) * scale[..., None]

    def outward(self, points: np.ndarray) -> np.ndarray:
        """Unit normals of the hair volume: from the head's vertical axis below the centre,
        from the centre above it (a dome on a cylinder)."""
        axis = np.broadcast_to(self.centre, points.shape).copy()
        axis[..., 1] = np.minimum(points[..., 1], self.centre[1])
        d = points - axis
        return d / np.maximum(np.linalg.norm(d, axis=-1, keepdims=True), 1e-6)


def build_head(
    vertices: np.ndarray, normals: np.ndarray, triangles: np.ndarray, regions: np.ndarray
) -> Head | None:
    """The ``Head`` of one neutral shape; None when the model has no scalp region."""
    scalp = regions == LABEL_IDS["scalp"]
    if scalp.sum() < 10:
        return None
    sv = vertices[scalp]
    lo, hi = sv.min(axis=0), sv.max(axis=0)
    centre = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2])
    solid = ~np.isin(regions, [LABEL_IDS[n] for n in HAIR_FREE])
    chin_y = float(vertices[regions == LABEL_IDS["skin"], 1].min())
    solid &= vertices[:, 1] > chin_y  # the head only: hair hangs free past neck and shoulders
    head = Head(
        centre=centre,
        radius=np.zeros((THETA_BINS, PHI_BINS)),
        vertices=vertices,
        normals=normals,
        scalp_triangles=triangles[scalp[triangles].all(axis=1)],
        front_mm=np.zeros(len(vertices)),
        front_map=np.zeros((THETA_BINS, PHI_BINS)),
        crown=np.zeros(3),
        top_y=float(hi[1]),
        chin_y=chin_y,
        front_z=float(vertices[:, 2].max()),
        face_half_width=_face_half_width(vertices, regions, centre, chin_y),
        brow_y=_brow_height(vertices, regions, centre, chin_y),
    )
    head.radius = _radial_map(head, vertices[solid])
    head.front_mm = _front_distance(vertices, regions, scalp, centre)
    head.front_map = _nearest_scalp_map(head, np.flatnonzero(scalp))
    top = sv[:, 1] - 0.6 * sv[:, 2]  # top and back
    head.crown = sv[np.argmax(top)]
    return head


def _brow_height(
    vertices: np.ndarray, regions: np.ndarray, centre: np.ndarray, chin_y: float
) -> float:
    """The top of the brow regions; without them, a tenth of the way from centre to chin."""
    brows = np.isin(regions, [LABEL_IDS["left_brow"], LABEL_IDS["right_brow"]])
    if brows.any():
        return float(vertices[brows, 1].max())
    return float(centre[1] + 0.1 * (chin_y - centre[1]))


def _face_half_width(
    vertices: np.ndarray, regions: np.ndarray, centre: np.ndarray, chin_y: float
) -> float:
    """Half the width of the face (skin in front of the centre, below the scalp) + 6 mm."""
    skin = (regions == LABEL_IDS["skin"]) & (vertices[:, 2] > centre[2])
    skin &= (vertices[:, 1] > chin_y) & (vertices[:, 1] < centre[1])
    if not skin.any():
        return 70.0
    return float(np.abs(vertices[skin, 0] - centre[0]).max()) + 6.0


def _dilate3(grid: np.ndarray) -> np.ndarray:
    """A 3x3 maximum filter that wraps at the edges (a flat grey dilation, as scipy.ndimage's
    ``grey_dilation(size=(3, 3), mode="wrap")``; scipy.ndimage would cost every worker ~20 MB)."""
    out = grid.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            out = np.maximum(out, np.roll(grid, (dy, dx), axis=(0, 1)))
    return out


def _radial_map(head: Head, points: np.ndarray) -> np.ndarray:
    """Per-direction maximum radius of ``points``, holes filled from their neighbours."""
    ti, pi, r = head.bins(points)
    out = np.zeros((THETA_BINS, PHI_BINS))
    np.maximum.at(out, (ti, pi), r)
    out = _dilate3(out)
    for _ in range(THETA_BINS):
        holes = out <= 0
        if not holes.any():
            break
        grown = _dilate3(out)
        out[holes] = grown[holes]
    return out


def _nearest_scalp_map(head: Head, scalp: np.ndarray) -> np.ndarray:
    """Per direction bin, ``front_mm`` of the scalp vertex nearest to it in direction (bins
    over the face or neck get the nearest scalp's: the hairline's, or the nape's)."""
    from scipy.spatial import cKDTree

    theta = (np.arange(THETA_BINS) + 0.5) / THETA_BINS * np.pi
    phi = (np.arange(PHI_BINS) + 0.5) / PHI_BINS * 2 * np.pi - np.pi
    t, f = np.meshgrid(theta, phi, indexing="ij")
    rays = np.stack([np.sin(t) * np.sin(f), np.cos(t), np.sin(t) * np.cos(f)], axis=-1)
    rel = head.vertices[scalp] - head.centre
    rel /= np.maximum(np.linalg.norm(rel, axis=1, keepdims=True), 1e-9)
    _, nearest = cKDTree(rel, **TREE).query(rays.reshape(-1, 3), k=1)
    return head.front_mm[scalp][nearest].reshape(THETA_BINS, PHI_BINS)


def _front_distance(
    vertices: np.ndarray, regions: np.ndarray, scalp: np.ndarray, centre: np.ndarray
) -> np.ndarray:
    """Each vertex's distance to the nearest forehead vertex bordering the scalp."""
    from scipy.spatial import cKDTree

    forehead = (regions == LABEL_IDS["skin"]) & (vertices[:, 2] > centre[2])
    forehead &= vertices[:, 1] > vertices[scalp, 1].min()
    out = np.full(len(vertices), 1e6)
    if forehead.sum() == 0:
        return out
    skin_tree = cKDTree(vertices[forehead])
    # the scalp's front rim: its 8% nearest the forehead. Only those distances matter, so
    # the search stops at RIM_SEARCH_MM when that leaves enough of them (the same rim).
    near, _ = skin_tree.query(vertices[scalp], k=1, distance_upper_bound=RIM_SEARCH_MM)
    if np.isfinite(near).sum() <= np.ceil(RIM_SHARE * (len(near) - 1)) + 1:
        near, _ = skin_tree.query(vertices[scalp], k=1)
    border = vertices[scalp][near < np.percentile(near, 100 * RIM_SHARE)]
    d, _ = cKDTree(border).query(vertices[scalp], k=1)
    out[scalp] = d
    return out
