"""A synthetic head-like model of any size, for tests and benchmarks (no Basel data).

``synthetic_model()`` with its defaults matches a BFM 2017 model's size: about 53,000
vertices, 105,000 triangles and 199 / 199 / 100 shape, colour and expression components.
The mesh is an ellipsoid with a nose bump; bases are smooth random fields made orthonormal.
"""

from __future__ import annotations

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.model.morphable import MorphableModel, PCAComponent

# Ellipsoid half-axes in mm: width, height, depth of a head.
_AXES = np.array([75.0, 100.0, 90.0], dtype=np.float32)


def _grid_mesh(n_lat: int, n_lon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices, triangles and (theta, phi) of a closed latitude/longitude ellipsoid."""
    theta = np.linspace(0.02, np.pi - 0.02, n_lat, dtype=np.float64)  # from +y down
    phi = np.linspace(-np.pi, np.pi, n_lon, endpoint=False)  # 0 faces +z
    t, p = np.meshgrid(theta, phi, indexing="ij")
    unit = np.stack([np.sin(t) * np.sin(p), np.cos(t), np.sin(t) * np.cos(p)], axis=-1)
    front = np.clip(np.cos(p) * np.sin(t), 0.0, None)
    nose = 25.0 * np.exp(-((p / 0.18) ** 2) - (((t - np.pi / 2) / 0.25) ** 2)) * front
    verts = unit * _AXES + unit * nose[..., None]
    idx = np.arange(n_lat * n_lon).reshape(n_lat, n_lon)
    a, b = idx[:-1], np.roll(idx, -1, axis=1)[:-1]
    c, d = idx[1:], np.roll(idx, -1, axis=1)[1:]
    # counter-clockwise seen from outside
    tris = np.concatenate(
        [np.stack([a, c, b], -1).reshape(-1, 3), np.stack([b, c, d], -1).reshape(-1, 3)]
    )
    return verts.reshape(-1, 3).astype(np.float32), tris.astype(np.int32), np.stack([t, p], -1)


def _smooth_basis(
    points: np.ndarray, k: int, rng: np.random.Generator, normals: np.ndarray | None
) -> np.ndarray:
    """``k`` orthonormal columns of smooth random displacement (or colour) fields."""
    n = points.shape[0]
    scale = points / np.abs(points).max()
    fields = np.empty((3 * n, k), dtype=np.float32)
    for col in range(k):
        freq = rng.normal(size=(4, 3)) * (1.0 + col / 40.0)
        phase = rng.uniform(0, 2 * np.pi, size=4)
        amp = np.sin(scale @ freq.T + phase).sum(axis=1)
        if normals is not None:
            vec = normals * amp[:, None]
        else:
            vec = amp[:, None] * rng.normal(size=(1, 3))
        fields[:, col] = vec.reshape(-1)
    q, _ = np.linalg.qr(fields.astype(np.float64))
    return q.astype(np.float32)


def _regions(angles: np.ndarray) -> np.ndarray:
    """Label each vertex from its (theta, phi) position on the head."""
    t, p = angles[..., 0], angles[..., 1]
    regions = np.full(t.shape, LABEL_IDS["skin"], dtype=np.uint8)
    regions[t < 0.6] = LABEL_IDS["scalp"]
    regions[t > 2.4] = LABEL_IDS["neck"]
    regions[(np.abs(p) < 0.18) & (np.abs(t - np.pi / 2) < 0.25)] = LABEL_IDS["nose"]
    for side, sign in (("left", 1.0), ("right", -1.0)):
        eye = (np.abs(p - sign * 0.45) < 0.15) & (np.abs(t - 1.25) < 0.08)
        brow = (np.abs(p - sign * 0.45) < 0.2) & (np.abs(t - 1.08) < 0.05)
        ear = (np.abs(p - sign * np.pi / 2) < 0.12) & (np.abs(t - 1.5) < 0.2)
        regions[eye] = LABEL_IDS[f"{side}_eye"]
        regions[brow] = LABEL_IDS[f"{side}_brow"]
        regions[ear] = LABEL_IDS[f"{side}_ear"]
    mouth = np.abs(p) < 0.35
    regions[mouth & (np.abs(t - 1.98) < 0.03)] = LABEL_IDS["upper_lip"]
    regions[mouth & (np.abs(t - 2.04) < 0.03)] = LABEL_IDS["lower_lip"]
    return regions.reshape(-1)


def _landmarks(angles: np.ndarray, n_lon: int) -> dict[str, int]:
    """68 iBUG-ordered landmarks at plausible angles, named ibug01..ibug68.

    iBUG numbers from the subject's right (-x): jaw 1-17, right brow 18-22, right eye 37-42,
    mouth corner 49 (REFERENCE section 4).
    """
    t = angles[:, 0, 0]
    p = angles[0, :, 1]

    def vertex(theta: float, phi: float) -> int:
        return int(np.abs(t - theta).argmin() * n_lon + np.abs(p - phi).argmin())

    pts: list[tuple[float, float]] = []
    pts += [(1.6 + 0.5 * np.sin(a), -1.2 * np.cos(a)) for a in np.linspace(0, np.pi, 17)]
    pts += [(1.08, -0.65 + 0.1 * i) for i in range(5)] + [(1.08, 0.25 + 0.1 * i) for i in range(5)]
    pts += [(1.3 + 0.06 * i, 0.0) for i in range(4)] + [(1.7, -0.12 + 0.06 * i) for i in range(5)]
    for centre in (-0.45, 0.45):
        pts += [(1.25 + 0.03 * np.sin(a), centre - 0.15 * np.cos(a)) for a in np.linspace(0, 5, 6)]
    pts += [(2.0 + 0.05 * np.sin(a), -0.35 * np.cos(a)) for a in np.linspace(0, 6, 12)]
    pts += [(2.01 + 0.01 * np.sin(a), -0.25 * np.cos(a)) for a in np.linspace(0, 6, 8)]
    return {f"ibug{i + 1:02d}": vertex(th, ph) for i, (th, ph) in enumerate(pts)}


def synthetic_model(
    n_lat: int = 163,
    n_lon: int = 327,
    components: tuple[int, int, int] = (199, 199, 100),
    seed: int = 0,
    uv: bool = False,
) -> MorphableModel:
    """A head-like model; the defaults give BFM 2017's size (53,301 vertices, 105,948 tris).

    ``uv`` adds per-corner texture coordinates: longitude across, latitude down, with the
    seam at the back of the head.
    """
    rng = np.random.default_rng(seed)
    verts, tris, angles = _grid_mesh(n_lat, n_lon)
    normals = verts / np.linalg.norm(verts, axis=1, keepdims=True)
    ks, kc, ke = components
    shape_basis = _smooth_basis(verts, ks, rng, normals)
    color_basis = _smooth_basis(verts, kc, rng, None)
    expr_basis = _smooth_basis(verts, ke, rng, normals)
    # variances fall like a real PCA spectrum; mm^2 for shape/expression, colour in [0,1]^2
    decay = lambda k, top: (top / (1.0 + np.arange(k)) ** 1.5).astype(np.float32)  # noqa: E731
    skin = np.tile(np.array([0.72, 0.52, 0.42], dtype=np.float32), verts.shape[0])
    return MorphableModel(
        shape=PCAComponent(verts.reshape(-1), shape_basis, decay(ks, 2.5e5)),
        color=PCAComponent(skin, color_basis, decay(kc, 2.0e2)),
        expression=PCAComponent(np.zeros(3 * verts.shape[0]), expr_basis, decay(ke, 5.0e4)),
        triangles=tris,
        landmarks=_landmarks(angles, n_lon),
        regions=_regions(angles),
        name=f"synthetic-{verts.shape[0]}",
        source="synthetic",
        uv=_grid_uv(n_lat, n_lon) if uv else None,
    )


def _grid_uv(n_lat: int, n_lon: int) -> np.ndarray:
    """Per-corner UVs of ``_grid_mesh``'s triangles, in its order (the seam's corners get u = 1)."""
    rows, cols = np.meshgrid(np.arange(n_lat - 1), np.arange(n_lon), indexing="ij")
    margin = 0.02  # keep the islands off the texture's border
    u = lambda c: margin + (1 - 2 * margin) * c / n_lon  # noqa: E731
    v = lambda r: margin + (1 - 2 * margin) * r / (n_lat - 1)  # noqa: E731
    a = np.stack([u(cols), v(rows)], -1)
    b = np.stack([u(cols + 1), v(rows)], -1)
    c = np.stack([u(cols), v(rows + 1)], -1)
    d = np.stack([u(cols + 1), v(rows + 1)], -1)
    first = np.stack([a, c, b], -2).reshape(-1, 3, 2)
    second = np.stack([b, c, d], -2).reshape(-1, 3, 2)
    return np.concatenate([first, second]).astype(np.float32)
