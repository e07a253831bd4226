"""A resume checks every listed shard against its recorded sha256 and redoes any that differ."""

from __future__ import annotations

import shutil
from pathlib import Path

from generate_config import CONFIG, config, tree_bytes

from morphgen.io.manifest import load_manifest
from morphgen.run.generate import generate

FOLDERS = {**CONFIG["output"], "format": "folders"}


def _resume(out: Path, capsys, **changes) -> tuple[int, str]:
    capsys.readouterr()
    summary = generate(config(**changes), out, workers=1, progress=False)
    return summary.rendered, capsys.readouterr().err


def test_a_flipped_byte_is_found_and_the_shard_redone(reference, tmp_path, capsys):
    out = tmp_path / "d"
    shutil.copytree(reference, out)
    path = out / load_manifest(out).shards[2].file
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01
    path.write_bytes(bytes(data))
    rendered, err = _resume(out, capsys)
    assert rendered == 2
    assert f"{path.relative_to(out).as_posix()}: sha256 differs" in err
    assert tree_bytes(out) == tree_bytes(reference)


def test_a_shard_copied_over_another_of_the_same_size_is_redone(reference, tmp_path, capsys):
    out = tmp_path / "d"
    shutil.copytree(reference, out)
    shards = load_manifest(out).shards
    # shard 3's bytes at shard 1's recorded size (tar pads with zero blocks): a size check
    # alone cannot tell them apart
    data = (out / shards[3].file).read_bytes()[: shards[1].bytes]
    (out / shards[1].file).write_bytes(data.ljust(shards[1].bytes, b"\0"))
    assert (out / shards[1].file).stat().st_size == shards[1].bytes
    rendered, err = _resume(out, capsys)
    assert rendered == 2 and shards[1].file in err
    assert tree_bytes(out) == tree_bytes(reference)


def test_a_deleted_image_of_a_folders_dataset_is_rendered_again(tmp_path, capsys):
    reference, out = tmp_path / "reference", tmp_path / "d"
    generate(config(output=FOLDERS), reference, workers=1, progress=False)
    shutil.copytree(reference, out)
    image = sorted((out / "images" / "id000002").iterdir())[1]
    image.unlink()
    rendered, err = _resume(out, capsys, output=FOLDERS)
    assert rendered == 2
    assert f"{image.relative_to(out).as_posix()}: missing" in err
    assert tree_bytes(out) == tree_bytes(reference)
