"""The head as hair sees it: a centre, a radial height map for collisions and the scalp.

Everything is computed from one identity's neutral shape (model space, mm, y up, +z
forward) and the model's regions, so it fits any head of any model with a ``scalp``
region. What only the topology decides (vertex sets, which rim vertices and scalp vertices
are candidates for each nearest search) is found once per model on its mean shape
(``HeadFit``); per identity only distances among those candidates are measured.

The radial map stores, per direction from the head centre, the largest radius of the
head's surface there: a strand point closer to the centre than that plus its layer height
is pushed outwards along the ray (a star-shaped head, ears and all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from morphgen.labels import LABEL_IDS
from morphgen.render.hair.search import k_nearest, nearest_of

THETA_BINS = 64  # polar angle bins, 0 = straight up
PHI_BINS = 128  # azimuth bins around the vertical axis, 0 = straight ahead (+z)
HAIR_FREE = ("left_eye", "right_eye", "inner_mouth", "teeth")  # inside the head
BROWS = ("left_brow", "right_brow")
RIM_SHARE = 0.08  # the scalp's front rim: this share of it nearest the forehead


@dataclass
class Head:
    """Collision map, scalp mesh and per-vertex scalp fields of one identity."""

    centre: np.ndarray  # (3,) head centre (cranium)
    radius: np.ndarray  # (THETA_BINS, PHI_BINS) largest surface radius per direction
    vertices: np.ndarray  # (N, 3) the neutral shape
    normals: np.ndarray  # (N, 3) its unit vertex normals
    scalp_triangles: np.ndarray  # (T, 3) triangles whose corners are all scalp
    scalp_corners: np.ndarray  # (C,) the vertex ids of ``scalp_triangles``, ascending
    shell_triangles: np.ndarray  # (T', 3) the scalp as the hair's shell draws it
    shell_corners: np.ndarray  # (C',) the vertex ids of ``shell_triangles``, ascending
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


K_NEAREST = 16  # candidates per scalp vertex (rim) and per direction bin (scalp), on the mean


@dataclass(frozen=True)
class HeadFit:
    """What of the head fit is topological, found once per model on its mean shape: the
    vertex sets, each scalp vertex's nearest rim vertices and each direction bin's nearest
    scalp vertices. Per identity only distances among these candidates are measured."""

    scalp: np.ndarray  # (S,) scalp vertex ids
    scalp_triangles: np.ndarray  # (T, 3) triangles whose corners are all scalp
    scalp_corners: np.ndarray  # (C,) the vertex ids of ``scalp_triangles``, ascending
    shell_triangles: np.ndarray  # (T', 3) the scalp as the hair's shell draws it
    shell_corners: np.ndarray  # (C',) the vertex ids of ``shell_triangles``, ascending
    solid: np.ndarray  # (V,) ids of vertices the hair collides with (the chin cut aside)
    skin: np.ndarray  # (F,) skin vertex ids
    brows: np.ndarray  # (B,) brow vertex ids
    rim: np.ndarray  # (S, K) vertex ids of the front rim's nearest to each scalp vertex
    bin_scalp: np.ndarray  # (THETA_BINS * PHI_BINS, K) positions in ``scalp``, per bin

    @staticmethod
    def of(
        mean: np.ndarray,
        triangles: np.ndarray,
        regions: np.ndarray,
        drawn: np.ndarray | None = None,
    ) -> HeadFit | None:
        """The fit of a model with this mean shape; None when it has no scalp region.

        ``drawn``: the triangles (over the same vertex ids) the head is drawn with, when it is
        drawn reduced (``model.reduce``); the shell then lies over the scalp as drawn, while
        roots, collisions and the hairline still come from the model's own triangles."""
        is_scalp = regions == LABEL_IDS["scalp"]
        if is_scalp.sum() < 10:
            return None
        scalp = np.flatnonzero(is_scalp)
        centre = _centre(mean[scalp])
        rel = mean[scalp] - centre
        rel /= np.maximum(np.linalg.norm(rel, axis=1, keepdims=True), 1e-9)
        scalp_triangles = triangles[is_scalp[triangles].all(axis=1)]
        shell = scalp_triangles if drawn is None else drawn[is_scalp[drawn].all(axis=1)]
        return HeadFit(
            scalp=scalp,
            scalp_triangles=scalp_triangles,
            scalp_corners=np.unique(scalp_triangles),
            shell_triangles=shell,
            shell_corners=np.unique(shell),
            solid=np.flatnonzero(~np.isin(regions, [LABEL_IDS[n] for n in HAIR_FREE])),
            skin=np.flatnonzero(regions == LABEL_IDS["skin"]),
            brows=np.flatnonzero(np.isin(regions, [LABEL_IDS[n] for n in BROWS])),
            rim=_rim_candidates(mean, triangles, regions, centre),
            bin_scalp=k_nearest(_RAYS, rel, K_NEAREST)[0],
        )


def _centre(scalp: np.ndarray) -> np.ndarray:
    """The head centre: the middle of the scalp's bounding box."""
    return (scalp.min(axis=0) + scalp.max(axis=0)) / 2


def _rays() -> np.ndarray:
    """The unit direction of each bin's centre, ``(THETA_BINS * PHI_BINS, 3)``."""
    theta = (np.arange(THETA_BINS) + 0.5) / THETA_BINS * np.pi
    phi = (np.arange(PHI_BINS) + 0.5) / PHI_BINS * 2 * np.pi - np.pi
    t, f = np.meshgrid(theta, phi, indexing="ij")
    rays = np.stack([np.sin(t) * np.sin(f), np.cos(t), np.sin(t) * np.cos(f)], axis=-1)
    return rays.reshape(-1, 3)


_RAYS = _rays()


def _rim_candidates(
    mean: np.ndarray, triangles: np.ndarray, regions: np.ndarray, centre: np.ndarray
) -> np.ndarray:
    """Per scalp vertex, the ids of its ``K_NEAREST`` nearest front-rim vertices (the
    scalp's ``RIM_SHARE`` nearest the forehead: the skin in front bordering the scalp);
    ``(S, 0)`` without a forehead."""
    is_scalp = regions == LABEL_IDS["scalp"]
    scalp = np.flatnonzero(is_scalp)
    forehead = np.zeros(len(mean), dtype=bool)
    forehead[triangles[is_scalp[triangles].any(axis=1)]] = True
    forehead &= (regions == LABEL_IDS["skin"]) & (mean[:, 2] > centre[2])
    if not forehead.any():
        return np.zeros((len(scalp), 0), dtype=np.int32)
    near = k_nearest(mean[scalp], mean[forehead], 1)[1][:, 0]
    border = scalp[near < np.percentile(near, 100 * RIM_SHARE)]
    return border[k_nearest(mean[scalp], mean[border], K_NEAREST)[0]].astype(np.int32)


def build_head(fit: HeadFit, vertices: np.ndarray, normals: np.ndarray) -> Head:
    """The ``Head`` of one neutral shape of the model of ``fit``."""
    sv = vertices[fit.scalp]
    centre = _centre(sv)
    chin_y = float(vertices[fit.skin, 1].min())
    front_mm = np.full(len(vertices), 1e6)
    if fit.rim.shape[1]:
        front_mm[fit.scalp] = nearest_of(sv, vertices, fit.rim)[1]
    rel = sv - centre
    rel /= np.maximum(np.linalg.norm(rel, axis=1, keepdims=True), 1e-9)
    nearest = nearest_of(_RAYS, rel, fit.bin_scalp)[0]
    top = sv[:, 1] - 0.6 * sv[:, 2]  # top and back
    return Head(
        centre=centre,
        # the head only: hair hangs free past neck and shoulders
        radius=_radial_map(vertices, fit.solid, centre, chin_y),
        vertices=vertices,
        normals=normals,
        scalp_triangles=fit.scalp_triangles,
        scalp_corners=fit.scalp_corners,
        shell_triangles=fit.shell_triangles,
        shell_corners=fit.shell_corners,
        front_mm=front_mm,
        front_map=front_mm[fit.scalp][nearest].reshape(THETA_BINS, PHI_BINS),
        crown=sv[np.argmax(top)],
        top_y=float(sv[:, 1].max()),
        chin_y=chin_y,
        front_z=float(vertices[:, 2].max()),
        face_half_width=_face_half_width(vertices[fit.skin], centre, chin_y),
        brow_y=_brow_height(vertices[fit.brows], centre, chin_y),
    )


def _brow_height(brows: np.ndarray, centre: np.ndarray, chin_y: float) -> float:
    """The top of the brow vertices; without them, a tenth of the way from centre to chin."""
    if len(brows):
        return float(brows[:, 1].max())
    return float(centre[1] + 0.1 * (chin_y - centre[1]))


def _face_half_width(skin: np.ndarray, centre: np.ndarray, chin_y: float) -> float:
    """Half the width of the face (skin in front of the centre, below the scalp) + 6 mm."""
    face = (skin[:, 2] > centre[2]) & (skin[:, 1] > chin_y) & (skin[:, 1] < centre[1])
    if not face.any():
        return 70.0
    return float(np.abs(skin[face, 0] - centre[0]).max()) + 6.0


def _dilate3(grid: np.ndarray) -> np.ndarray:
    """A 3x3 maximum filter that wraps at the edges (a flat grey dilation, as scipy.ndimage's
    ``grey_dilation(size=(3, 3), mode="wrap")``; scipy.ndimage would cost every worker ~20 MB)."""
    h, w = grid.shape
    padded = np.pad(grid, 1, mode="wrap")
    out = grid.copy()
    for dy in range(3):
        for dx in range(3):
            np.maximum(out, padded[dy : dy + h, dx : dx + w], out=out)
    return out


@njit(cache=True, nogil=True)
def _bin_max(vertices, ids, centre, above_y, out):  # pragma: no cover - jitted
    """``out[bin]``: the largest distance from ``centre`` of the vertices ``ids`` higher
    than ``above_y`` in each direction bin (``Head.bins``'s binning; numpy's
    ``maximum.at`` took 3.5 ms of 50k points)."""
    out[:] = 0.0
    for v in ids:
        if vertices[v, 1] <= above_y:
            continue
        x = vertices[v, 0] - centre[0]
        y = vertices[v, 1] - centre[1]
        z = vertices[v, 2] - centre[2]
        r = max(np.sqrt(x * x + y * y + z * z), 1e-6)
        theta = np.arccos(min(max(y / r, -1.0), 1.0))
        ti = min(int(theta / np.pi * THETA_BINS), THETA_BINS - 1)
        pi = int((np.arctan2(x, z) + np.pi) / (2 * np.pi) * PHI_BINS) % PHI_BINS
        out[ti, pi] = max(out[ti, pi], r)


def _radial_map(vertices: np.ndarray, ids: np.ndarray, centre: np.ndarray, above_y: float):
    """Per-direction maximum radius of the vertices ``ids`` higher than ``above_y``, holes
    filled from their neighbours."""
    out = np.empty((THETA_BINS, PHI_BINS))
    _bin_max(vertices, ids, centre.astype(np.float64), above_y, out)
    out = _dilate3(out)
    for _ in range(THETA_BINS):
        holes = out <= 0
        if not holes.any():
            break
        grown = _dilate3(out)
        out[holes] = grown[holes]
    return out
