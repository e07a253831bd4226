"""The head's level of detail: decimation over original vertices, the reduced model, and
``render.detail`` choosing it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from morphgen.config.loader import load_config
from morphgen.config.schema import Config
from morphgen.errors import ConfigError
from morphgen.labels import LABEL_IDS
from morphgen.model.decimate import decimate, locked_vertices
from morphgen.model.reduce import TRIANGLES_PER_PIXEL, auto_triangles, reduced
from morphgen.model.synthetic import synthetic_model
from morphgen.render.renderer import Renderer
from morphgen.run.build import build_renderer
from morphgen.sampling.sampler import Sampler


@pytest.fixture(scope="module")
def model():
    return synthetic_model(n_lat=60, n_lon=120, components=(6, 5, 4))


@pytest.fixture(scope="module")
def half(model):
    return reduced(model, model.n_triangles // 2)


def _edges(triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undirected edges and how many triangles use each."""
    e = np.sort(np.asarray(triangles, dtype=np.int64)[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), 1)
    return np.unique(e, axis=0, return_counts=True)


def _face_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    v = vertices[triangles]
    n = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    return n / np.linalg.norm(n, axis=1, keepdims=True)


def test_decimation_keeps_a_sound_surface_over_original_vertices(model):
    mean = model.mean_vertices()
    marks = np.array(sorted(model.landmarks.values()))
    locked = locked_vertices(model.triangles, model.n_vertices, model.regions, marks)
    target = model.n_triangles // 4
    tris = decimate(mean, model.triangles, locked, target)
    assert 0.9 * target <= len(tris) <= target
    assert tris.min() >= 0 and tris.max() < model.n_vertices
    # every locked vertex is still used, and the open boundary is the same edges
    used = np.isin(np.arange(len(mean)), model.triangles)
    assert np.isin(np.flatnonzero(locked & used), tris).all()
    edges, counts = _edges(tris)
    assert counts.max() == 2  # manifold: no edge in three triangles
    old_edges, old_counts = _edges(model.triangles)
    np.testing.assert_array_equal(edges[counts == 1], old_edges[old_counts == 1])
    assert len(np.unique(np.sort(tris, axis=1), axis=0)) == len(tris)  # no duplicates
    # winding kept: each triangle faces the way the surface faced at its corners
    vn = np.zeros_like(mean)
    normals = np.repeat(_face_normals(mean, model.triangles), 3, axis=0)
    np.add.at(vn, model.triangles.reshape(-1), normals)
    corner = vn[tris].sum(axis=1)
    assert (np.sum(_face_normals(mean, tris) * corner, axis=1) > 0).all()

    # the same surface: its area within 2%, its vertices on it (all are original ones)
    def area(t):
        v = mean[t]
        return np.linalg.norm(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]), axis=1).sum() / 2

    assert area(tris) == pytest.approx(area(model.triangles), rel=0.02)
    np.testing.assert_array_equal(tris, decimate(mean, model.triangles, locked, target))


def test_locked_vertices_are_boundaries_outlines_and_the_kept(model):
    locked = locked_vertices(model.triangles, model.n_vertices, model.regions, np.array([0]))
    edges, counts = _edges(model.triangles)
    r = model.regions
    assert locked[edges[counts == 1]].all()
    assert locked[edges[r[edges[:, 0]] != r[edges[:, 1]]]].all()
    assert locked[0]
    inner = edges[(counts == 2) & (r[edges[:, 0]] == r[edges[:, 1]])]
    assert not locked[inner].all()  # something is left to collapse


def test_reduced_model_is_the_model_at_its_kept_vertices(model, half):
    ids = half.vertex_ids
    assert half.n_triangles <= model.n_triangles // 2 and half.n_vertices < model.n_vertices
    assert (np.diff(ids) > 0).all()
    rng = np.random.default_rng(0)
    for part, instance in (("shape", "shape_instance"), ("color", "color_instance")):
        c = rng.standard_normal(getattr(model, part).n_components).astype(np.float32)
        np.testing.assert_allclose(
            getattr(half, instance)(c), getattr(model, instance)(c)[ids], atol=1e-4
        )
    e = rng.standard_normal(model.expression.n_components).astype(np.float32)
    np.testing.assert_allclose(
        half.expression_offsets(e), model.expression_offsets(e)[:, ids], atol=1e-4
    )
    np.testing.assert_array_equal(half.regions, model.regions[ids])
    assert half.landmarks.keys() == model.landmarks.keys()
    for name, v in model.landmarks.items():
        np.testing.assert_array_equal(
            half.mean_vertices()[half.landmarks[name]], model.mean_vertices()[v]
        )
    eyes = np.flatnonzero(np.isin(model.regions, [LABEL_IDS["left_eye"], LABEL_IDS["right_eye"]]))
    assert np.isin(eyes, ids).all()  # kept whole


def test_a_textured_model_is_never_reduced():
    textured = synthetic_model(n_lat=60, n_lon=120, components=(2, 2, 2), uv=True)
    assert auto_triangles(textured, 64, 64) is None
    with pytest.raises(ValueError, match="texture coordinates"):
        reduced(textured, 1000)


def test_auto_reduces_only_meshes_far_finer_than_the_image(model):
    plain = dataclasses.replace(model)
    assert auto_triangles(plain, 64, 64) == round(TRIANGLES_PER_PIXEL * 64 * 64)
    # under half the triangles at this size: not worth a different mesh
    assert auto_triangles(plain, 256, 256) is None


def _config(size: int, detail: str = "auto", extras: tuple[str, ...] = ()) -> Config:
    return Config.model_validate(
        {
            "camera": {"width": size, "height": size},
            "render": {"detail": detail},
            "output": {"extras": list(extras)},
        }
    )


def test_build_renderer_draws_the_reduced_model_only_where_asked(model, tmp_path, monkeypatch):
    monkeypatch.setenv("MORPHGEN_CACHE", str(tmp_path))
    m = dataclasses.replace(model)
    m.sha256 = "0" * 64
    auto = build_renderer(m, _config(64), "cpu")
    assert auto.source is m and auto.model.vertex_ids is not None
    expected = reduced(m, auto_triangles(m, 64, 64))
    np.testing.assert_array_equal(auto.model.triangles, expected.triangles)
    again = build_renderer(m, _config(64), "cpu")  # the reduction is cached and mapped
    assert isinstance(again.model.shape.basis.base, np.memmap)
    np.testing.assert_array_equal(again.model.triangles, auto.model.triangles)
    assert build_renderer(m, _config(64, "full"), "cpu").model is m
    assert build_renderer(m, _config(64, extras=("correspondence",)), "cpu").model is m
    assert build_renderer(m, _config(256), "cpu").model is m


def test_render_detail_is_validated(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("render: {detail: coarse}\n")
    with pytest.raises(ConfigError, match="render.detail"):
        load_config(path)


def test_reduced_render_matches_the_full_one(model, half):
    sampler = Sampler(_config(128), model)
    for identity in range(3):
        _agree(model, half, sampler.scene(identity, 0))
    with pytest.raises(ValueError, match="reduced"):
        Renderer(model, "cpu", drawn=model)


def _agree(model, half, scene):
    full = Renderer(model, "cpu").render(scene)
    lod = Renderer(model, "cpu", drawn=half).render(scene)
    # the same head in the same place: labels agree but for edge pixels
    assert np.mean(full.mask == lod.mask) > 0.99
    np.testing.assert_allclose(lod.landmarks, full.landmarks, atol=0.5)
    face = (full.mask > 0) & (lod.mask > 0)
    assert np.median(np.abs(full.depth[face] - lod.depth[face])) < 0.1  # mm
    assert np.abs(full.rgb.astype(int) - lod.rgb.astype(int)).mean() < 2.0
    assert lod.model_sha256 == full.model_sha256


def test_render_from_params_draws_the_scene_at_its_own_size(model, tmp_path, monkeypatch):
    """``render --params`` reduces for the scene's image size, as the run that made it did."""
    from PIL import Image

    from morphgen.cli import main
    from morphgen.model.statismo import write_statismo

    monkeypatch.setenv("MORPHGEN_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "model.h5"
    write_statismo(model, path)
    config = tmp_path / "c.yaml"
    config.write_text("camera: {width: 64, height: 64}\n")
    first, again, full = tmp_path / "first", tmp_path / "again", tmp_path / "full"
    common = ["--model", str(path), "--backend", "cpu"]
    assert main(["render", "--config", str(config), "--out", str(first), *common]) == 0
    meta = str(first / "metadata.json")
    assert main(["render", "--params", meta, "--out", str(again), *common]) == 0
    config.write_text("camera: {width: 64, height: 64}\nrender: {detail: full}\n")
    assert main(["render", "--config", str(config), "--out", str(full), *common]) == 0

    def rgb(d):
        return np.asarray(Image.open(d / "rgb.png"))

    np.testing.assert_array_equal(rgb(again), rgb(first))
    assert not np.array_equal(rgb(full), rgb(first))  # the reduced mesh was drawn


def test_the_hair_shell_follows_the_drawn_scalp(model, half):
    """Drawn reduced, the hair's shell lies over the drawn scalp's triangles and the scalp
    is tinted on the drawn albedo; roots, strands and every other layer are those of the
    model's own mesh."""
    from morphgen.render.dress import Dresser
    from morphgen.scene import HairParams

    sampler = Sampler(_config(128), model)
    p = dataclasses.replace(
        sampler.scene(0, 0), hair=HairParams(style="short", length_mm=60, volume_mm=9, seed=2)
    )
    shape = model.mean_vertices()
    albedo = np.random.default_rng(0).uniform(0.2, 0.8, shape.shape).astype(np.float32)
    tinted, own = Dresser(model)(p, (b"0",), shape, albedo)
    drawn_tint, over = Dresser(model, half)(p, (b"0",), shape, albedo[half.vertex_ids])
    # the scalp tinted on the drawn vertices as on the model's own
    assert not np.array_equal(tinted, albedo)
    np.testing.assert_array_equal(drawn_tint, tinted[half.vertex_ids])

    def shell(layers):
        (layer,) = [g for g in layers if g.label == LABEL_IDS["hair"] and not g.two_sided]
        return layer

    strands = [g for g in own if g.widths is not None]
    assert strands and len(own) == len(over)
    for a, b in zip(own, over, strict=True):
        if a is not shell(own):
            np.testing.assert_array_equal(a.vertices, b.vertices)
            np.testing.assert_array_equal(a.triangles, b.triangles)
    # the drawn shell's corners are vertices the head is drawn with, over fewer triangles
    coarse, fine = shell(over), shell(own)
    assert 0 < coarse.n_triangles < 0.7 * fine.n_triangles
    assert {tuple(v) for v in coarse.vertices} <= {tuple(v) for v in fine.vertices}

    def area(layer):
        v = layer.vertices[layer.triangles].astype(np.float64)
        return 0.5 * np.linalg.norm(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]), axis=1).sum()

    assert abs(area(coarse) / area(fine) - 1) < 0.05  # about the same scalp


def test_a_reduced_batch_renders_as_its_images_alone(model, half):
    """Images drawn reduced are bit-identical in a batch (identities and albedo restricted
    once, shared by consecutive images) and alone."""
    sampler = Sampler(_config(64), model)
    scenes = [sampler.scene(i, j) for i in range(2) for j in range(3)]
    batch = Renderer(model, "cpu", drawn=half).render_many(scenes)
    for scene, together in zip(scenes, batch, strict=True):
        alone = Renderer(model, "cpu", drawn=half).render(scene)
        np.testing.assert_array_equal(alone.rgb, together.rgb)
        np.testing.assert_array_equal(alone.mask, together.mask)
