"""``morphgen bench --config FILE``: the user's config is measured, with the bench's plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from morphgen.bench.runner import BenchOptions, bench_config, config_name
from morphgen.bench.versus import versus_config
from morphgen.cli import main
from morphgen.config import parse_config
from morphgen.config.loader import overlay

USER = """\
hair: {probability: 0.0}
accessories:
  clothing: {probability: 0.0}
pose:
  yaw: {dist: uniform, low: -10, high: 10}
camera: {width: 640, height: 480}
identities: {count: 3, images_per_identity: 1}
output: {samples_per_shard: 5, image_format: jpg}
"""


@pytest.fixture()
def user_config(tmp_path: Path) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(USER)
    return path


def test_overlay_replaces_leaves_section_by_section_and_keeps_the_base() -> None:
    base = {"a": {"b": 1, "c": {"d": 2, "e": 3}}, "f": [1, 2]}
    top = {"a": {"c": {"d": 9}, "g": 4}, "f": [7]}
    assert overlay(base, top) == {"a": {"b": 1, "c": {"d": 9, "e": 3}, "g": 4}, "f": [7]}
    assert base == {"a": {"b": 1, "c": {"d": 2, "e": 3}}, "f": [1, 2]}


def test_the_matrix_measures_the_users_config_under_the_benchs_plan(user_config: Path) -> None:
    opts = BenchOptions(config=user_config, per_shard=8, per_identity=4)
    config = bench_config(None, 128, "cpu", 16, opts)
    defaults = parse_config({})
    # the user's choices are measured ...
    assert config.hair.probability == 0.0 and defaults.hair.probability > 0.0
    assert config.accessories.clothing.probability == 0.0
    assert (config.pose.yaw.low, config.pose.yaw.high) == (-10, 10)
    assert config.accessories.glasses.probability == defaults.accessories.glasses.probability
    # ... but what the bench plans replaces them: size, plan, every output on
    assert (config.camera.width, config.camera.height) == (128, 128)
    assert config.identities.count == 4 and config.identities.images_per_identity.value == 4
    assert config.output.samples_per_shard == 8 and config.output.image_format == "png"
    assert config.output.depth == "png16" and config.output.mask
    assert config.render.backend == "cpu"


def test_the_peer_comparison_keeps_the_users_outputs(user_config: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.h5"
    model.write_bytes(b"")  # only its existence is checked here
    opts = BenchOptions(config=user_config, per_shard=8, per_identity=8)
    config = versus_config(model, 16, opts)
    assert config.hair.probability == 0.0 and config.output.image_format == "jpg"
    assert (config.camera.width, config.model.path) == (256, model)
    assert config.output.samples_per_shard == 8
    assert config_name(opts.config) == f"config {user_config}"
    assert config_name(BenchOptions().config) == "the default config"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hair: {probabilty: 0.0}\n", "hair.probabilty: unknown key (did you mean 'probability'?)"),
        ("hair: {probability: 2.0}\n", "hair.probability"),
        ("hair: [\n", "invalid YAML"),
    ],
)
def test_a_wrong_config_stops_the_bench_before_it_measures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert main(["bench", "--quick", "--config", str(path)]) != 0
    err = capsys.readouterr().err
    assert str(path) in err and expected in err and "Traceback" not in err
    assert main(["bench", "--quick", "--config", str(tmp_path / "none.yaml")]) != 0
    assert "none.yaml: config file not found" in capsys.readouterr().err


BENCH_CONFIGS = sorted(Path(__file__).resolve().parents[1].glob("configs/bench/*.yaml"))


@pytest.mark.parametrize("path", BENCH_CONFIGS, ids=lambda p: p.stem)
def test_the_shipped_bench_configs_switch_off_what_they_name(path: Path) -> None:
    config = bench_config(None, 256, "cpu", 8, BenchOptions(config=path))
    defaults = parse_config({})
    accessories = ("clothing", "glasses", "headwear")
    off = {
        "hair": config.hair.probability == 0.0,
        "accessories": all(getattr(config.accessories, a).probability == 0 for a in accessories),
        "backgrounds": config.background.kinds == {"solid": 1.0},
        "detail": config.render.detail == "full",
    }
    named = {
        "no-hair": {"hair"},
        "no-accessories": {"accessories"},
        "plain-backgrounds": {"backgrounds"},
        "bare": {"hair", "accessories", "backgrounds"},
        "full-detail": {"detail"},
    }[path.stem]
    assert {k for k, v in off.items() if v} == named
    assert config.appearance == defaults.appearance and config.pose == defaults.pose
