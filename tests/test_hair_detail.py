"""Strand level of detail: fewer, wider strands in small images, the same hair coverage."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.render.hair import grow as grow_module
from morphgen.render.hair import mesh
from morphgen.render.hair.head import Head, HeadFit, build_head
from morphgen.render.normals import vertex_normals
from morphgen.render.renderer import Renderer
from morphgen.scene import CameraParams, HairParams, Illumination, SceneParams

LIGHT = Illumination(sh=np.array([[1.0, 1.0, 1.0]] + [[0.0] * 3] * 8, dtype=np.float32))
STYLES = {
    "short": HairParams(style="short", length_mm=60, volume_mm=9, seed=2),
    "medium": HairParams(style="medium", length_mm=130, volume_mm=12, seed=3, parting=0.3),
    "long": HairParams(style="long", length_mm=260, volume_mm=15, seed=4),
    "curly": HairParams(style="curly", length_mm=110, volume_mm=14, curl=0.8, seed=5),
}


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def head(model):
    shape = model.shape.mean.reshape(-1, 3).astype(np.float64)
    normals = vertex_normals(shape, model.triangles)
    return build_head(HeadFit.of(shape, model.triangles, model.regions), shape, normals)


def _scene(hair: HairParams, size: int, yaw: float) -> SceneParams:
    return SceneParams(
        identity=0, sample=0, shape=np.zeros(0, np.float32), color=np.zeros(0, np.float32),
        expression=np.zeros(0, np.float32), blendshapes=np.zeros(0, np.float32), yaw=yaw,
        camera=CameraParams(width=size, height=size), hair=hair, illumination=LIGHT,
    )  # fmt: skip


def _strand_triangles(head: Head, hair: HairParams, size: int) -> int:
    layers = mesh.hair_layers(head, hair, mesh.detail(size, size))
    return sum(layer.n_triangles for layer in layers if layer.widths is not None)


def _hair_masks(model, hair: HairParams) -> list[np.ndarray]:
    """Where hair is drawn at 256 px, from the front and the side."""
    renderer = Renderer(model, "cpu")
    masks = [renderer.render(_scene(hair, 256, yaw)).mask == LABEL_IDS["hair"] for yaw in (0, 60)]
    renderer.close()
    return masks


def test_share_falls_steeply_below_512_px_and_keeps_curls():
    levels = [mesh.detail(s, s) for s in (128, 192, 256, 384, 512, 1024)]
    straight = [mesh.strand_share(level, curled=False) for level in levels]
    assert straight == sorted(straight), "more strands in larger images"
    # 512 px and above keep their count (twice the profile's); below, the square law
    assert straight[4] == straight[5] == 2.0
    assert straight[2] == pytest.approx(0.5) and straight[0] >= mesh.MIN_SHARE
    # curls keep the linear rule: a ribbon as wide as a curl's radius would smear it
    assert [mesh.strand_share(level, curled=True) for level in levels] == levels


@pytest.mark.parametrize("style", ["short", "medium", "long"])
def test_fewer_wider_strands_cover_the_same_hair(model, head, style, monkeypatch):
    """At 256 px straight styles draw about half the strand triangles of the linear rule
    (count times the level), and the hair covers about the pixels it covered with them,
    from the front and the side: measured 0-10% more (wider ribbons reach further past the
    outermost strands), where another seed of the same style varies by about 2%."""
    hair = STYLES[style]
    fewer, covered = _strand_triangles(head, hair, 256), _hair_masks(model, hair)
    monkeypatch.setattr(mesh, "strand_share", lambda level, curled: level)
    linear, before = _strand_triangles(head, hair, 256), _hair_masks(model, hair)
    assert 0.4 * linear < fewer < 0.6 * linear
    for now, then in zip(covered, before, strict=True):
        assert 0.97 * then.sum() < now.sum() < 1.12 * then.sum()
        # the same region: most hair pixels of either rule are hair in the other
        assert (now & then).sum() > 0.85 * min(now.sum(), then.sum())


def test_curly_and_large_images_keep_their_strands(head, monkeypatch):
    """Only straight styles below 512 px lose strands to the level of detail."""
    counts = {
        (style, size): _strand_triangles(head, STYLES[style], size)
        for style in ("curly", "medium")
        for size in (256, 512)
    }
    monkeypatch.setattr(mesh, "strand_share", lambda level, curled: level)
    for key in counts:
        assert (_strand_triangles(head, STYLES[key[0]], key[1]) == counts[key]) == (
            key != ("medium", 256)
        )


def _sheet_triangles(head: Head, hair: HairParams, size: int) -> int:
    layers = mesh.hair_layers(head, hair, mesh.detail(size, size))
    return sum(g.n_triangles for g in layers if g.widths is None and g.two_sided)


def test_a_coarse_fringe_sheet_looks_the_same_at_256_px(model, head, monkeypatch):
    """Up to 256 px the fringe's sheet runs through the points the coarse strands keep
    (about a quarter of the subdivided sheet's triangles) and draws the same image."""
    hair = HairParams(style="medium", length_mm=110, volume_mm=10, fringe=1.0, seed=6)
    renderer = Renderer(model, "cpu")
    coarse = [renderer.render(_scene(hair, 256, yaw)) for yaw in (0, 30)]
    triangles, large = _sheet_triangles(head, hair, 256), _sheet_triangles(head, hair, 512)
    full = mesh._fringe_sheet
    monkeypatch.setattr(mesh, "_fringe_sheet", lambda h, pts, c, coarse: full(h, pts, c, False))
    renderer = Renderer(model, "cpu")
    fine = [renderer.render(_scene(hair, 256, yaw)) for yaw in (0, 30)]
    assert 0.15 < triangles / _sheet_triangles(head, hair, 256) < 0.35
    assert _sheet_triangles(head, hair, 512) == large  # 512 px: the subdivided sheet as before
    for a, b in zip(coarse, fine, strict=True):
        hair_a, hair_b = a.mask == LABEL_IDS["hair"], b.mask == LABEL_IDS["hair"]
        assert hair_a.sum() > 2000
        assert (hair_a != hair_b).sum() < 0.01 * hair_a.sum()
        assert np.abs(a.rgb.astype(int) - b.rgb.astype(int)).mean() < 0.5


@pytest.mark.parametrize("style", list(STYLES))
def test_the_inner_strands_are_left_out_at_256_px(model, head, style, monkeypatch):
    """At 256 px only the outer half of the strands (by layer) is grown and drawn: about half
    the strand triangles, and the hair covers nearly the pixels all of them cover, from the
    front and the side (measured 92-99% as many, 90-98% of them the same pixels), in about
    the same colours (mean difference 4-8 levels of 255 over the hair)."""
    hair = STYLES[style]
    renderer = Renderer(model, "cpu")
    outer = [renderer.render(_scene(hair, 256, yaw)) for yaw in (0, 60)]
    triangles = _strand_triangles(head, hair, 256)
    monkeypatch.setattr(mesh, "OUTER_SHARE", 1.0)
    renderer = Renderer(model, "cpu")
    every = [renderer.render(_scene(hair, 256, yaw)) for yaw in (0, 60)]
    assert 0.4 < triangles / _strand_triangles(head, hair, 256) < 0.6
    for a, b in zip(outer, every, strict=True):
        hair_a, hair_b = a.mask == LABEL_IDS["hair"], b.mask == LABEL_IDS["hair"]
        assert 0.88 * hair_b.sum() < hair_a.sum() <= 1.02 * hair_b.sum()
        assert (hair_a & hair_b).sum() > 0.85 * hair_b.sum()
        either = hair_a | hair_b
        assert np.abs(a.rgb[either].astype(int) - b.rgb[either].astype(int)).mean() < 12


def test_only_the_outer_strands_grow_and_the_fringe_keeps_its_own(head):
    """``grow(outer=s)`` keeps the share ``s`` of strands with the highest layers, and every
    fringe strand (which lies over the forehead alone)."""
    hair = HairParams(style="medium", length_mm=110, volume_mm=10, fringe=1.0, seed=6)
    prof = grow_module.PROFILES["medium"]
    every = grow_module.grow(head, hair, prof, np.random.default_rng(1))
    outer = grow_module.grow(head, hair, prof, np.random.default_rng(1), outer=0.5)
    assert outer.fringe.sum() == every.fringe.sum() > 0
    rest, rest_all = outer.layer[~outer.fringe], every.layer[~every.fringe]
    assert rest.min() >= 0.5**grow_module.LAYER_POWER
    assert 0.4 * len(rest_all) < len(rest) < 0.6 * len(rest_all)
    # the strands left out are the inner ones: the kept layers are the upper half
    assert np.median(rest) > np.quantile(rest_all, 0.7)
