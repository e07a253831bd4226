"""The shipped default model: loads, has the documented parts, plausible colours and geometry."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from morphgen.labels import LABEL_IDS, REGIONS
from morphgen.model import load
from morphgen.model.load import ASSETS

ASSET = ASSETS / "default_model.h5"
PRESET_SHAPES = (
    "mouthSmile_L",
    "mouthSmile_R",
    "jawOpen",
    "eyeBlink_L",
    "eyeBlink_R",
    "browInnerUp_L",
    "browOuterUp_R",
)


@pytest.fixture(scope="module")
def model():
    return load.load_model()


def _srgb_hue(linear: np.ndarray) -> np.ndarray:
    s = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * np.abs(linear) ** (1 / 2.4) - 0.055)
    r, g, b = s[..., 0], s[..., 1], s[..., 2]
    mx, mn = s.max(axis=-1), s.min(axis=-1)
    d = np.maximum(mx - mn, 1e-9)
    h = np.where(mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4))
    return h * 60.0


def test_checksum_matches_record():
    recorded = (ASSETS / "default_model.sha256").read_text().split()[0]
    assert hashlib.sha256(ASSET.read_bytes()).hexdigest() == recorded


def test_licence_and_notice_ship():
    notice = (ASSETS / "NOTICE").read_text()
    assert "Copyright (c) 2020 USC Institute for Creative Technologies" in notice
    assert "MIT License" in (ASSETS / "LICENSE-ICT-FaceKit").read_text()


def test_counts_and_parts(model):
    assert model.n_vertices == 22991  # 26,719 less the iris shells and special-shader parts
    assert model.n_triangles == 45644
    assert model.units == "mm"
    assert 50 <= model.shape.n_components <= 100
    assert model.blendshapes is not None and len(model.blendshapes.names) == 53
    assert set(PRESET_SHAPES) <= set(model.blendshapes.names)
    assert model.expression is not None and model.expression.n_components >= 30
    assert model.ibug68() is not None
    found = set(np.unique(model.regions).tolist())
    # the beard is drawn in the texture, not the mesh
    assert found == {label.id for label in REGIONS if label.name != "beard"}


def test_axes_follow_the_conventions(model):
    v = model.mean_vertices()
    blink = model.blendshapes.deltas[:, model.blendshapes.index("eyeBlink_L")].reshape(-1, 3)
    moved = np.linalg.norm(blink, axis=1) > 1.0
    assert v[moved, 0].min() > 0  # the subject's left eye is at +x
    lm = {name: v[i] for name, i in model.landmarks.items()}
    assert lm["left_eye_outer"][0] > lm["left_eye_inner"][0] > 0 > lm["right_eye_outer"][0]
    assert lm["nose_tip"][2] == max(p[2] for name, p in lm.items() if name.startswith("ibug"))
    assert lm["ibug09"][1] < lm["ibug58"][1] < lm["nose_tip"][1] < lm["ibug28"][1]
    eyes = np.linalg.norm(lm["ibug37"] - lm["ibug46"])
    assert 80 < eyes < 100  # about 89 mm (REFERENCE section 9)
    left_eye = model.regions == LABEL_IDS["left_eye"]
    assert (v[left_eye, 0] > 0).all()
    # front faces counter-clockwise: the nose tip's triangles face +z
    tri = model.triangles[(model.triangles == model.landmarks["nose_tip"]).any(axis=1)]
    normals = np.cross(v[tri[:, 1]] - v[tri[:, 0]], v[tri[:, 2]] - v[tri[:, 0]])
    assert (normals[:, 2] > 0).mean() > 0.5


def test_colour_samples_are_plausible(model):
    rng = np.random.default_rng(0)
    raw = model.color.instance(rng.normal(size=(300, model.color.n_components)))
    raw = raw.reshape(300, -1, 3)
    assert ((raw >= 0) & (raw <= 1)).mean() > 0.98
    skin = np.isin(model.regions, [LABEL_IDS["skin"], LABEL_IDS["neck"], LABEL_IDS["nose"]])
    hue = _srgb_hue(np.clip(raw[:, skin], 0, 1))
    assert ((hue <= 50) | (hue >= 350)).mean() > 0.98  # red..orange, no green or purple
    share = model.color.variance[0] / model.color.variance.sum()
    assert share > 0.8  # skin tone dominates
    first = model.color.basis[:, 0].reshape(-1, 3)[skin].mean(axis=0)
    assert (np.sign(first) == np.sign(first[0])).all()  # lighter or darker in every channel
    for pupil in (model.landmarks["left_pupil"], model.landmarks["right_pupil"]):
        assert raw[:, pupil].max() < 0.01  # painted black, fixed
    light = model.color.instance(np.r_[2.0, np.zeros(model.color.n_components - 1)])
    dark = model.color.instance(np.r_[-2.0, np.zeros(model.color.n_components - 1)])
    lum = np.array([0.2126, 0.7152, 0.0722])
    ratio = (light.reshape(-1, 3)[skin] @ lum).mean() / (dark.reshape(-1, 3)[skin] @ lum).mean()
    assert ratio > 4 or ratio < 0.25  # light to dark skin across the first component


def test_shapes_differ_like_people(model):
    rng = np.random.default_rng(1)
    a, b = model.shape_instance(rng.normal(size=(2, model.shape.n_components)))
    rms = np.sqrt(((a - b) ** 2).sum(axis=1).mean())
    assert 4.0 < rms < 20.0  # ICT's identities differ by millimetres, not centimetres


def test_uv_layout_covers_the_face_without_overlap(model):
    assert model.uv is not None and model.uv.shape == (model.n_triangles, 3, 2)
    assert model.uv.min() >= 0.0 and model.uv.max() <= 1.0
    from morphgen.render.textures.setup import texture_setup

    setup = texture_setup(model, 256)
    face = np.isin(setup.atlas.region, [LABEL_IDS["skin"], LABEL_IDS["nose"]])
    assert face.sum() > 0.2 * 256 * 256  # the face slot is 3/4 of the atlas side
    assert len(setup.eyes) == 2 and all(len(eye.texels) > 500 for eye in setup.eyes)
    # the two scleras have slots of their own: no texel is shared between the eyeballs
    assert not set(setup.eyes[0].texels) & set(setup.eyes[1].texels)


def test_inner_eye_corners_lie_on_the_eye_class(model):
    triangle_labels = model.triangle_regions()
    for name, label in (("ibug40", "right_eye"), ("ibug43", "left_eye")):
        vertex = model.landmarks[name]
        assert model.regions[vertex] == LABEL_IDS[label]
        around = (model.triangles == vertex).any(axis=1)
        assert (triangle_labels[around] == LABEL_IDS[label]).all()


def test_brow_labels_follow_the_drawn_brows(model):
    import dataclasses

    from morphgen.config.schema import Config
    from morphgen.render.renderer import Renderer
    from morphgen.sampling.sampler import Sampler

    config = {"expression": {"neutral_probability": 1.0}, "pose": {"yaw": 0, "pitch": 0}}
    scene = Sampler(Config.model_validate(config), model).scene(0, 0)
    renderer = Renderer(model, backend="cpu")
    brows = [LABEL_IDS["left_brow"], LABEL_IDS["right_brow"]]
    counts = []
    for density in (0.0, 1.0):
        appearance = dataclasses.replace(scene.appearance, brow_density=density, beard="none")
        mask = renderer.render(dataclasses.replace(scene, appearance=appearance)).mask
        counts.append(np.isin(mask, brows).sum())
    assert counts[0] == 0 and counts[1] > 100
