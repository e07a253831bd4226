"""Command-line inputs that used to pass silently or end in a traceback: one line and exit 2."""

from __future__ import annotations

import json

import pytest
from generate_config import write_config
from PIL import Image

from morphgen.cli import main
from morphgen.run.generate import generate


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_workers_below_one_are_refused(tmp_path, capsys, workers):
    out = tmp_path / "d"
    args = ["generate", "--config", str(write_config(tmp_path)), "--out", str(out)]
    assert main([*args, "--workers", workers, "--quiet"]) == 2
    assert f"--workers {workers}: expected a positive number" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([1, 2, 3], "expected a JSON object of scene parameters"),
        ({"params": [1]}, "expected a JSON object of scene parameters"),
        (
            {"identity": 0, "sample": 0, "camera": {"width": 10**6, "height": 64}},
            "camera.width 1000000: expected 8..8192 pixels",
        ),
    ],
    ids=["list", "params-list", "huge-width"],
)
def test_render_params_are_checked_like_a_config(tmp_path, capsys, params, message):
    _render_fails(tmp_path, capsys, json.dumps(params), message)


@pytest.mark.parametrize("number", ["NaN", "-Infinity", "1e999"])
def test_render_params_must_be_finite(tmp_path, capsys, number):
    text = f'{{"identity": 0, "sample": 0, "yaw": {number}}}'
    _render_fails(tmp_path, capsys, text, f"{number} is not a finite number")


def _render_fails(tmp_path, capsys, text: str, message: str) -> None:
    path = tmp_path / "params.json"
    path.write_text(text)

    out = tmp_path / "render"
    assert main(["render", "--params", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_a_corrupt_background_is_found_by_config_check_and_generate(tmp_path, capsys):
    backgrounds = tmp_path / "bg"
    backgrounds.mkdir()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(backgrounds / "good.png")
    (backgrounds / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"background: {{directory: {backgrounds}, image_probability: 1.0}}\n")
    assert main(["config", "check", str(cfg)]) == 2
    assert "broken.jpg" in capsys.readouterr().err
    from morphgen.config import load_config
    from morphgen.errors import MorphgenError

    with pytest.raises(MorphgenError, match="1 unreadable image: broken.jpg"):
        generate(load_config(cfg), tmp_path / "d", workers=1, progress=False)
