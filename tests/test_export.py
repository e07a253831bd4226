"""``morphgen export``: each layout written from a generated dataset and read back by its
client's own rules (RecordIO from the format spec, and mxnet when available; torchvision's
ImageFolder walk; CelebAMask-HQ's combining rule; LaPa's text landmarks)."""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import recordio_spec
from PIL import Image

from morphgen.cli import main
from morphgen.config import parse_config
from morphgen.export import run_export
from morphgen.export.align import alignment_matrix, template
from morphgen.export.job import ExportOptions
from morphgen.io.readers import open_dataset
from morphgen.labels import label_id
from morphgen.labelsets import remap_table
from morphgen.run.generate import generate

ROOT = Path(__file__).resolve().parent.parent
IDENTITIES, PER_IDENTITY = 5, 3


def _generate(out: Path, labels: str) -> Path:
    cfg = parse_config(
        {
            "seed": 5,
            "identities": {"count": IDENTITIES, "images_per_identity": PER_IDENTITY},
            "camera": {"width": 64, "height": 64},
            "pose": {"yaw": {"dist": "uniform", "low": -10, "high": 10}},
            "render": {"backend": "cpu"},
            "output": {"samples_per_shard": 4, "labels": labels},
        }
    )
    generate(cfg, out, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return _generate(tmp_path_factory.mktemp("ds"), "morphgen")


@pytest.fixture(scope="module")
def samples(dataset) -> list[dict]:
    return list(open_dataset(dataset))


def options(to: str, **changes) -> ExportOptions:
    base = {"insightface": ("arcface112", "jpg"), "imagefolder": ("arcface112", "png")}
    align, fmt = base.get(to, ("none", "png"))
    return ExportOptions(**{"to": to, "align": align, "size": 112, "labels": None,
                            "image_format": fmt, **changes})  # fmt: skip


def export(dataset: Path, out: Path, opts: ExportOptions, overwrite: bool = False) -> dict:
    return run_export(dataset, out, opts, overwrite=overwrite, progress=False)


# ----------------------------------------------------------------------------- insightface
def test_insightface_records_read_back_from_the_spec(dataset, samples, tmp_path):
    record = export(dataset, tmp_path, options("insightface"))
    assert record["complete"] and record["images"] == len(samples) == IDENTITIES * PER_IDENTITY
    n, c = len(samples), IDENTITIES
    payloads = recordio_spec.read_all(tmp_path)
    flag, label, _, _ = recordio_spec.unpack(payloads[0])
    assert flag == 2 and label == (n + 1, n + 1 + c)  # what MXFaceDataset reads from record 0
    assert sorted(payloads) == list(range(n + 1 + c))
    identity_of = sorted(s["identity"] for s in samples)
    for k in range(1, n + 1):
        flag, label, _, image = recordio_spec.unpack(payloads[k])
        assert flag == 0 and label == identity_of[k - 1]
        assert Image.open(io.BytesIO(image)).size == (112, 112)
    for ident in range(c):
        _, (first, end), _, _ = recordio_spec.unpack(payloads[n + 1 + ident])
        assert [identity_of[k - 1] for k in range(int(first), int(end))] == [ident] * PER_IDENTITY
    assert len(recordio_spec.read_sequential(tmp_path / "train.rec")) == n + 1 + c
    assert (tmp_path / "property").read_text().strip() == f"{c},112,112"
    meta = json.loads((tmp_path / "export.json").read_text())
    assert meta["options"]["align"] == "arcface112"
    assert meta["source"]["config_hash"] == open_dataset(dataset).manifest.config_hash
    assert 'config.rec = "' in (tmp_path / "README.txt").read_text()


@pytest.mark.skipif(
    not os.environ.get("MORPHGEN_MXNET_PYTHON"),
    reason="set MORPHGEN_MXNET_PYTHON to an interpreter with mxnet (needs numpy < 2)",
)
def test_insightface_records_read_back_with_mxnet(dataset, samples, tmp_path):
    export(dataset, tmp_path, options("insightface", val_pairs=10, val_identities=2))
    script = ROOT / "scripts" / "read_insightface_mxnet.py"
    run = subprocess.run(
        [os.environ["MORPHGEN_MXNET_PYTHON"], str(script), str(tmp_path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    got = json.loads(run.stdout.strip().splitlines()[-1])
    c = IDENTITIES - 2
    n = c * PER_IDENTITY
    assert got["flag"] == 2 and got["header"] == [n + 1, n + 1 + c]
    assert [label for label, _ in got["images"]] == sorted(
        s["identity"] for s in samples if s["identity"] < c
    )
    assert all(shape == [112, 112, 3] for _, shape in got["images"])
    assert got["ranges"][0] == [1, 1 + PER_IDENTITY] and got["sequential"] == n + 1 + c
    assert got["val"] == [10, 5, [[112, 112, 3]]]


def test_a_payload_holding_the_magic_number_survives_the_split():
    from morphgen.export.recordio import frame

    magic = (0xCED7230A).to_bytes(4, "little")
    payload = b"abcd" + magic + b"efgh" + magic + magic + b"xyz"
    data = frame(payload)
    assert data.count(magic) == 4  # three escapes re-framed as four parts, no raw magic
    got, end = recordio_spec.read_record(data, 0)
    assert got == payload and end == len(data) and len(data) % 4 == 0


def test_val_pairs_come_from_held_out_identities(dataset, samples, tmp_path):
    record = export(dataset, tmp_path, options("insightface", val_pairs=10, val_identities=2))
    assert record["classes"] == IDENTITIES - 2
    assert record["images"] == (IDENTITIES - 2) * PER_IDENTITY
    with open(tmp_path / "val.bin", "rb") as fh:
        bins, issame = pickle.load(fh, encoding="bytes")
    assert len(bins) == 20 and len(issame) == 10 and sum(issame) == 5
    held = {s["identity"] for s in samples} - set(range(IDENTITIES - 2))
    assert set(record["val"]["identities_held_out"]) == held
    assert all(Image.open(io.BytesIO(b)).size == (112, 112) for b in bins)


# ------------------------------------------------------------------------------ alignment
def test_similarity_fit_recovers_a_known_similarity():
    from morphgen.export.align import similarity

    angle, scale, shift = 0.3, 1.7, np.array([5.0, -3.0])
    rot = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    src = template(112)
    fitted = similarity(src, src @ rot.T + shift)
    np.testing.assert_allclose(fitted, np.column_stack([rot, shift]), atol=1e-9)


def test_aligned_crops_put_the_eyes_on_the_template(dataset, samples, tmp_path):
    """Warp the label mask with each sample's alignment: its eye regions' centroids land
    near the template's eye points (112 px template; tolerance 5 px: the model's proportions
    differ from the average detected face the template was made from; over 40 identities
    the largest offset is 5.0 px at the default nose spread, 5.7 px at
    ``identities.features.nose: 2``, against 35 px between the eyes). Eyes closed by an
    expression have no eye pixels and are skipped."""
    from morphgen.export.align import arcface_points, warp

    eyes = template(112)[:2] + 0.5  # image-left, image-right; pixel centres at +0.5
    checked = 0
    for sample in samples:
        matrix = alignment_matrix(arcface_points(sample["metadata"], sample["key"]), 112)
        mask = warp(sample["mask"], matrix, 112, nearest=True)
        for name, point in (("right_eye", eyes[0]), ("left_eye", eyes[1])):
            rows, cols = np.nonzero(mask == label_id(name))
            if rows.size >= 10:
                checked += 1
                assert np.hypot(cols.mean() + 0.5 - point[0], rows.mean() + 0.5 - point[1]) < 5
    assert checked >= len(samples)  # at least half of all eyes are open


# ---------------------------------------------------------------------------- imagefolder
def _torchvision_walk(root: Path) -> tuple[dict[str, int], list[tuple[Path, int]]]:
    """torchvision.datasets.ImageFolder's walk: sorted class dirs -> indices, then files."""
    classes = sorted(e.name for e in os.scandir(root) if e.is_dir())
    class_to_idx = {c: i for i, c in enumerate(classes)}
    found = []
    for c in classes:
        for dirpath, _, names in sorted(os.walk(root / c, followlinks=True)):
            for name in sorted(names):
                if name.lower().endswith((".png", ".jpg", ".jpeg")):
                    found.append((Path(dirpath) / name, class_to_idx[c]))
    return class_to_idx, found


def test_imagefolder_walk_gives_identity_order_classes(dataset, samples, tmp_path):
    export(dataset, tmp_path, options("imagefolder"))
    class_to_idx, found = _torchvision_walk(tmp_path)
    assert [int(c) for c in class_to_idx] == sorted({s["identity"] for s in samples})
    assert Counter(idx for _, idx in found) == Counter(s["identity"] for s in samples)
    assert all(Image.open(p).size == (112, 112) for p, _ in found)


# ---------------------------------------------------------------------------- celebamask
CELEBAMASK_PARTS = [  # face_parsing/Data_preprocessing/g_mask.py, label_list (list2)
    "skin", "nose", "eye_g", "l_eye", "r_eye", "l_brow", "r_brow", "l_ear", "r_ear", "mouth",
    "u_lip", "l_lip", "hair", "hat", "ear_r", "neck_l", "neck", "cloth",
]  # fmt: skip


def _combine_like_g_mask(anno: Path, k: int, shape: tuple[int, int]) -> np.ndarray:
    """CelebAMask-HQ's preprocessing: each existing part file, in list order, overwrites."""
    base = np.zeros(shape, np.uint8)
    for idx, part in enumerate(CELEBAMASK_PARTS):
        path = anno / str(k // 2000) / f"{k:05d}_{part}.png"
        if path.exists():
            base[np.asarray(Image.open(path)) != 0] = idx + 1
    return base


def test_celebamask_parts_combine_to_the_dataset_masks(dataset, samples, tmp_path):
    export(dataset, tmp_path, options("celebamask-hq"))
    for k, sample in enumerate(samples):
        expected = remap_table("celebamask")[sample["mask"]]
        combined = _combine_like_g_mask(tmp_path / "CelebAMask-HQ-mask-anno", k, expected.shape)
        np.testing.assert_array_equal(combined, expected)
        written = np.asarray(Image.open(tmp_path / "CelebAMask-HQ-mask" / f"{k}.png"))
        np.testing.assert_array_equal(written, expected)
        assert (tmp_path / "CelebA-HQ-img" / f"{k}.png").is_file()
    index = (tmp_path / "morphgen-index.txt").read_text().split()
    assert index[1] == samples[0]["key"]
    side = json.loads((tmp_path / "export.json").read_text())["side"]
    assert side["convention"] == "subject"


def test_celebamask_bisenet_order_for_the_combined_masks(dataset, samples, tmp_path):
    export(dataset, tmp_path, options("celebamask-hq", labels="celebamask_bisenet"))
    written = np.asarray(Image.open(tmp_path / "CelebAMask-HQ-mask" / "0.png"))
    np.testing.assert_array_equal(written, remap_table("celebamask_bisenet")[samples[0]["mask"]])


# ---------------------------------------------------------------------------------- lapa
def test_lapa_labels_and_landmarks(dataset, samples, tmp_path):
    export(dataset, tmp_path, options("lapa"))
    for sample in samples:
        key = sample["key"]
        labels = np.asarray(Image.open(tmp_path / "labels" / f"{key}.png"))
        np.testing.assert_array_equal(labels, remap_table("lapa")[sample["mask"]])
        lines = (tmp_path / "landmarks" / f"{key}.txt").read_text().splitlines()
        assert int(lines[0]) == 68 and len(lines) == 69
        points = np.array([[float(v) for v in line.split()] for line in lines[1:]])
        named = {p["name"]: (p["x"], p["y"]) for p in sample["metadata"]["landmarks"]}
        expected = np.array([named[f"ibug{i:02d}"] for i in range(1, 69)])
        np.testing.assert_allclose(points, expected, atol=1e-3)


# ------------------------------------------------------------------------------- relabel
def test_relabel_from_a_celebamask_dataset_to_lapa(tmp_path):
    from morphgen.export.relabel import relabel_table

    morphgen_ids = np.arange(15, dtype=np.uint8)
    via = relabel_table("celebamask", "lapa")[remap_table("celebamask")[morphgen_ids]]
    np.testing.assert_array_equal(via, remap_table("lapa")[morphgen_ids])


def test_relabel_refuses_to_split_a_merged_class():
    from morphgen.errors import MorphgenError
    from morphgen.export.relabel import relabel_table

    with pytest.raises(MorphgenError, match="lapa's 'background' holds background, neck"):
        relabel_table("lapa", "celebamask")


# ------------------------------------------------------------------ resume, refusal, CLI
def test_rerun_resumes_and_restores_a_lost_file(dataset, tmp_path):
    opts = options("lapa")
    export(dataset, tmp_path, opts)
    victim = sorted((tmp_path / "labels").iterdir())[2]
    before = victim.read_bytes()
    victim.unlink()
    (tmp_path / "landmarks" / victim.name.replace(".png", ".txt")).unlink()
    export(dataset, tmp_path, opts)
    assert victim.read_bytes() == before


def test_refusals_are_one_clear_line(dataset, tmp_path, capsys):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    cases = [
        (["export", str(tmp_path / "missing"), "--to", "lapa", "--out", str(tmp_path / "o")],
         "no such dataset directory"),
        (["export", str(foreign), "--to", "lapa", "--out", str(tmp_path / "o")],
         "no manifest.json"),
        (["export", str(dataset), "--to", "lapa", "--out", str(foreign), "--overwrite"],
         "holds no export.json"),
        (["export", str(dataset), "--to", "celebamask-hq", "--labels", "lapa", "--out",
          str(tmp_path / "o")], "celebamask-hq masks use CelebAMask-HQ's classes"),
        (["export", str(dataset), "--to", "imagefolder", "--labels", "lapa", "--out",
          str(tmp_path / "o")], "the imagefolder format writes no masks"),
        (["export", str(dataset), "--to", "insightface", "--val-pairs", "4", "--out",
          str(tmp_path / "o")], "expected at least 10 pairs"),
    ]  # fmt: skip
    for argv, message in cases:
        assert main([*argv, "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert (foreign / "keep.txt").read_text() == "mine"
    with pytest.raises(SystemExit):
        main(["export", str(dataset), "--to", "coco", "--out", str(tmp_path / "o")])


def test_other_options_need_overwrite(dataset, tmp_path, capsys):
    out = str(tmp_path / "o")
    assert main(["export", str(dataset), "--to", "lapa", "--out", out, "--no-progress"]) == 0
    argv = ["export", str(dataset), "--to", "imagefolder", "--out", out, "--no-progress"]
    assert main(argv) == 2 and "--overwrite" in capsys.readouterr().err
    assert main([*argv, "--overwrite"]) == 0
    assert not (tmp_path / "o" / "labels").exists()
