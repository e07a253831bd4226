"""The public Python API: its names, and the README's example script run as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import morphgen

ROOT = Path(__file__).resolve().parent.parent


def test_public_names_are_the_documented_objects() -> None:
    from morphgen.io.readers import open_dataset
    from morphgen.render.renderer import Renderer

    assert morphgen.Renderer is Renderer and morphgen.open_dataset is open_dataset
    for name in ("load_model", "load_config", "Sampler", "generate"):
        assert callable(getattr(morphgen, name))
    assert set(morphgen.__all__) >= {"load_model", "load_config", "Sampler", "Renderer"}


def test_the_example_script_renders_generates_and_reads_back(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "api_example.py"
    out = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path), "--backend", "cpu"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert len(list(tmp_path.glob("id*_s*.png"))) == 3
    assert "read back 16 samples" in out.stdout
    assert (tmp_path / "dataset" / "manifest.json").is_file()
