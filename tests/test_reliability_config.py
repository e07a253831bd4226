"""Hostile or broken config files: one clear ConfigError, quickly, never a traceback or a hang."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from morphgen.cli import main
from morphgen.config import load_config
from morphgen.errors import ConfigError


@pytest.fixture
def deadline():
    """Fail (instead of hanging) when the test body takes more than 10 s."""

    def expire(*_):
        raise TimeoutError("took more than 10 s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _bomb(levels: int, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    for k in range(1, levels):
        lines.append(f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * width)}]")
    return "\n".join(lines) + "\nseed: 1\n"


def test_an_alias_bomb_is_refused_quickly(tmp_path, deadline):
    path = tmp_path / "bomb.yaml"
    path.write_text(_bomb(9))
    assert len(path.read_bytes()) < 600
    with pytest.raises(ConfigError, match=r"bomb.yaml: line \d+: .*expands .* more than"):
        load_config(path)


def test_an_alias_used_many_times_still_finds_duplicates_once(tmp_path, deadline):
    text = "base: &b {yaw: 1, yaw: 2}\n" + "".join(f"k{n}: *b\n" for n in range(50))
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).count("key given twice") == 1


@pytest.mark.parametrize(
    "text",
    [
        "seed: " + "[" * 1200 + "]" * 1200 + "\n",  # past the recursion limit
        "".join(" " * k + f"k{k}:\n" for k in range(3000)) + " " * 3000 + "x: 1\n",
        "".join(" " * k + f"k{k}:\n" for k in range(100)) + " " * 100 + "x: 1\n",
    ],
    ids=["flow-1200", "block-3000", "block-100"],
)
def test_deep_nesting_is_one_clear_error(tmp_path, capsys, text):
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "deep.yaml" in err and "levels deep" in err and "Traceback" not in err


def test_a_non_utf8_config_names_the_line(tmp_path, capsys):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("seed: 1\n# caf\u00e9\n".encode("latin-1"))
    assert main(["config", "check", str(path)]) == 2
    assert "latin1.yaml: line 2: not UTF-8" in capsys.readouterr().err


def test_a_directory_as_config_says_so(tmp_path: Path):
    with pytest.raises(ConfigError, match="is a directory, expected a YAML config file"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("pose: {yaw: .nan}", "pose.yaw"),
        ("identities: {images_per_identity: .nan}", "identities.images_per_identity"),
        ("pose: {pitch: 'uniform(-inf, inf)'}", "pose.pitch"),
        ("camera: {distance_mm: .inf}", "camera.distance_mm"),
        ("pose:\n  roll: {dist: normal, mean: 0, std: -.inf}", "pose.roll.std"),
    ],
)
def test_nan_and_inf_are_refused_naming_key_and_line(tmp_path, capsys, text, key):
    path = tmp_path / "c.yaml"
    path.write_text(f"seed: 1\n{text}\n")
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    line = 2 + text.count("\n")
    assert f"line {line}: {key}:" in err, err


def test_a_directory_as_model_path_says_so(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text(f"model: {{path: {tmp_path}}}\n")
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 1: model.path:" in err and "is a directory, expected a file" in err


def test_an_identity_count_beyond_the_stated_limit_is_refused(tmp_path, capsys):
    from morphgen.config.schema import MAX_IDENTITIES

    path = tmp_path / "c.yaml"
    path.write_text("seed: 1\nidentities:\n  count: 1000000000\n")
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 3: identities.count:" in err and f"{MAX_IDENTITIES}" in err


def test_a_non_finite_number_in_an_empirical_csv_names_file_and_row(tmp_path, capsys):
    (tmp_path / "yaw.csv").write_text("yaw\n1.5\nnan\n")
    path = tmp_path / "c.yaml"
    path.write_text("pose:\n  yaw: {dist: empirical, csv: yaw.csv, column: yaw}\n")
    assert main(["config", "check", str(path)]) == 2
    assert "yaw.csv:3: yaw='nan' is not a finite number" in capsys.readouterr().err
