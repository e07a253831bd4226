"""Regions derived from iBUG-68 landmarks, checked against two heads' own; user files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from morphgen.errors import ModelFormatError
from morphgen.labels import LABEL_IDS
from morphgen.model.load import DEFAULT_MODEL
from morphgen.model.regions import derive_regions, read_landmark_file, read_region_file
from morphgen.model.statismo import read_statismo
from morphgen.model.synthetic import synthetic_model


@pytest.fixture(scope="module")
def head():
    """The ICT head: its regions were made from its part ranges, independently of ours."""
    model = read_statismo(DEFAULT_MODEL)
    return model.mean_vertices(), model.landmarks, model.regions


def _iou(a: np.ndarray, b: np.ndarray, name: str) -> float:
    x, y = a == LABEL_IDS[name], b == LABEL_IDS[name]
    return (x & y).sum() / max((x | y).sum(), 1)


@pytest.mark.parametrize(
    "name, least",
    [
        ("left_brow", 0.8),
        ("right_brow", 0.8),
        ("nose", 0.5),
        ("upper_lip", 0.6),
        ("lower_lip", 0.35),
        ("neck", 0.5),
        ("left_ear", 0.35),
        ("right_ear", 0.35),
    ],
)
def test_derived_regions_overlap_the_heads_own(head, name, least):
    vertices, landmarks, reference = head
    assert _iou(derive_regions(vertices, landmarks), reference, name) >= least


def test_sides_are_the_subjects(head):
    vertices, landmarks, _ = head
    regions = derive_regions(vertices, landmarks)
    for side, sign in (("left", 1), ("right", -1)):
        for part in ("eye", "brow", "ear"):
            xs = vertices[regions == LABEL_IDS[f"{side}_{part}"], 0]
            assert len(xs) and (sign * xs > 0).all()
    eye = derive_regions(vertices, landmarks)[landmarks["ibug38"]]
    assert eye == LABEL_IDS["right_eye"]  # an upper-lid landmark of the right eye


def test_the_same_in_any_pose(head):
    vertices, landmarks, _ = head
    turned = Rotation.from_euler("xyz", [20, -35, 10], degrees=True).apply(vertices) + 40.0
    a = derive_regions(vertices, landmarks)
    b = derive_regions(turned.astype(np.float32), landmarks)
    assert (a == b).mean() > 0.999


def test_partial_landmarks_paint_what_they_can(head):
    vertices, landmarks, _ = head
    keep = {f"ibug{n:02d}" for n in (9, 31, *range(37, 49))}
    regions = derive_regions(vertices, {k: v for k, v in landmarks.items() if k in keep})
    found = set(np.unique(regions).tolist())
    assert found == {LABEL_IDS["skin"], LABEL_IDS["left_eye"], LABEL_IDS["right_eye"]}
    assert derive_regions(vertices, {"ibug09": 0}) is None


def _recall_precision(derived: np.ndarray, reference: np.ndarray, name: str) -> tuple[float, float]:
    got, ref = derived == LABEL_IDS[name], reference == LABEL_IDS[name]
    both = float((got & ref).sum())
    return both / max(ref.sum(), 1), both / max(got.sum(), 1)


def test_derived_regions_agree_with_the_synthetic_heads_own():
    """The synthetic head paints its regions from angles, independently of its landmarks."""
    model = synthetic_model(n_lat=80, n_lon=160, components=(2, 2, 2), seed=1)
    derived = derive_regions(model.mean_vertices(), model.landmarks)
    assert derived.shape == (model.n_vertices,) and derived.dtype == np.uint8
    for name in ("nose", "left_brow", "right_brow", "left_ear", "right_ear", "neck"):
        recall, _ = _recall_precision(derived, model.regions, name)
        assert recall > 0.6, (name, recall)
    # its eye regions are taller than its eyelid landmarks: the derived eyes lie inside them
    for name in ("nose", "left_eye", "right_eye", "lower_lip"):
        _, precision = _recall_precision(derived, model.regions, name)
        assert precision > 0.9, (name, precision)
    x = model.mean_vertices()[:, 0]
    for side, sign in (("left", 1), ("right", -1)):
        for part in ("eye", "brow", "ear"):
            assert (sign * x[derived == LABEL_IDS[f"{side}_{part}"]] > 0).all(), (side, part)


# ---- user files (load_model's use of them: tests/test_model_load.py) ------------------------


def test_region_files_npy_and_json(tmp_path):
    ids = [LABEL_IDS[n] for n in ("nose", "skin", "left_eye", "neck", "skin")]
    expected = np.array(ids, dtype=np.uint8)
    np.save(tmp_path / "r.npy", expected.astype(np.int64))  # any integer dtype
    np.testing.assert_array_equal(read_region_file(tmp_path / "r.npy", 5), expected)
    (tmp_path / "r.json").write_text(json.dumps({"nose": [0], "left_eye": [2], "neck": [3]}))
    back = read_region_file(tmp_path / "r.json", 5)
    np.testing.assert_array_equal(back, expected)
    assert back.dtype == np.uint8


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("float.npy", np.ones(5, np.float32), "dtype float32"),
        ("zero.npy", np.zeros(5, np.uint8), "unknown region ids [0]"),
        ("bytes.npy", b"\x00\x01garbage", "not a .npy array"),
        ("bg.json", {"background": [1]}, "unknown region 'background'"),
        ("neg.json", {"nose": [-1]}, "expected 0..4"),
        ("floats.json", {"nose": [1.5]}, "integer vertex indices"),
        ("list.json", [1, 2], "expected {label name"),
    ],
)
def test_bad_region_files_name_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, np.ndarray):
        np.save(path, content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(json.dumps(content))
    with pytest.raises(ModelFormatError) as err:
        read_region_file(path, 5)
    assert str(path) in str(err.value) and message in str(err.value)


def test_landmark_files_map_list_and_text(tmp_path):
    (tmp_path / "map.json").write_text(json.dumps({"nose_tip": 3, "chin": 7}))
    assert read_landmark_file(tmp_path / "map.json", 10) == {"nose_tip": 3, "chin": 7}
    indices = list(range(100, 168))
    (tmp_path / "list.json").write_text(json.dumps(indices))
    (tmp_path / "list.txt").write_text("\n".join(map(str, indices)))
    for name in ("list.json", "list.txt"):
        marks = read_landmark_file(tmp_path / name, 200)
        assert list(marks) == [f"ibug{i:02d}" for i in range(1, 69)]
        assert marks["ibug01"] == 100 and marks["ibug68"] == 167


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("range.json", json.dumps({"a": 200}), "expected 0..199"),
        ("neg.json", json.dumps({"a": -1}), "expected 0..199"),
        ("float.json", json.dumps({"a": 1.5}), "integer vertex indices"),
        ("long.txt", " ".join(["1"] * 69), "69 indices, expected 68"),
        ("scalar.json", "7", "expected {name: vertex}"),
    ],
)
def test_bad_landmark_files_name_the_file(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ModelFormatError) as err:
        read_landmark_file(path, 200)
    assert str(path) in str(err.value) and message in str(err.value)


@pytest.mark.parametrize("reader", [read_region_file, read_landmark_file])
@pytest.mark.parametrize("name", ["absent.json", "absent.npy"])
def test_missing_user_files(tmp_path, reader, name):
    with pytest.raises(ModelFormatError, match="no such file"):
        reader(tmp_path / name, 5)
