"""morphgen verify finds what is wrong; morphgen preview draws samples, masks and landmarks."""

from __future__ import annotations

import json

import numpy as np
import pytest
from io_fakes import fake_sample, write_fake_dataset
from PIL import Image

from morphgen.cli import main
from morphgen.config.schema import Output
from morphgen.io.contact_sheet import OCCLUDED, VISIBLE, contact_sheet
from morphgen.io.shards import write_shard


@pytest.mark.parametrize("fmt", ["webdataset", "hdf5", "folders"])
def test_verify_passes_a_good_dataset(tmp_path, capsys, fmt):
    write_fake_dataset(tmp_path, fmt)
    assert main(["verify", str(tmp_path)]) == 0
    assert "OK (2 shards, 8 samples verified)" in capsys.readouterr().out


def test_verify_reports_a_corrupted_shard(tmp_path, capsys):
    write_fake_dataset(tmp_path)
    shard = tmp_path / "shards" / "morphgen-000001.tar"
    data = bytearray(shard.read_bytes())
    data[2000] ^= 0xFF  # inside the first member's PNG bytes
    shard.write_bytes(bytes(data))
    assert main(["verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "shards/morphgen-000001.tar: sha256" in out
    assert "morphgen-000000.tar" not in out


def test_verify_reports_missing_truncated_and_unlisted_shards(tmp_path, capsys):
    write_fake_dataset(tmp_path, shards=3)
    (tmp_path / "shards" / "morphgen-000000.tar").unlink()
    second = tmp_path / "shards" / "morphgen-000001.tar"
    second.write_bytes(second.read_bytes()[:3000])
    (tmp_path / "shards" / "morphgen-000009.tar").write_bytes(b"")
    assert main(["verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "shards/morphgen-000000.tar: missing" in out
    assert "shards/morphgen-000001.tar: 3000 bytes" in out
    assert "shards/morphgen-000009.tar: not in the manifest" in out
    assert "morphgen-000002" not in out


def test_verify_reports_invalid_mask_ids_and_incomplete_metadata(tmp_path, capsys):
    manifest = write_fake_dataset(tmp_path, shards=1)
    bad = [fake_sample(0, 0, labels=11), fake_sample(0, 1, labels=11)]
    bad[0].mask[0, 0] = 200  # lapa has 11 classes: 0..10
    bad[1].metadata = lambda: {"identity": 0, "sample": 1, "camera": {}, "backend": "x"}
    bad += [fake_sample(1, 0, labels=11), fake_sample(1, 1, labels=11)]
    entry = write_shard(tmp_path, 0, bad, Output(labels="lapa"))
    manifest.shards[0] = entry
    (tmp_path / "manifest.json").write_text(json.dumps(manifest.to_dict()))
    assert main(["verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "id000000_s0000: mask holds ids [200] outside the label set" in out
    assert "id000000_s0001: metadata lacks params, landmarks" in out
    assert "1 problem" not in out and "2 problems found" in out


def test_verify_reports_unfinished_dataset(tmp_path, capsys):
    manifest = write_fake_dataset(tmp_path, shards=2)
    manifest.plan["shards"] = 3
    (tmp_path / "manifest.json").write_text(json.dumps(manifest.to_dict()))
    assert main(["verify", str(tmp_path)]) == 1
    assert "1 of 3 shards unfinished" in capsys.readouterr().out


def test_preview_draws_tiles_masks_and_landmarks(tmp_path):
    write_fake_dataset(tmp_path)
    sheet = np.asarray(contact_sheet(tmp_path, count=3))
    # 2 columns x 2 rows of (image | mask) tiles, 32 px scaled by 4, plus a caption line
    assert sheet.shape[1] == 2 * 2 * 128 and sheet.shape[0] > 2 * 128
    first = fake_sample(0, 0, labels=11)
    x, y = first.landmarks[first.landmark_visible][0]
    assert tuple(sheet[int(y * 4), int(x * 4)]) == VISIBLE
    assert (sheet == np.array(OCCLUDED, dtype=np.uint8)).all(axis=-1).any()
    assert not sheet[2 * 128 + 20 :, 256:].any()  # the fourth tile is empty
    out = tmp_path / "sheet.png"
    assert main(["preview", str(tmp_path), "-o", str(out), "-n", "3"]) == 0
    assert Image.open(out).size == (sheet.shape[1], sheet.shape[0])
