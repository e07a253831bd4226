"""Packaging: a wheel carries every package and the default model, found from any directory."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*cmd, "-w", str(out), str(ROOT)], check=True, capture_output=True)
    (found,) = out.glob("morphgen-*.whl")
    return found


def test_wheel_holds_every_package_and_the_asset(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = [p.parent.relative_to(ROOT) for p in (ROOT / "morphgen").rglob("__init__.py")]
    missing = [str(p) for p in packages if f"{p.as_posix()}/__init__.py" not in names]
    assert not missing, f"packages left out of the wheel (list them in pyproject.toml): {missing}"
    asset = zipfile.ZipFile(wheel).read("morphgen/assets/default_model.h5")
    expected = (ROOT / "assets" / "default_model.sha256").read_text().split()[0]
    assert hashlib.sha256(asset).hexdigest() == expected


def test_installed_wheel_finds_the_default_model_from_any_directory(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    subprocess.run([*pip, "--target", str(target), str(wheel)], check=True, capture_output=True)
    code = "from morphgen.model.load import DEFAULT_MODEL as m; print(m, m.is_file())"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert out[1] == "True"
    assert Path(out[0]).is_relative_to(target)
