"""``morphgen realism``: the metrics against hand-computed values, the clear errors (missing
extra, not a dataset, one identity), the report with a stand-in pipeline, and the real dlib
pipeline end to end when it is installed (it is in the ``test`` extra)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from morphgen.cli import main
from morphgen.commands import realism as realism_command
from morphgen.config import parse_config
from morphgen.errors import MorphgenError
from morphgen.gaps import face_pipeline
from morphgen.gaps import realism as r
from morphgen.run.generate import generate

HAVE_DLIB = (
    importlib.util.find_spec("dlib") is not None
    and importlib.util.find_spec("face_recognition_models") is not None
)
needs_dlib = pytest.mark.skipif(
    not HAVE_DLIB, reason="dlib's pipeline not installed (pip install 'morphgen[eval]')"
)

# 3 identities x 3 near-frontal images of 128 px: big enough for HOG with upsample 1.
SMALL = {
    "seed": 3,
    "identities": {"count": 3, "images_per_identity": 3},
    "pose": {"yaw": {"dist": "uniform", "low": -10, "high": 10}, "pitch": 0, "roll": 0},
    "camera": {"width": 128, "height": 128},
    "expression": {"neutral_probability": 1.0},
    "background": {"kinds": {"gradient": 1}},
    "render": {"backend": "cpu"},
    "output": {"samples_per_shard": 3, "mask": False, "depth": "none"},
}


def _generate(directory, **changes):
    data = json.loads(json.dumps(SMALL))
    data.update(changes)
    generate(parse_config(data), directory, workers=1, progress=False)
    return directory


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return _generate(tmp_path_factory.mktemp("small") / "ds")


# --- metrics ---------------------------------------------------------------------------------


def brute_auc(same, different):
    """P(different > same) + P(tie) / 2 by comparing every (same, different) pair."""
    s, d = np.asarray(same)[:, None], np.asarray(different)[None, :]
    return float(((d > s).sum() + 0.5 * (d == s).sum()) / (s.size * d.size))


def test_average_ranks_share_ties():
    assert r.average_ranks(np.array([3.0, 1.0, 2.0, 2.0])).tolist() == [4.0, 1.0, 2.5, 2.5]
    assert r.average_ranks(np.array([5.0, 5.0, 5.0])).tolist() == [2.0, 2.0, 2.0]


def test_auc_of_separated_reversed_and_hand_cases():
    assert r.roc_auc(np.array([0.1, 0.2, 0.3]), np.array([0.5, 0.9])) == 1.0
    assert r.roc_auc(np.array([0.5, 0.9]), np.array([0.1, 0.2, 0.3])) == 0.0
    # same [0.1, 0.4] vs different [0.3, 0.5]: 3 of the 4 (same, different) pairs ordered
    assert r.roc_auc(np.array([0.1, 0.4]), np.array([0.3, 0.5])) == 0.75
    # one tie counts half: same [0.3] vs different [0.3, 0.5] -> (0.5 + 1) / 2
    assert r.roc_auc(np.array([0.3]), np.array([0.3, 0.5])) == 0.75
    assert r.roc_auc(np.full(4, 0.7), np.full(6, 0.7)) == 0.5


def test_auc_matches_brute_force_and_is_a_half_for_one_distribution():
    rng = np.random.default_rng(0)
    same, different = rng.normal(size=3000), rng.normal(size=4000)
    auc = r.roc_auc(same, different)
    assert auc == pytest.approx(brute_auc(same, different), abs=1e-12)
    assert abs(auc - 0.5) < 0.02  # sd of the estimate ~0.007
    rounded = np.round(rng.normal(0.4, 0.1, 500), 2), np.round(rng.normal(0.6, 0.1, 700), 2)
    assert r.roc_auc(*rounded) == pytest.approx(brute_auc(*rounded), abs=1e-12)  # many ties


def test_pairwise_distances_and_pair_split():
    x = np.random.default_rng(1).normal(size=(5, 8))
    d = r.pairwise_distances(x)
    np.testing.assert_allclose(d, cdist(x, x), atol=1e-9)
    same, different = r.pair_split(d, np.array([0, 0, 1, 1, 1]))
    assert (same.size, different.size) == (1 + 3, 2 * 3)
    np.testing.assert_allclose(sorted(same), sorted([d[0, 1], d[2, 3], d[2, 4], d[3, 4]]))


def test_below_rate_is_strict():
    assert r.below_rate(np.array([0.2, 0.6, 0.7, 0.59])) == 0.5
    assert np.isnan(r.below_rate(np.array([])))


def test_rank1_uses_each_identitys_first_image_as_gallery():
    # points on a line: identity 0 at 0, 1; identity 1 at 10, 0.8 (closer to identity 0)
    x = np.array([[0.0], [1.0], [10.0], [0.8], [11.0]])
    ids = np.array([0, 0, 1, 1, 1])
    rate, probes, gallery = r.rank1(r.pairwise_distances(x), ids)
    assert (probes, gallery) == (3, 2)  # probes: rows 1, 3, 4; gallery rows 0 and 2
    assert rate == pytest.approx(2 / 3)  # row 3 is nearest to gallery row 0 (identity 0)


def test_nme_normalises_by_outer_eye_corners():
    truth = np.zeros((68, 2))
    truth[36], truth[45] = (0.0, 0.0), (10.0, 0.0)
    assert r.nme(truth + [1.0, 0.0], truth) == pytest.approx(0.1)
    pred = truth.copy()
    pred[:17] += [0.0, 3.0]  # jaw only: 17 points off by 3 px
    assert r.nme(pred, truth) == pytest.approx(17 * 3 / 68 / 10)
    assert r.nme(pred, truth, r.INNER_POINTS) == 0.0
    both = r.nme(np.stack([truth, truth + [0.0, 2.0]]), np.stack([truth, truth]))
    np.testing.assert_allclose(both, [0.0, 0.2])


def test_boxes():
    assert r.box_iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert r.box_iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
    assert r.box_iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    pts = np.array([[10.0, 20.0], [30.0, 60.0]])  # 20 wide, 40 high
    left, top, right, bottom = r.face_box(pts)
    assert right - left == pytest.approx(r.BOX_SCALE * 40) == bottom - top
    assert (left + right) / 2 == 20.0
    assert (top + bottom) / 2 == pytest.approx(40.0 - r.BOX_SHIFT_UP * 40)


def test_yaw_bins():
    yaw = np.array([-29.0, -1.0, 1.0, 14.0, 29.0, 30.0])
    edges = r.yaw_edges(yaw)
    assert edges.tolist() == [-30.0, -15.0, 0.0, 15.0, 30.0]
    detected = np.array([True, False, True, False, True, True])
    rows = r.by_bin(yaw, detected, np.array([0.1, 9.0, 0.2, 9.0, 0.3, 0.5]), edges)
    assert [(x["images"], x["detected"]) for x in rows] == [(1, 1), (1, 0), (2, 1), (2, 2)]
    assert [x["rate"] for x in rows] == [1.0, 0.0, 0.5, 1.0]
    assert rows[1]["nme"] is None and rows[3]["nme"] == pytest.approx(0.4)
    assert r.yaw_edges(np.array([0.0])).tolist() == [0.0, 15.0]


def test_confusable_identities_and_verification():
    x = np.array([[0.0], [0.1], [0.5], [0.55], [3.0], [3.1]])
    ids = np.array([0, 0, 1, 1, 2, 2])
    pairs, n = r.confusable_identities(r.pairwise_distances(x), ids, 0.6)
    assert n == 3 and [p["identities"] for p in pairs] == [[0, 1]]
    assert pairs[0]["close_pairs"] == 4 and pairs[0]["min_distance"] == pytest.approx(0.4)
    v = r.verification(x, ids)
    assert (v["same_pairs"], v["different_pairs"]) == (3, 12)
    assert v["confusable_pairs"] == 4 and v["confusable_rate"] == pytest.approx(4 / 12)
    assert v["confusable_identity_rate"] == pytest.approx(1 / 3)
    assert v["auc"] == pytest.approx(brute_auc([0.1, 0.05, 0.1], _different(x, ids)))
    assert v["rank1"] == 1.0 and v["false_non_match_rate"] == 0.0


def test_confusable_interval_resamples_identities():
    """Identities whose every pair is equally confusable give an interval on that rate; a
    set where one pair of identities holds all the close pairs gives a wide one around the
    point estimate, and more identities of the same make narrower intervals."""
    ids = np.repeat(np.arange(12), 4)
    half = (np.arange(48) % 2 == 0)[:, None] & (np.arange(48) % 2 == 0)[None]
    dist = np.where(half, 0.3, 1.0)  # a quarter of all image pairs close, whichever identities
    np.fill_diagonal(dist, 0.0)
    low, high = r.confusable_interval(dist, ids)
    assert low == pytest.approx(0.25) and high == pytest.approx(0.25)

    def hub(n):  # identity 0 is close to everyone, the rest to nobody
        ids = np.repeat(np.arange(n), 3)
        one = ids == 0
        d = np.where(one[:, None] | one[None], 0.3, 1.0)
        np.fill_diagonal(d, 0.0)
        return d, ids, below_rate_of(d, ids)

    d, ids, rate = hub(10)
    low, high = r.confusable_interval(d, ids)
    assert low < rate < high and high - low > 0.1
    assert r.confusable_interval(d, ids) == (low, high)  # a fixed seed: the same interval
    d, ids, rate = hub(40)
    wide = high - low
    low, high = r.confusable_interval(d, ids)
    assert low < rate < high and high - low < 0.6 * wide


def below_rate_of(d, ids):
    return r.below_rate(r.pair_split(d, ids)[1])


def _different(x, ids):
    d = cdist(x, x)
    return [d[i, j] for i, j in itertools.combinations(range(len(ids)), 2) if ids[i] != ids[j]]


def test_verification_needs_two_identities_and_a_same_pair():
    with pytest.raises(MorphgenError, match="at least 2 identities"):
        r.verification(np.zeros((3, 4)), np.array([5, 5, 5]))
    with pytest.raises(MorphgenError, match="at least 2 images"):
        r.verification(np.eye(3), np.array([0, 1, 2]))


# --- the clear errors ------------------------------------------------------------------------


@pytest.fixture
def no_dlib(monkeypatch):
    """As if the eval extra were not installed: ``import dlib`` fails."""
    monkeypatch.setitem(sys.modules, "dlib", None)


def test_missing_dlib_says_what_to_install(no_dlib):
    with pytest.raises(MorphgenError, match=r"pip install 'morphgen\[eval\]'"):
        face_pipeline.require()
    with pytest.raises(MorphgenError, match="dlib is not installed"):
        face_pipeline.load_pipeline()


def test_missing_model_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "face_recognition_models", None)
    with pytest.raises(MorphgenError, match="face-recognition-models is not installed"):
        face_pipeline.model_files()


def test_cli_without_the_extra_is_one_line_and_exit_2(no_dlib, small, tmp_path, capsys):
    assert main(["realism", str(small), "-o", str(tmp_path / "rep"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("morphgen: error:") and "\n" not in err
    assert "pip install 'morphgen[eval]'" in err
    assert not (tmp_path / "rep").exists()


def test_cli_refuses_a_non_dataset(tmp_path, capsys):
    assert main(["realism", str(tmp_path)]) == 2
    assert "not a morphgen dataset" in capsys.readouterr().err
    assert main(["realism", str(tmp_path / "nowhere")]) == 2
    assert "no such dataset directory" in capsys.readouterr().err


def test_cli_refuses_one_identity(tmp_path, capsys):
    one = _generate(tmp_path / "one", identities={"count": 1, "images_per_identity": 2})
    assert main(["realism", str(one)]) == 2
    assert "need at least 2" in capsys.readouterr().err


# --- the report with a stand-in pipeline (no dlib needed) -----------------------------------


class FakePipeline:
    """Detects a centred box except on odd sample indices; describes an image by colour."""

    upsample = 1

    def __init__(self):
        self.boxes = []

    def detect(self, rgb):
        h, w = rgb.shape[:2]
        if rgb[0, 0, 0] % 2:  # odd marker pixel: nothing found, plus a stray detection
            return [((0.0, 0.0, 5.0, 5.0), 0.1)]
        return [((w * 0.2, h * 0.2, w * 0.8, h * 0.8), 1.5)]

    def analyse(self, rgb, box):
        self.boxes.append(box)
        left, top, right, bottom = box
        t = np.linspace(0, 1, 68)
        points = np.stack([left + t * (right - left), top + t * (bottom - top)], axis=1)
        descriptor = np.zeros(128)
        descriptor[:3] = rgb[rgb.shape[0] // 2, rgb.shape[1] // 2] / 255.0
        return points, descriptor


def fake_samples(identities=4, per_identity=3, size=64):
    t = np.linspace(0, 1, 68)
    for i, j in itertools.product(range(identities), range(per_identity)):
        rgb = np.zeros((size, size, 3), dtype=np.uint8)
        rgb[...] = (40 * i + 10 + 2 * j, 60, 200 - 30 * i)
        rgb[0, 0, 0] = j % 2  # odd sample indices are "not detected"
        pts = np.stack([14 + 36 * t, 16 + 36 * t], axis=1)
        yield {
            "key": f"id{i:06d}_s{j:04d}",
            "identity": i,
            "sample": j,
            "rgb": rgb,
            "metadata": {
                "identity": i,
                "sample": j,
                "params": {"yaw": -20.0 + 20 * j, "pitch": 0.0},
                "landmarks": [
                    {"name": f"ibug{n + 1:02d}", "x": x, "y": y, "visible": True}
                    for n, (x, y) in enumerate(pts)
                ],
            },
        }


def test_evaluate_uses_the_truth_box_when_nothing_is_detected_and_writes_the_report(tmp_path):
    pipe = FakePipeline()
    ev = r.evaluate(fake_samples(), pipe, progress=False)
    assert len(ev) == 12 and ev.detected == [True, False, True] * 4
    assert ev.false_positives == [0, 1, 0] * 4
    truth = r.face_box(np.array(ev.ours[1]))
    assert pipe.boxes[1] == pytest.approx(truth) and ev.box[1] == pytest.approx(truth)
    summary = r.summarise(ev, "fake", 1)
    assert summary["detection"]["rate"] == pytest.approx(8 / 12)
    by_yaw = summary["detection"]["by_yaw"]  # yaws -20, 0, 20 in 15 degree bins
    assert [b["rate"] for b in by_yaw] == [1.0, None, 0.0, 1.0]
    va, vd = summary["identity"]["all_images"], summary["identity"]["detected_only"]
    assert va["images"] == 12 and vd["images"] == 8
    assert va["auc"] == 1.0 and va["rank1"] == 1.0  # colours separate the identities
    index = r.write_realism(ev, summary, tmp_path)
    for name in ("realism.json", "images.csv", "descriptors.npy", "overview.png", "examples.png"):
        assert (tmp_path / name).is_file(), name
    assert json.loads((tmp_path / "realism.json").read_text())["images"] == 12
    page = index.read_text()
    assert "verification AUC" in page and "plots/distances_all_images.png" in page
    assert (tmp_path / "plots" / "detection_by_yaw.png").is_file()
    assert len((tmp_path / "images.csv").read_text().splitlines()) == 13
    text = r.terminal_text(summary)
    assert "rank-1 identification" in text and "yaw bin" in text


def test_evaluate_needs_the_ibug68_landmarks():
    sample = next(fake_samples())
    sample["metadata"]["landmarks"] = sample["metadata"]["landmarks"][:5]
    with pytest.raises(MorphgenError, match="iBUG 68"):
        r.evaluate([sample], FakePipeline(), progress=False)


def test_cli_with_a_stand_in_pipeline(small, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(realism_command.face_pipeline, "require", lambda: None)
    monkeypatch.setattr(realism_command.face_pipeline, "load_pipeline", lambda k: FakePipeline())
    out = tmp_path / "rep"
    assert main(["realism", str(small), "-o", str(out), "--quiet", "--max-images", "6"]) == 0
    printed = capsys.readouterr().out
    assert "6 images, 2 identities" in printed and str(out / "index.html") in printed
    assert json.loads((out / "realism.json").read_text())["images"] == 6
    assert main(["realism", str(small), "-o", str(out), "--quiet", "--max-images", "3"]) == 2
    assert "raise --max-images" in capsys.readouterr().err


def test_default_report_directory_is_next_to_the_dataset(small, monkeypatch):
    monkeypatch.setattr(realism_command.face_pipeline, "require", lambda: None)
    monkeypatch.setattr(realism_command.face_pipeline, "load_pipeline", lambda k: FakePipeline())
    assert main(["realism", str(small), "--quiet"]) == 0
    assert (small.parent / "ds_realism" / "index.html").is_file()


# --- the real pipeline -----------------------------------------------------------------------


@needs_dlib
def test_dlib_pipeline_end_to_end(small, tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["realism", str(small), "-o", str(out), "--quiet"]) == 0
    assert "HOG detection rate" in capsys.readouterr().out
    for name in ("index.html", "realism.json", "images.csv", "overview.png", "examples.png"):
        assert (out / name).is_file(), name
    s = json.loads((out / "realism.json").read_text())
    assert s["images"] == 9 and s["identities"] == 3
    assert s["detection"]["detected"] >= 6  # frontal 128 px faces: HOG finds most
    assert 0.0 < s["landmarks"]["nme"]["mean"] < 0.3
    v = s["identity"]["all_images"]
    assert 0.0 <= v["auc"] <= 1.0 and 0.0 <= v["confusable_rate"] <= 1.0
    assert v["rank1"] is not None and 0.0 <= v["rank1"] <= 1.0
    assert (v["same_pairs"], v["different_pairs"]) == (9, 27)
    assert 0.05 < v["same_distance"]["mean"] < 1.2  # real 128-d dlib descriptors
    descriptors = np.load(out / "descriptors.npy")
    assert descriptors.shape == (9, 128)
    assert np.all((np.linalg.norm(descriptors, axis=1) > 0.5) & np.isfinite(descriptors).all(1))
