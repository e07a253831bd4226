"""A real full disk: no shard under its final name unless it is whole and listed."""

from __future__ import annotations

import yaml
from fs_helpers import resize, small_filesystem
from generate_config import CONFIG, config, tree_bytes

from morphgen.cli import main
from morphgen.hashing import sha256_file
from morphgen.io.manifest import load_manifest
from morphgen.run.generate import generate

HDF5 = {**CONFIG["output"], "format": "hdf5", "depth": "npy"}
# Disk sizes in shards: the disk fills at different points inside a shard's write.
SIZES = (1.2, 1.5, 1.8)


def test_hdf5_on_a_full_disk_stops_with_one_message_and_resumes(tmp_path, capsys):
    reference = tmp_path / "reference"
    generate(config(output=HDF5), reference, workers=1, progress=False)
    shard = max(p.stat().st_size for p in (reference / "shards").iterdir())
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({**CONFIG, "output": HDF5}))
    for size in SIZES:
        with small_filesystem(tmp_path / f"mnt{size}", int(size * shard) + 16 * 1024) as mnt:
            out = mnt / "d"
            args = ["generate", "--config", str(cfg), "--out", str(out), "--workers", "1"]
            code = main([*args, "--quiet"])
            err = capsys.readouterr().err
            assert code == 2, err
            assert "the disk is full" in err and "Traceback" not in err
            manifest = load_manifest(out)
            listed = {e.file for e in manifest.shards.values()}
            assert len(listed) < 4
            on_disk = {p.relative_to(out).as_posix() for p in (out / "shards").iterdir()}
            assert on_disk == listed  # no temp file, no unlisted shard under a final name
            for entry in manifest.shards.values():
                assert sha256_file(out / entry.file) == entry.sha256
                assert (out / entry.file).read_bytes() == (reference / entry.file).read_bytes()
            resize(mnt, 64 * shard)  # space freed: the same command finishes the dataset
            assert main([*args, "--quiet"]) == 0
            assert tree_bytes(out) == tree_bytes(reference)
