"""Per-sample attributes from metadata and masks, on small hand-made samples."""

import numpy as np
import pytest

from morphgen.gaps.attributes import (
    dataset_attributes,
    face_size,
    identity_nn_distances,
    light_attributes,
    skin_ita,
)
from morphgen.labels import label_id
from morphgen.labelsets import remap_table


def sh_with(index: int, value: float = 1.0) -> np.ndarray:
    sh = np.zeros((9, 3))
    sh[0] = 0.5
    sh[index] = value
    return sh


@pytest.mark.parametrize(
    "index, value, azimuth, elevation",
    [(3, 1.0, 90.0, 0.0), (3, -1.0, -90.0, 0.0), (2, 1.0, 0.0, 0.0), (1, 1.0, None, 90.0)],
)
def test_light_direction_from_band_one(index, value, azimuth, elevation):
    energy, az, el = light_attributes(sh_with(index, value))
    assert energy == pytest.approx(3 * 0.25 + 3 * value**2)
    assert el == pytest.approx(elevation)
    if azimuth is not None:
        assert az == pytest.approx(azimuth)


def test_ambient_light_has_no_direction():
    _, az, el = light_attributes(sh_with(0, 0.5))
    assert np.isnan(az) and np.isnan(el)


def test_skin_ita_white_is_90_and_darker_skin_has_lower_ita():
    skin = np.ones((4, 4), bool)
    white = np.full((4, 4, 3), 255, np.uint8)
    assert skin_ita(white, skin) == pytest.approx(90.0, abs=0.5)
    light = np.broadcast_to(np.array([236, 200, 170], np.uint8), (4, 4, 3))
    dark = np.broadcast_to(np.array([110, 70, 45], np.uint8), (4, 4, 3))
    assert skin_ita(light, skin) > 28 > 10 > skin_ita(dark, skin)
    assert np.isnan(skin_ita(white, np.zeros((4, 4), bool)))


def test_face_size_is_the_geometric_mean_of_the_box_sides():
    face = np.zeros((20, 30), bool)
    face[2:10, 5:23] = True  # 8 x 18
    assert face_size(face) == pytest.approx(12.0)


def test_nearest_neighbour_distances():
    shapes = np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 5.0]])
    assert identity_nn_distances(shapes) == pytest.approx([5.0, 1.0, 1.0])
    assert identity_nn_distances(shapes[:1]).size == 0


def make_sample(identity: int, sample: int, yaw: float, mask: np.ndarray) -> dict:
    params = {
        "identity": identity,
        "sample": sample,
        "shape": [float(identity), 0.0],
        "expression": [3.0, 4.0],
        "blendshapes": [],
        "yaw": yaw,
        "pitch": 1.0,
        "roll": -2.0,
        "illumination": {"sh": sh_with(2).tolist()},
    }
    metadata = {
        "identity": identity,
        "sample": sample,
        "params": params,
        "landmarks": {"points": [[0, 0]] * 4, "visible": [True, False, True, True]},
    }
    rgb = np.full(mask.shape + (3,), 200, np.uint8)
    return {"metadata": metadata, "mask": mask, "rgb": rgb}


@pytest.mark.parametrize("label_set", ["morphgen", "lapa"])
def test_dataset_attributes(label_set):
    mask = np.zeros((10, 10), np.uint8)
    mask[2:6, 3:7] = label_id("skin")
    mask[4, 4] = label_id("left_eye")
    mask[8:, :] = label_id("neck")  # not part of the face box
    mask = remap_table(label_set)[mask]
    samples = [make_sample(i, j, 10.0 * j, mask) for i, n in enumerate((3, 1, 2)) for j in range(n)]
    attrs = dataset_attributes(samples, label_set)
    assert attrs["yaw"].tolist() == [0.0, 10.0, 20.0, 0.0, 0.0, 10.0]
    assert attrs["expression_strength"] == pytest.approx([5.0] * 6)
    assert attrs["visible_landmarks"].tolist() == [3.0] * 6
    assert attrs["light_azimuth"] == pytest.approx([0.0] * 6)
    assert attrs["face_size_px"] == pytest.approx([4.0] * 6)
    assert sorted(attrs["images_per_identity"]) == [1, 2, 3]
    assert attrs["identity_nn_distance"] == pytest.approx([1.0, 1.0, 1.0])
    assert attrs["share_skin"][0] == pytest.approx(15 / 100)
    right_eye_name = "left_eye" if label_set == "morphgen" else "right_eye"  # lapa: image side
    assert attrs[f"share_{right_eye_name}"][0] == pytest.approx(1 / 100)
    assert np.all(np.isfinite(attrs["skin_ita"]))


def test_appearance_attributes_come_from_the_scene_parameters():
    from morphgen.gaps.attributes import appearance_attributes, info, sample_attributes
    from morphgen.scene import AppearanceParams

    params = AppearanceParams(skin_tone=61.5, age=0.25, iris_colour="blue", beard="goatee")
    params.hair_colour = "red"
    params.lipstick, params.lipstick_colour = 0.5, "berry"
    from dataclasses import asdict

    got = appearance_attributes(asdict(params))
    assert got == {
        "skin_tone": 61.5, "age": 0.25, "iris_colour": 3.0, "brow_colour": 5.0, "beard_type": 3.0,
        "lipstick": 0.5, "lipstick_colour": 4.0,
    }  # fmt: skip
    assert "4 berry" in info("lipstick_colour").text and "0 none" in info("lipstick_colour").text
    assert "3 blue" in info("iris_colour").text and "3 goatee" in info("beard_type").text
    sample = {"metadata": {"params": {"yaw": 1.0, "appearance": asdict(params)}}}
    assert sample_attributes(sample, None)["beard_type"] == 3.0
    assert "beard_type" not in sample_attributes({"metadata": {"params": {}}}, None)
    assert sample_attributes({"metadata": {"params": {"sex": "male"}}}, None)["sex"] == 1.0
    assert "0 female" in info("sex").text
