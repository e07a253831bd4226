"""Per-identity textures: the UV atlas bake, the per-pixel lookup, the painters, the renderer."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from morphgen.config.schema import Config
from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.model.statismo import read_statismo, write_statismo
from morphgen.model.synthetic import synthetic_model
from morphgen.render.textures.identity import make_texture
from morphgen.render.textures.lookup import apply_texture
from morphgen.render.textures.setup import texture_setup
from morphgen.sampling.sampler import Sampler
from morphgen.scene import AppearanceParams, SceneParams

SIZE = 128


@pytest.fixture(scope="module")
def model():
    return synthetic_model(n_lat=41, n_lon=81, components=(4, 4, 4), uv=True)


@pytest.fixture(scope="module")
def setup(model):
    return texture_setup(model, SIZE)


def test_atlas_texels_lie_in_their_triangles_uv(model, setup):
    atlas = setup.atlas
    assert len(atlas.texel) > 0.8 * SIZE * SIZE * 0.9  # the grid's UVs fill most of the square
    assert (atlas.bary >= -1e-6).all() and np.allclose(atlas.bary.sum(axis=1), 1.0, atol=1e-5)
    uv = np.einsum("tk,tkc->tc", atlas.bary, model.uv[atlas.triangle])
    centres = np.c_[atlas.texel % SIZE + 0.5, atlas.texel // SIZE + 0.5] / SIZE
    np.testing.assert_allclose(uv, centres, atol=1e-5)
    # the mean-shape point of a texel is its triangle's barycentric blend (independent gather)
    mean = atlas.frame
    expected = (atlas.bary[:, :, None] * mean[model.triangles[atlas.triangle]]).sum(axis=1)
    np.testing.assert_allclose(atlas.position, expected, atol=1e-3)


def test_fill_pads_islands_and_leaves_far_texels_empty(setup):
    atlas = setup.atlas
    values = np.arange(len(atlas.texel), dtype=np.float32)[:, None]
    image = atlas.image(values, np.array([-1.0], dtype=np.float32))[..., 0]
    covered = np.zeros(SIZE * SIZE, bool)
    covered[atlas.texel] = True
    assert (image.reshape(-1)[atlas.texel] == values[:, 0]).all()
    border = image[0, :]  # the UVs keep a margin of 0.02 * 128 = 2.6 texels: padded
    assert (border >= 0).all()


def _pixels(h: int = 4, w: int = 5):
    color = np.full((h, w, 3), 0.8, dtype=np.float32)
    mask = np.full((h, w), LABEL_IDS["skin"], dtype=np.uint8)
    tri = np.zeros((h, w), dtype=np.int32)
    bary = np.full((h, w, 3), 1.0 / 3.0, dtype=np.float32)
    return color, mask, tri, bary


def test_lookup_multiplies_colour_and_relabels_hair():
    uv = np.array([[[0.1, 0.1], [0.2, 0.1], [0.1, 0.2]]], dtype=np.float32)
    texture = np.zeros((8, 8, 6), dtype=np.float32)
    texture[..., :3] = [0.5, 1.0, 2.0]
    color, mask, tri, bary = _pixels()
    tri[0, 0] = -1  # background stays as it is
    mask[1, :] = LABEL_IDS["right_brow"]  # a mesh brow without drawn brow becomes skin
    mask[2, :] = LABEL_IDS["left_eye"]  # not skin: never relabelled
    texture[..., 3] = 1.0  # left brow drawn everywhere
    apply_texture(texture, uv, color, mask, tri, bary)
    np.testing.assert_allclose(color[1:, 1], [[0.4, 0.8, 1.0]] * 3)  # 0.8 x (0.5, 1, 2), clipped
    np.testing.assert_allclose(color[0, 0], 0.8)
    assert (mask[2] == LABEL_IDS["left_eye"]).all()
    assert (mask[[1, 3]] == LABEL_IDS["left_brow"]).all()
    texture[..., 3] = 0.49  # under half covered: not brow
    color, mask, tri, bary = _pixels()
    mask[:] = LABEL_IDS["right_brow"]
    apply_texture(texture, uv, color, mask, tri, bary)
    assert (mask == LABEL_IDS["skin"]).all()


def test_lookup_is_bilinear_between_texel_centres():
    texture = np.zeros((2, 2, 6), dtype=np.float32)
    texture[:, :, 0] = [[0.0, 1.0], [2.0, 3.0]]
    uv = np.full((1, 3, 2), 0.5, dtype=np.float32)  # the point between the four centres
    color, mask, tri, bary = _pixels(1, 1)
    color[:] = 1.0
    apply_texture(texture, uv, color, mask, tri, bary)
    assert color[0, 0, 0] == pytest.approx(1.0)  # mean 1.5, clipped to 1
    uv[:] = 0.25  # texel (0, 0)'s centre
    color[:] = 0.5
    texture[0, 0, 0] = 0.6
    apply_texture(texture, uv, color, mask, tri, bary)
    assert color[0, 0, 0] == pytest.approx(0.3)


def _params(**kw) -> AppearanceParams:
    return dataclasses.replace(AppearanceParams(texture_size=SIZE, seed=3), **kw)


def test_texture_is_a_pure_function_of_its_parameters(model, setup):
    albedo = model.color_instance(np.zeros(4))
    a = make_texture(setup, albedo, _params())
    b = make_texture(setup, albedo, _params())
    c = make_texture(setup, albedo, _params(seed=4))
    for x, y in zip(a.levels, b.levels, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.levels[0], c.levels[0])
    sizes = [level.shape[0] for level in a.levels]
    assert sizes[0] == SIZE and all(s == 2 * t for s, t in zip(sizes, sizes[1:], strict=False))
    np.testing.assert_allclose(a.levels[1][0, 0], a.levels[0][:2, :2].mean(axis=(0, 1)), rtol=1e-5)


def test_beard_and_brows_follow_their_parameters(model, setup):
    albedo = model.color_instance(np.zeros(4))
    bare = make_texture(setup, albedo, _params(beard="none", brow_density=0.0)).levels[0]
    full = make_texture(setup, albedo, _params(beard="full", beard_density=1.0)).levels[0]
    assert bare[..., 5].max() == 0.0 and bare[..., 3:5].max() < 0.5
    assert (full[..., 5] >= 0.5).sum() > 50
    assert (full[..., 3] >= 0.5).sum() >= 5 and (full[..., 4] >= 0.5).sum() >= 5
    # hair darkens: the ratio under a dense dark beard is below 1
    dense = full[..., 5] >= 0.9
    assert full[dense, :3].mean() < 0.8


def test_sampler_draws_appearance_once_per_identity(model):
    cfg = Config.model_validate({"appearance": {"texture_size": SIZE}})
    sampler = Sampler(cfg, model)
    a0, a1 = sampler.scene(0, 0).appearance, sampler.scene(0, 3).appearance
    assert a0 == a1 and a0.texture_size == SIZE
    others = [sampler.scene(i, 0).appearance for i in range(1, 8)]
    assert len({o.seed for o in others}) == 7
    assert {o.beard for o in others + [a0]} <= {"none", "stubble", "moustache", "goatee", "full"}
    scene = sampler.scene(2, 1)
    assert SceneParams.from_dict(scene.to_dict()).appearance == scene.appearance
    off = Sampler(Config.model_validate({"appearance": {"textures": False}}), model)
    assert off.scene(0, 0).appearance is None
    plain = synthetic_model(n_lat=21, n_lon=41, components=(2, 2, 2))
    assert Sampler(Config(), plain).scene(0, 0).appearance is None


def test_identity_factor_grids_are_rejected():
    from morphgen.config.loader import parse_config
    from morphgen.errors import ConfigError

    with pytest.raises(ConfigError, match="grid"):
        parse_config({"appearance": {"skin": {"age": {"dist": "grid", "values": [0, 1]}}}})
    with pytest.raises(ConfigError, match="appearance.beard.types.*at least one"):
        parse_config({"appearance": {"beard": {"types": {}}}})
    with pytest.raises(ConfigError, match="appearance.eyes.iris"):
        parse_config({"appearance": {"eyes": {"iris": {"violet": 1.0}}}})


def test_renderer_textures_change_colour_and_hair_labels_only(model):
    from morphgen.render.renderer import Renderer

    cfg = Config.model_validate({"appearance": {"texture_size": SIZE}})
    scene = Sampler(cfg, model).scene(0, 0)
    scene.appearance = _params(beard="full", beard_density=1.0)
    renderer = Renderer(model, backend="cpu")
    textured = renderer.render(scene)
    plain = renderer.render(dataclasses.replace(scene, appearance=None))
    hair = [LABEL_IDS[n] for n in ("skin", "neck", "left_brow", "right_brow", "beard")]
    same = ~np.isin(plain.mask, hair)
    np.testing.assert_array_equal(textured.mask[same], plain.mask[same])
    assert (textured.mask == LABEL_IDS["beard"]).any()
    assert (textured.mask > 0).sum() == (plain.mask > 0).sum()
    assert not np.array_equal(textured.rgb, plain.rgb)
    np.testing.assert_array_equal(textured.depth, plain.depth)


def test_statismo_keeps_uvs(model, tmp_path):
    write_statismo(model, tmp_path / "m.h5")
    back = read_statismo(tmp_path / "m.h5")
    np.testing.assert_array_equal(back.uv, model.uv)
    plain = synthetic_model(n_lat=21, n_lon=41, components=(2, 2, 2))
    write_statismo(plain, tmp_path / "p.h5")
    assert read_statismo(tmp_path / "p.h5").uv is None


def test_a_textured_image_re_renders_exactly_from_its_metadata(model):
    import json

    from morphgen.render.renderer import Renderer

    cfg = Config.model_validate({"appearance": {"texture_size": SIZE}})
    scene = Sampler(cfg, model).scene(3, 2)
    first = Renderer(model, backend="cpu").render(scene)
    metadata = json.loads(json.dumps(first.metadata()))
    again = Renderer(model, backend="cpu").render(SceneParams.from_dict(metadata["params"]))
    np.testing.assert_array_equal(again.rgb, first.rgb)
    np.testing.assert_array_equal(again.mask, first.mask)


def test_textured_brows_come_only_from_the_drawn_strands():
    """The default model's colour model paints each brow as a darker patch; with textures the
    strands are the brows, so without strands the brow skin is as light as the forehead just
    above it (mean luminance within 4%), while the per-vertex colour alone is darker there."""
    model = load_model()
    setup = texture_setup(model, 256)
    albedo = model.color_instance(np.zeros(model.color.n_components, dtype=np.float32))
    params = AppearanceParams(texture_size=256, age=0.0, pores=0.0, brow_density=0.0)
    ratio = make_texture(setup, albedo, params).levels[0].reshape(-1, 6)[setup.atlas.texel, :3]
    base = setup.atlas.gather(albedo.reshape(-1, 3))
    atlas = setup.atlas
    brows = np.isin(atlas.region, [LABEL_IDS["left_brow"], LABEL_IDS["right_brow"]])
    top = atlas.position[brows, 1].max()
    span = np.abs(atlas.position[brows, 0]).max()
    forehead = (atlas.region == LABEL_IDS["skin"]) & (atlas.position[:, 2] > -40.0)
    forehead &= (atlas.position[:, 1] > top + 12.0) & (atlas.position[:, 1] < top + 20.0)
    forehead &= np.abs(atlas.position[:, 0]) < span
    assert brows.sum() > 100 and forehead.sum() > 100
    luminance = (base * ratio) @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    assert luminance[brows].mean() >= 0.96 * luminance[forehead].mean()
    vertex_only = base @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    assert vertex_only[brows].mean() < 0.9 * vertex_only[forehead].mean()


def test_sclera_lies_in_shade_under_the_upper_lid_and_in_the_corners():
    from morphgen.render.textures.eyes import IRIS_RADIUS_MM, sclera_shade

    beside = np.array([[IRIS_RADIUS_MM + 0.5, -1.0, 0.0]])
    assert sclera_shade(beside)[0] == pytest.approx(1.0)  # beside the iris, level with it
    heights = np.array([[IRIS_RADIUS_MM + 0.5, y, 0.0] for y in np.linspace(-4, 8, 25)])
    up = sclera_shade(heights)
    assert (np.diff(up) <= 0).all() and up[-1] < 0.75  # darker towards the upper lid
    across = np.array([[x, -1.0, 0.0] for x in np.linspace(0, 18, 25)])
    side = sclera_shade(across)
    assert (np.diff(side) <= 0).all() and side[-1] < 0.85  # and towards the corners
    assert sclera_shade(np.array([[18.0, 8.0, 0.0]]))[0] > 0.5  # shade, never black


def test_full_beard_has_sideburns_and_a_soft_cheek_line():
    """A full beard's sideburn runs up along the front of the ear (the model's ear region,
    not the landmarks) to below the ear's top, and its cheek line, which runs steeply up to
    the sideburn, fades as softly across as a level edge does. The sideburn used to lie
    about 25 mm in front of the ear (at iBUG 1) and rise to the temple: a separate patch on
    the cheek in profile, skin between it and the ear."""
    from morphgen.render.textures.setup import beard_zone

    model = load_model(None)
    frame = texture_setup(model, 64).atlas.frame
    lm = {n: frame[model.landmarks[f"ibug{n:02d}"]] for n in range(1, 69)}
    ear_top = 0.5 * (lm[1][1] + lm[17][1])
    ears = frame[np.isin(model.regions, [LABEL_IDS["left_ear"], LABEL_IDS["right_ear"]])]
    front = ears[:, 2].max() + 6.0  # 6 mm in front of the ear
    x = -np.abs(lm[1][0]) + 4.0  # both sides folded on x < 0
    below = np.linspace(ear_top - 20.0, ear_top - 7.0, 11)
    burn = np.stack([np.full_like(below, x), below, np.full_like(below, front)], axis=1)
    assert beard_zone(lm, "full", burn).min() > 0.9
    above = np.linspace(ear_top + 1.0, ear_top + 15.0, 8)
    temple = np.stack([np.full_like(above, x), above, np.full_like(above, front)], axis=1)
    assert beard_zone(lm, "full", temple).max() < 0.1
    eye_y = np.mean([lm[n][1] for n in range(37, 49)])
    xs = np.linspace(35.0, 75.0, 81)  # 0.5 mm apart across the cheek, below the eyes
    line = np.stack([xs, np.full_like(xs, eye_y - 14.0), np.full_like(xs, -60.0)], axis=1)
    zone = beard_zone(lm, "full", line)
    assert zone.max() > 0.9 and zone.min() < 0.1  # the line crosses the edge
    # a level edge (5 mm, smoothstep over 6.5) rises at most 0.23 per mm: no steeper here
    assert np.abs(np.diff(zone)).max() < 0.12


def test_moles_stay_off_the_lips():
    """Moles sit on skin, not on the lips' vermilion (one had sat on a lower lip): painting
    many of them changes texels only at least 1.5 mm from every lip texel."""
    from morphgen.render.textures.skin import paint_skin

    model = load_model(None)
    setup = texture_setup(model, 512)
    lips = setup.atlas.position[setup.lips]

    def painted(moles: int) -> np.ndarray:
        albedo = np.ones((len(setup.atlas.position), 3), dtype=np.float32)
        paint_skin(setup, _params(moles=moles, freckles=0.0), np.random.default_rng(5), albedo)
        return albedo

    changed = np.flatnonzero(np.any(painted(40) != painted(0), axis=1))
    assert len(changed) > 200  # 40 moles of 0.6-1.5 mm at about 0.2 mm per texel
    gap = np.min(
        np.linalg.norm(setup.atlas.position[changed][:, None] - lips[None], axis=2), axis=1
    )
    assert gap.min() >= 1.5 - 1e-3


def test_lip_colour_follows_the_outer_lip_contour():
    """The lips' tint fills the outer lip contour (iBUG 49-60) and stops at it: the lip
    triangles' own outline has spikes a triangle long, which showed as a ragged lip edge at
    1024 px (8.8% of the skin texels just outside the contour were tinted)."""
    from morphgen.model.outlines import inside_polygon
    from morphgen.render.textures.skin import paint_skin

    setup = texture_setup(load_model(None), 1024)

    def painted(tint: float) -> np.ndarray:
        albedo = np.ones((len(setup.atlas.position), 3), dtype=np.float32)
        params = _params(texture_size=1024, lip_tint=tint, moles=0, freckles=0.0)
        paint_skin(setup, params, np.random.default_rng(5), albedo)
        return albedo[setup.skin, 1]

    ratio = painted(1.0) / painted(0.0)  # the tint lowers green on the lips
    tinted = ratio < 1.0 - 0.5 * (1.0 - ratio.min())
    pos = setup.atlas.position[setup.skin]
    outline = np.array([setup.landmarks[n][:2] for n in range(49, 61)])
    front = pos[:, 2] > min(setup.landmarks[n][2] for n in range(49, 61)) - 3.0
    near = front & np.all(
        (pos[:, :2] > outline.min(0) - 3) & (pos[:, :2] < outline.max(0) + 3), axis=1
    )
    inside = inside_polygon(pos[near, :2], outline)
    assert inside.sum() > 1000 and (~inside).sum() > 1000
    assert tinted[near][inside].mean() > 0.98
    assert tinted[near][~inside].mean() < 0.005
