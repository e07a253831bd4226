"""Links, foreign files and hostile manifests: morphgen writes, removes and reads only its own."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import pytest
from fs_helpers import small_filesystem
from generate_config import CONFIG, config, tree_bytes, write_config

from morphgen.cli import main
from morphgen.errors import MorphgenError
from morphgen.io import atomic
from morphgen.io.lock import directory_lock
from morphgen.run.generate import generate

FOLDERS = {**CONFIG["output"], "format": "folders"}


def _victim(tmp_path: Path) -> Path:
    """A directory outside the dataset with a file of the user's in it."""
    victim = tmp_path / "elsewhere"
    victim.mkdir()
    (victim / "morphgen-000000.tar").write_bytes(b"the user's own file")
    return victim


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_linked_shards_directory_is_refused(reference, tmp_path, overwrite):
    out = tmp_path / "d"
    shutil.copytree(reference, out)
    victim = _victim(tmp_path)
    shutil.rmtree(out / "shards")
    (out / "shards").symlink_to(victim)  # a resume would write every shard there
    with pytest.raises(MorphgenError, match="shards is a symbolic link"):
        generate(config(seed=8 if overwrite else 7), out, overwrite=overwrite, progress=False)
    assert [p.name for p in victim.iterdir()] == ["morphgen-000000.tar"]
    assert (victim / "morphgen-000000.tar").read_bytes() == b"the user's own file"


def test_a_linked_lock_file_is_refused_and_nothing_is_created_elsewhere(tmp_path):
    out = tmp_path / "d"
    out.mkdir()
    target = tmp_path / "created-elsewhere"
    (out / ".morphgen.lock").symlink_to(target)
    with pytest.raises(MorphgenError, match=r"\.morphgen\.lock is a symbolic link"):
        generate(config(), out, workers=1, progress=False)
    assert not target.exists()


def test_temp_names_are_unguessable_and_never_followed(tmp_path, monkeypatch):
    final = tmp_path / "shards" / "morphgen-000000.tar"
    assert atomic.temp_path(final) != atomic.temp_path(final)
    outside = tmp_path / "outside"
    planted = final.with_name(f".{final.name}.tmp-1")
    final.parent.mkdir()
    planted.symlink_to(outside)  # dangling: a write through it would create ``outside``
    monkeypatch.setattr(atomic, "temp_path", lambda _: planted)
    with pytest.raises(OSError):
        atomic.write_bytes(final, b"data")
    assert not outside.exists() and not final.exists()
    monkeypatch.undo()
    planted.unlink(missing_ok=True)
    planted.symlink_to(outside)
    assert atomic.clean_stale_temps(tmp_path) == [planted]  # a dangling link is cleaned too
    assert not planted.is_symlink() and not outside.exists()


def test_a_link_at_a_final_name_is_replaced_not_written_through(reference, tmp_path):
    out = tmp_path / "d"
    victim = _victim(tmp_path)
    (out / "shards").mkdir(parents=True)
    (out / "shards" / "morphgen-000000.tar").symlink_to(victim / "morphgen-000000.tar")
    generate(config(), out, workers=1, overwrite=True, progress=False)
    assert not (out / "shards" / "morphgen-000000.tar").is_symlink()
    assert (victim / "morphgen-000000.tar").read_bytes() == b"the user's own file"
    assert tree_bytes(out) == tree_bytes(reference)


def test_overwrite_without_a_manifest_removes_nothing_of_the_users(reference, tmp_path):
    out = tmp_path / "d"
    (out / "images").mkdir(parents=True)
    (out / "images" / "photo.jpg").write_bytes(b"a photo")
    (out / "index").mkdir()
    (out / "index" / "notes.txt").write_bytes(b"notes")
    generate(config(), out, workers=1, overwrite=True, progress=False)
    assert (out / "images" / "photo.jpg").read_bytes() == b"a photo"
    assert (out / "index" / "notes.txt").read_bytes() == b"notes"
    assert main(["verify", str(out)]) == 0


def test_overwrite_removes_exactly_what_the_old_manifest_lists(tmp_path):
    out = tmp_path / "d"
    generate(config(output=FOLDERS), out, workers=1, progress=False)
    photo = out / "images" / "id000001" / "photo.jpg"
    photo.write_bytes(b"a photo")
    generate(config(), out, workers=1, overwrite=True, progress=False)  # now webdataset
    assert photo.read_bytes() == b"a photo"
    assert sorted(p.name for p in (out / "images").iterdir()) == ["id000001"]
    assert [p.name for p in (out / "images" / "id000001").iterdir()] == ["photo.jpg"]
    assert not (out / "index").exists() and not (out / "masks").exists()


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def test_verify_refuses_paths_that_leave_the_dataset(reference, tmp_path, capsys):
    out = tmp_path / "data" / "d"
    shutil.copytree(reference, out)
    outside = tmp_path / "secret.tar"
    shutil.copyfile(out / "shards" / "morphgen-000000.tar", outside)
    manifest = _manifest(out)
    manifest["shards"][0]["file"] = "../../secret.tar"
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main(["verify", str(out)]) == 1
    report = capsys.readouterr().out
    assert "../../secret.tar: a path outside the dataset directory; not read" in report


def test_a_resume_never_reads_or_keeps_a_shard_listed_outside(reference, tmp_path, capsys):
    out = tmp_path / "d"
    shutil.copytree(reference, out)
    manifest = _manifest(out)
    manifest["shards"][1]["file"] = "../elsewhere.tar"
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert generate(config(), out, workers=1, progress=False).rendered == 2
    assert "../elsewhere.tar: listed for shard 1" in capsys.readouterr().err
    assert tree_bytes(out) == tree_bytes(reference)


def test_verify_during_a_live_run_says_so(reference, tmp_path, capsys):
    out = tmp_path / "d"
    shutil.copytree(reference, out)
    (out / "shards" / ".morphgen-000009.tar.tmp-1-ab").write_bytes(b"being written")
    with directory_lock(out):
        main(["verify", str(out)])
    assert "temp file of the run in progress" in capsys.readouterr().out
    main(["verify", str(out)])
    assert "temp file of an interrupted run" in capsys.readouterr().out


def test_a_manifest_with_bad_json_is_recovered_by_overwrite(reference, tmp_path):
    out = tmp_path / "d"
    shutil.copytree(reference, out)
    (out / "manifest.json").write_text('{"format": "webdataset", "shards": [')
    with pytest.raises(MorphgenError, match="not a readable morphgen manifest.*--overwrite"):
        generate(config(), out, workers=1, progress=False)
    generate(config(), out, workers=1, overwrite=True, progress=False)
    assert tree_bytes(out) == tree_bytes(reference)


def test_a_complete_dataset_on_a_full_disk_reruns_with_success(tmp_path, capsys):
    cfg = write_config(tmp_path)
    with small_filesystem(tmp_path / "mnt", 1024 * 1024) as mnt:
        args = ["generate", "--config", str(cfg), "--out", str(mnt / "d"), "--quiet"]
        assert main([*args, "--workers", "1"]) == 0
        with open(mnt / "filler", "wb", buffering=0) as fh:  # take every byte that is left
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 4096)
        stamp = (mnt / "d" / "manifest.json").stat().st_ino
        assert main([*args, "--workers", "1"]) == 0, capsys.readouterr().err
        assert (mnt / "d" / "manifest.json").stat().st_ino == stamp  # not rewritten


def test_overwrite_never_removes_what_a_manifest_lists_outside(reference, tmp_path, capsys):
    out = tmp_path / "data" / "d"
    shutil.copytree(reference, out)
    outside = tmp_path / "data" / "keep.txt"
    outside.write_bytes(b"the user's")
    manifest = _manifest(out)
    manifest["shards"][0]["file"] = "../keep.txt"
    (out / "manifest.json").write_text(json.dumps(manifest))
    generate(config(seed=8), out, workers=1, overwrite=True, progress=False)
    assert outside.read_bytes() == b"the user's"
    err = capsys.readouterr().err
    assert "../keep.txt: a path outside the dataset directory; not removed" in err
