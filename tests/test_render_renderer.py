"""The Renderer end to end on a small synthetic head: landmarks, visibility, labels, batching."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from morphgen.cli import main
from morphgen.config.schema import EXTRAS
from morphgen.errors import MorphgenError
from morphgen.model.synthetic import synthetic_model
from morphgen.render.cpu_backend import CpuBackend
from morphgen.render.renderer import Renderer
from morphgen.sampling.illumination import frontal_sh
from morphgen.scene import CameraParams, Illumination, SceneParams

SIZE = 96


@pytest.fixture(scope="module")
def model():
    return synthetic_model(n_lat=70, n_lon=140, components=(6, 5, 4), seed=1)


@pytest.fixture(scope="module")
def renderer(model):
    r = Renderer(model, CpuBackend(), extras=EXTRAS)
    yield r
    r.close()


def scene(model, sample=0, identity=0, **kw) -> SceneParams:
    rng = np.random.default_rng([identity, sample])
    cam = kw.pop("camera", CameraParams(width=SIZE, height=SIZE + 16))
    base = dict(
        identity=identity,
        sample=sample,
        shape=np.random.default_rng(identity).normal(size=6).astype(np.float32),
        color=np.random.default_rng(identity).normal(size=5).astype(np.float32),
        expression=rng.normal(size=4).astype(np.float32),
        blendshapes=np.zeros(0, np.float32),
        camera=cam,
        illumination=Illumination(sh=frontal_sh(0.6, 0.4).astype(np.float32)),
        background={"kind": "solid", "seed": 3},
    )
    base.update(kw)
    return SceneParams(**base)


def posed_vertices(model, p: SceneParams) -> np.ndarray:
    """Vertices in camera space, computed here from the conventions (not the renderer's code)."""
    shape = model.shape.mean + model.shape.basis[:, :6] @ (
        p.shape * np.sqrt(model.shape.variance[:6])
    )
    expr = model.expression.mean + model.expression.basis[:, :4] @ (
        p.expression * np.sqrt(model.expression.variance[:4])
    )
    v = (shape + expr).reshape(-1, 3).astype(np.float64)
    rot = Rotation.from_euler("YXZ", [p.yaw, p.pitch, p.roll], degrees=True).as_matrix()
    pivot = model.mean_vertices()[model.ibug68()].mean(axis=0)
    return (v - pivot) @ rot.T + [0.0, 0.0, -p.camera.distance_mm] + np.asarray(p.translation)


def test_landmarks_are_the_pinhole_projection(model, renderer):
    cam = CameraParams(width=SIZE, height=SIZE + 16, centring="none", principal_offset=(3, -2))
    p = scene(model, yaw=20.0, pitch=-8.0, roll=5.0, translation=(4.0, -3.0, 50.0), camera=cam)
    s = renderer.render(p)
    f = 50.0 / 15.0 * SIZE
    pts = posed_vertices(model, p)[[model.landmarks[n] for n in s.landmark_names]]
    u = SIZE / 2 + 3 + f * pts[:, 0] / -pts[:, 2]
    v = (SIZE + 16) / 2 - 2 - f * pts[:, 1] / -pts[:, 2]
    assert np.allclose(s.landmarks, np.stack([u, v], axis=1), atol=2e-3)
    assert s.landmark_names[:68] == [f"ibug{i:02d}" for i in range(1, 69)]
    assert np.allclose(s.intrinsics, [[f, 0, SIZE / 2 + 3], [0, f, (SIZE + 16) / 2 - 2], [0, 0, 1]])


def test_yaw_90_hides_the_far_side(model, renderer):
    s = renderer.render(scene(model, yaw=90.0))
    # positive yaw turns the face to the subject's left (+x): that side goes away
    x = model.mean_vertices()[[model.landmarks[n] for n in s.landmark_names], 0]
    assert (x > 15).sum() >= 15 and (x < -15).sum() >= 15
    assert not s.landmark_visible[x > 15].any()
    assert s.landmark_visible[x < -25].mean() > 0.7
    front = renderer.render(scene(model))
    assert front.landmark_visible[:68].mean() > 0.9


def test_labels_depth_and_extras_agree(model, renderer):
    s = renderer.render(scene(model, yaw=-35.0))
    face = s.mask > 0
    assert face.sum() > 1000
    assert np.array_equal(face, s.depth > 0)
    assert set(np.unique(s.mask)) <= set(np.unique(model.regions)) | {0}
    # depth of the face lies between the nearest and farthest posed vertex
    z = -posed_vertices(model, s.params)[:, 2]
    assert z.min() - 1 <= s.depth[face].min() and s.depth[face].max() <= z.max() + 1
    for name in ("normals", "albedo", "illumination", "correspondence"):
        img = s.extras[name]
        assert img.shape == (SIZE + 16, SIZE, 3) and img.dtype == np.uint8
        assert (img[~face] == 0).all() and img[face].any()
    assert s.rgb.shape == (SIZE + 16, SIZE, 3) and s.rgb.dtype == np.uint8


def test_render_many_is_bit_identical_to_single_renders(model, renderer):
    scenes = [scene(model, sample=j, identity=j // 2, yaw=10.0 * j) for j in range(5)]
    batch = renderer.render_many(scenes)
    for p, b in zip(scenes, batch, strict=True):
        one = Renderer(model, CpuBackend()).render(p)
        assert np.array_equal(one.rgb, b.rgb)
        assert np.array_equal(one.mask, b.mask) and np.array_equal(one.depth, b.depth)
        assert np.array_equal(one.landmarks, b.landmarks)


def test_metadata_is_json_and_re_renders(model, renderer):
    s = renderer.render(scene(model, sample=4, yaw=15.0))
    meta = json.loads(json.dumps(s.metadata()))
    assert meta["backend"] == "cpu" and meta["sample"] == 4
    assert [p["name"] for p in meta["arcface5"]] == [
        "right_eye", "left_eye", "nose_tip", "mouth_right", "mouth_left",
    ]  # fmt: skip
    again = renderer.render(SceneParams.from_dict(meta["params"]))
    assert np.array_equal(again.rgb, s.rgb)


def test_too_many_coefficients_is_a_clear_error(model, renderer):
    with pytest.raises(MorphgenError, match="shape"):
        renderer.render(scene(model, shape=np.zeros(50, np.float32)))


def test_render_command_writes_every_file(tmp_path, model):
    params = scene(model).to_dict()
    params["shape"], params["color"], params["expression"] = [], [], []  # the default model
    (tmp_path / "p.json").write_text(json.dumps(params))
    out = tmp_path / "out"
    assert main(["render", "--params", str(tmp_path / "p.json"), "--out", str(out),
                 "--backend", "cpu"]) == 0  # fmt: skip
    names = {p.name for p in out.iterdir()}
    expected = {"rgb.png", "mask.png", "mask_ids.png", "depth.png", "depth.npy"}
    assert expected | {"landmarks.json", "metadata.json"} <= names
    from PIL import Image

    ids = np.asarray(Image.open(out / "mask_ids.png"))
    depth = np.load(out / "depth.npy")
    assert np.array_equal(ids > 0, depth > 0)
    depth16 = np.asarray(Image.open(out / "depth.png"))
    assert np.abs(depth16[ids > 0] * 0.1 - depth[ids > 0]).max() <= 0.05 + 1e-3
    assert main(["render", "--params", str(tmp_path / "missing.json"), "--out", str(out)]) == 2


def test_render_config_writes_masks_in_the_configs_label_set(tmp_path):
    """``render --config`` remaps masks to the config's label set, as ``generate`` does."""
    from PIL import Image

    from morphgen.labelsets import remap_table

    config = tmp_path / "parsing.yaml"
    config.write_text("camera: {width: 96, height: 96}\noutput: {labels: celebamask}\n")
    remapped, plain = tmp_path / "remapped", tmp_path / "plain"
    assert (
        main(["render", "--config", str(config), "--out", str(remapped), "--backend", "cpu"]) == 0
    )
    # the same scene from its metadata, with the default (morphgen) label set
    meta = remapped / "metadata.json"
    assert main(["render", "--params", str(meta), "--out", str(plain), "--backend", "cpu"]) == 0
    ours = np.asarray(Image.open(plain / "mask_ids.png"))
    theirs = np.asarray(Image.open(remapped / "mask_ids.png"))
    assert len(np.unique(ours)) > 5
    np.testing.assert_array_equal(theirs, remap_table("celebamask")[ours])
