"""Layer triangles hidden behind the head are skipped by the cpu rasteriser, never drawn
differently: the same frame with its layers labelled as head (no culling) matches."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.labels import LABEL_IDS
from morphgen.render.backend import Frame
from morphgen.render.camera import Intrinsics
from morphgen.render.cpu_backend import CpuBackend, _head_triangles

W = H = 48
F, C = 60.0, 24.0


def _strands(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random thin camera-facing triangles between 80 and 140 mm from the camera."""
    a = np.column_stack([rng.uniform(-40, 40, (n, 2)), -rng.uniform(80, 140, n)])
    b = a + np.column_stack([rng.uniform(-1.5, 1.5, n), rng.uniform(-30, 30, n), np.zeros(n)])
    q = a + np.column_stack([rng.uniform(0.5, 2.0, n), np.zeros(n), rng.uniform(-5, 5, n)])
    verts = np.stack([a, b, q], axis=1).reshape(-1, 3)
    tris = np.arange(3 * n).reshape(n, 3)
    # wound counter-clockwise as the camera sees it (front faces)
    ab, aq = b - a, q - a
    flip = np.einsum("ij,ij->i", np.cross(ab, aq), a) > 0
    tris[flip] = tris[flip][:, [0, 2, 1]]
    return verts, tris


def _frame(labels: np.ndarray, verts: np.ndarray, tris: np.ndarray) -> Frame:
    colors = np.random.default_rng(1).uniform(0, 1, verts.shape).astype(np.float32)
    return Frame(
        verts.astype(np.float32), tris.astype(np.int32), colors, labels.astype(np.uint8),
        Intrinsics(W, H, F, F, C, C),
    )  # fmt: skip


@pytest.mark.parametrize("supersample", [None, 2, 3])
def test_culled_layers_draw_as_without_culling(supersample):
    rng = np.random.default_rng(0)
    # the head: a wall at 100 mm over the middle of the image, in many small triangles
    g = np.linspace(-30, 30, 9)
    x, y = np.meshgrid(g, g)
    wall = np.column_stack([x.ravel(), y.ravel(), np.full(x.size, -100.0)])
    k = np.arange(64).reshape(8, 8)
    i = ((k // 8) * 9 + k % 8).ravel()
    wall_tris = np.concatenate([np.stack([i, i + 1, i + 10], 1), np.stack([i, i + 10, i + 9], 1)])
    strands, strand_tris = _strands(rng, 400)  # half of them behind the wall
    verts = np.concatenate([wall, strands])
    tris = np.concatenate([wall_tris, strand_tris + len(wall)])
    head = np.full(len(wall_tris), LABEL_IDS["skin"])
    layered = np.concatenate([head, np.full(len(strand_tris), LABEL_IDS["hair"])])
    flat = np.concatenate([head, np.full(len(strand_tris), LABEL_IDS["nose"])])
    assert _head_triangles(layered) == len(wall_tris) and _head_triangles(flat) == len(tris)
    backend = CpuBackend(supersample)
    culled, plain = (
        backend.draw(_frame(layered, verts, tris)),
        backend.draw(_frame(flat, verts, tris)),
    )
    seen = np.unique(culled.triangle_id)
    assert (seen >= len(wall_tris)).any() and (seen < len(wall_tris)).any()  # both visible
    for name in ("color", "alpha", "depth", "triangle_id"):
        assert np.array_equal(getattr(culled, name), getattr(plain, name)), name
    assert np.array_equal(culled.mask > 0, plain.mask > 0)
