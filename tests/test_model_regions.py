"""Regions derived from iBUG-68 landmarks, checked against the default head's own regions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from morphgen.labels import LABEL_IDS
from morphgen.model.load import DEFAULT_MODEL
from morphgen.model.regions import derive_regions
from morphgen.model.statismo import read_statismo

pytestmark = pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="default model not built")


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
