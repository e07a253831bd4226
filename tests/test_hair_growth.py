"""Strand geometry: hair hugs the head where it should, with no stray loops off the scalp."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from morphgen.model.load import load_model
from morphgen.render.hair.grow import PROFILES, grow, hang_y
from morphgen.render.hair.head import HeadFit, build_head
from morphgen.render.hair.mesh import hair_layers
from morphgen.render.normals import triangle_areas, vertex_normals
from morphgen.scene import HairParams


@pytest.fixture(scope="module")
def head():
    model = load_model()
    shape = model.shape.mean.reshape(-1, 3).astype(np.float64)
    normals = vertex_normals(shape, model.triangles)
    return build_head(HeadFit.of(shape, model.triangles, model.regions), shape, normals)


@pytest.mark.parametrize(
    ("style", "length", "volume"), [("short", 50, 9), ("medium", 120, 12), ("long", 250, 16)]
)
def test_hair_is_thin_at_the_hairline(head, style, length, volume):
    """Strands combed back from the hairline pile up behind it: over the first 20 mm behind
    the hairline the hair stays within half its volume of the scalp (a strand at full
    volume there stands alone above the few under it, a loop in the air over the forehead).
    Heights and hairline distances are measured from the scalp vertex nearest each point."""
    p = HairParams(style=style, length_mm=length, volume_mm=volume, parting=0.3, seed=5)
    strands = grow(head, p, PROFILES[style], np.random.default_rng(3))
    pts = strands.points.reshape(-1, 3).astype(np.float64)
    distance, nearest = cKDTree(head.vertices).query(pts)
    over_scalp = np.isin(nearest, np.unique(head.scalp_triangles))
    front = head.front_mm[nearest]
    upper = over_scalp & (pts[:, 1] > head.brow_y + 20.0)  # over the scalp's top, not hanging
    near_line = upper & (front < 20.0)
    assert near_line.sum() > 50, "strands pass over the front of the scalp"
    assert np.percentile(distance[near_line], 99) <= 0.5 * volume + 2.0
    # and behind it the hair still has its volume
    behind = upper & (front > 100.0)
    assert np.percentile(distance[behind], 90) >= 0.6 * volume


@pytest.mark.parametrize(("style", "length", "most"), [("medium", 125, 0.25), ("long", 250, 0.05)])
def test_hair_hangs_below_the_ears(head, style, length, most):
    """Below halfway from the head's centre down to the chin, medium and long hair hangs:
    few of its segments run more sideways or forwards than down (when strands hugged the
    head there too, they followed the jaw round to the front: 41% and 13% did, whiskers
    sticking out at the cheeks)."""
    p = HairParams(style=style, length_mm=length, volume_mm=14, parting=-0.2, fringe=0.5, seed=5)
    pts = grow(head, p, PROFILES[style], np.random.default_rng(3)).points.astype(np.float64)
    seg = np.diff(pts, axis=1)
    low = pts[:, 1:, 1] < head.centre[1] + 0.5 * (head.chin_y - head.centre[1])
    sideways = np.hypot(seg[..., 0], seg[..., 2]) > np.abs(seg[..., 1])
    assert low.sum() > 500
    assert sideways[low].mean() < most


@pytest.mark.parametrize(
    ("style", "length", "volume"), [("short", 50, 9), ("medium", 125, 12), ("long", 250, 14)]
)
def test_no_strand_flies_off_the_head(head, style, length, volume):
    """Down to halfway from the head's centre to the chin, every strand point of a style that
    hugs the head lies within its volume (+ 5 mm) of the head's surface (the nearest mesh
    vertex): strands that left the hugging band used to fly straight out, 28-61 mm off."""
    p = HairParams(style=style, length_mm=length, volume_mm=volume, parting=0.3, fringe=0.5)
    pts = grow(head, p, PROFILES[style], np.random.default_rng(5)).points.reshape(-1, 3)
    upper = pts[:, 1] > head.centre[1] + 0.5 * (head.chin_y - head.centre[1])
    distance, _ = cKDTree(head.vertices).query(pts[upper].astype(np.float64))
    assert upper.sum() > 1000
    assert distance.max() <= volume + 5.0


@pytest.mark.parametrize(("style", "length"), [("medium", 125), ("long", 250)])
def test_hanging_hair_falls_down_not_over_the_face(head, style, length):
    """Below the ears (``hang_y``) medium and long strands fall as one mass: per mm they drop,
    they travel at most 0.02 mm forwards (towards the face) and 0.2 mm sideways in all.
    Strands that kept the direction they had when they left the head fanned out over the
    cheeks as separate lines: 0.27 (medium) and 0.07 (long) mm forwards per mm of drop."""
    p = HairParams(style=style, length_mm=length, volume_mm=14, parting=0.4, fringe=0.5, seed=5)
    pts = grow(head, p, PROFILES[style], np.random.default_rng(5)).points.astype(np.float64)
    seg = np.diff(pts, axis=1)
    low = pts[:, :-1, 1] < hang_y(head)
    drop = -seg[..., 1][low].sum()
    assert low.sum() > 500 and drop > 0
    assert np.maximum(seg[..., 2], 0.0)[low].sum() / drop <= 0.02
    assert np.hypot(seg[..., 0], seg[..., 2])[low].sum() / drop <= 0.2


def _turn_degrees(pts: np.ndarray) -> np.ndarray:
    """The angle between consecutive segments at every inner point of polylines (S, N, 3)."""
    seg = np.diff(pts, axis=1)
    seg /= np.maximum(np.linalg.norm(seg, axis=-1, keepdims=True), 1e-9)
    return np.degrees(np.arccos(np.clip(np.sum(seg[:, 1:] * seg[:, :-1], axis=-1), -1, 1)))


@pytest.mark.parametrize(("style", "length", "volume"), [("curly", 130, 25), ("afro", 60, 45)])
def test_curls_are_round_at_512_px(head, style, length, volume):
    """At 512 px (detail 2) a curl turn has enough points to look round: the bends between a
    curled strand's segments are under 45 degrees at the median and 70 at the 90th
    percentile (an octagon's are 45; with under three points per turn the strands were
    zig-zag lines: median 70-75, 90th percentile 90-120 degrees)."""
    p = HairParams(style=style, length_mm=length, volume_mm=volume, curl=1.0, seed=5)
    ribbons = hair_layers(head, p, level=2.0)[-1]
    # a strand of n points is n vertices and 2 (n - 1) triangles
    n = round(2.0 / (2.0 - ribbons.n_triangles / len(ribbons.vertices)))
    pts = ribbons.vertices.reshape(-1, n, 3).astype(np.float64)
    median, high = np.percentile(_turn_degrees(pts), [50, 90])
    assert median < 45.0 and high < 70.0


@pytest.mark.parametrize(("style", "length"), [("medium", 125), ("long", 250)])
def test_nape_hair_falls_down_the_back(head, style, length):
    """Hair rooted low on the back of the head (50 mm below its centre, behind it) falls down
    the back: none of it comes round in front of the ears (before, combed sideways from the
    parting, a few such strands ran round the head at ear height to 30-36 mm in front of its
    centre, lines flying out sideways)."""
    p = HairParams(style=style, length_mm=length, volume_mm=12, parting=0.3, fringe=0.5, seed=5)
    pts = grow(head, p, PROFILES[style], np.random.default_rng(5)).points.astype(np.float64)
    rel = pts - head.centre
    nape = (rel[:, 0, 1] < -50.0) & (rel[:, 0, 2] < 0.0)
    assert nape.sum() > 50
    assert rel[nape, :, 2].max() < 0.0


def test_root_sampling_weighs_each_scalp_triangle_by_its_area():
    """``triangle_areas`` (the roots' weights) against Heron's formula on random triangles."""
    rng = np.random.default_rng(5)
    vertices = rng.normal(size=(50, 3)) * 30.0
    triangles = rng.integers(0, 50, (200, 3)).astype(np.int32)
    out = triangle_areas(vertices, triangles)
    p, q, r = (vertices[triangles[:, k]] for k in range(3))
    a, b, c = (np.linalg.norm(x - y, axis=1) for x, y in ((p, q), (q, r), (r, p)))
    s = (a + b + c) / 2
    heron = np.sqrt(np.clip(s * (s - a) * (s - b) * (s - c), 0.0, None))
    np.testing.assert_allclose(out, heron, rtol=1e-6, atol=1e-6)
