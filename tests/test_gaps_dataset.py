"""`morphgen stats` and `compare` on datasets written by morphgen's own shard writers."""

import csv
import json

import numpy as np
import pytest

from morphgen.cli import main
from morphgen.config.schema import Output
from morphgen.io.manifest import Manifest, label_info, save_manifest
from morphgen.io.shards import write_shard
from morphgen.labels import label_id
from morphgen.labelsets import remap_table
from morphgen.render.sample import Sample
from morphgen.scene import SceneParams

SIZE = 32


def make_sample(identity: int, index: int, yaw: float, labels: str) -> Sample:
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[8:24, 10:22] = label_id("skin")  # 16 x 12 face
    mask[12:14, 12:14] = label_id("left_eye")
    mask[24:, 12:20] = label_id("neck")
    params = SceneParams(
        identity=identity,
        sample=index,
        shape=np.array([identity, 0.0], np.float32),
        color=np.zeros(2, np.float32),
        expression=np.array([0.6, 0.8], np.float32),
        blendshapes=np.zeros(0, np.float32),
        yaw=yaw,
    )
    return Sample(
        params=params,
        rgb=np.full((SIZE, SIZE, 3), 180, np.uint8),
        mask=remap_table(labels)[mask],
        depth=np.zeros((SIZE, SIZE), np.float32),
        landmarks=np.zeros((3, 2), np.float32),
        landmark_visible=np.array([True, True, index % 2 == 0]),
        landmark_names=["a", "b", "c"],
        intrinsics=np.eye(3),
        extrinsics=np.eye(4),
        backend="test",
    )


def write_dataset(path, yaws_per_identity, fmt="webdataset", labels="morphgen"):
    options = Output(format=fmt, labels=labels, samples_per_shard=4)
    samples = [
        make_sample(i, j, yaw, labels)
        for i, yaws in enumerate(yaws_per_identity)
        for j, yaw in enumerate(yaws)
    ]
    path.mkdir()
    shards = {}
    for k in range(0, len(samples), 4):
        entry = write_shard(path, k // 4, samples[k : k + 4], options)
        shards[entry.index] = entry
    manifest = Manifest(
        morphgen_version="test",
        format=fmt,
        config={},
        config_hash="0",
        seed=0,
        model={"path": None, "sha256": "", "name": "test"},
        backend="test",
        labels=label_info(labels),
        plan={"shards": len(shards), "samples": len(samples), "identities": 3},
        shards=shards,
    )
    save_manifest(path, manifest)
    return samples


@pytest.mark.parametrize("fmt, labels", [("webdataset", "morphgen"), ("hdf5", "lapa")])
def test_stats_on_a_dataset(tmp_path, fmt, labels):
    write_dataset(tmp_path / "ds", [[0, 10, 20], [30], [40, 50]], fmt, labels)
    assert main(["stats", str(tmp_path / "ds"), "-o", str(tmp_path / "rep")]) == 0
    data = json.loads((tmp_path / "rep" / "stats.json").read_text())["attributes"]
    assert data["yaw"]["summary"]["n"] == 6
    assert data["yaw"]["summary"]["median"] == pytest.approx(25.0)
    assert data["expression_strength"]["summary"]["mean"] == pytest.approx(1.0, rel=1e-5)
    assert data["visible_landmarks"]["summary"]["min"] == 2
    assert data["visible_landmarks"]["summary"]["max"] == 3
    assert data["face_size_px"]["summary"]["mean"] == pytest.approx(np.sqrt(16 * 12))
    assert sum(data["images_per_identity"]["histogram"]["counts"]) == 3
    assert data["images_per_identity"]["summary"]["mean"] == pytest.approx(2.0)
    assert data["identity_nn_distance"]["summary"]["min"] == pytest.approx(1.0)
    eye = "left_eye" if labels == "morphgen" else "right_eye"  # LaPa names sides by image
    assert data[f"share_{eye}"]["summary"]["mean"] == pytest.approx(4 / SIZE**2)
    assert (tmp_path / "rep" / "overview.png").stat().st_size > 1000
    with open(tmp_path / "rep" / "attributes.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [float(r["yaw"]) for r in rows] == [0, 10, 20, 30, 40, 50]


def test_compare_two_datasets_and_a_dataset_with_a_csv(tmp_path, capsys):
    write_dataset(tmp_path / "a", [[-40, -30, -20], [-10], [0, 5]])
    write_dataset(tmp_path / "b", [[20, 30, 40], [50], [60, 70]])
    out = tmp_path / "cmp"
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(out)]) == 0
    ranked = json.loads((out / "compare.json").read_text())["ranked"]
    assert ranked[0]["attribute"] == "yaw"  # the only attribute that differs
    assert all(r["symmetric"] == pytest.approx(0.0) for r in ranked[1:])
    (tmp_path / "real.csv").write_text("yaw,pitch\n60,0\n70,0\n80,0\n")
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "real.csv"), "-o", str(out)]) == 0
    data = json.loads((out / "compare.json").read_text())
    assert [r["attribute"] for r in data["ranked"]] == ["yaw"]  # pitch: 0 in both
    assert {"roll", "pitch", "share_teeth"} <= set(data["not_compared"])


def test_a_directory_that_is_not_a_dataset_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["stats", str(tmp_path / "empty")]) == 2
    assert "manifest" in capsys.readouterr().err
