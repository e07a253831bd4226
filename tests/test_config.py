"""Config loading: ready configs validate; a bad config gives one error with key path and line."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
import yaml

from morphgen.cli import main
from morphgen.config import defaults_table, load_config, parse_config
from morphgen.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(exc: ConfigError) -> list[str]:
    return [ln.strip() for ln in str(exc).splitlines()[1:]]


def test_ready_configs_exist():
    names = {p.name for p in CONFIGS}
    assert {
        "demo.yaml",
        "recognition.yaml",
        "controlled.yaml",
        "parsing.yaml",
        "basel_random.yaml",
    } <= names


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_ready_config_validates(path):
    cfg = load_config(path)
    assert cfg.identities.count >= 1


def test_controlled_and_basel_configs_say_what_the_issue_asks():
    controlled = load_config(ROOT / "configs" / "controlled.yaml")
    assert controlled.pose.yaw.points == [float(v) for v in range(-90, 91, 15)]
    assert controlled.identities.images_per_identity == "grid"
    basel = load_config(ROOT / "configs" / "basel_random.yaml")
    comps = basel.pose.yaw.components
    assert [c.weight for c in comps] == [0.6, 0.2, 0.2]
    assert [c.dist for c in comps] == ["uniform", "normal", "constant"]
    assert (basel.camera.width, basel.camera.height) == (227, 227)
    assert basel.camera.sensor_mm == 15.0 and basel.camera.distance_mm.value == 1000.0
    assert load_config(ROOT / "configs" / "parsing.yaml").output.labels == "celebamask"


def test_empty_config_is_all_defaults_and_round_trips(tmp_path):
    cfg = load_config(write(tmp_path, ""))
    assert cfg.to_dict() == parse_config({}).to_dict()
    again = load_config(write(tmp_path, cfg.dump_yaml(), "again.yaml"))
    assert again.to_dict() == cfg.to_dict()


def test_shown_config_round_trips_for_every_ready_config(tmp_path):
    for path in CONFIGS:
        cfg = load_config(path)
        again = load_config(write(tmp_path, cfg.dump_yaml(), path.name))
        assert again.to_dict() == cfg.to_dict(), path.name


BAD = [
    # (yaml text, key path, line, fragment of the message)
    ("seed: 1\ncamera:\n  width: 64\n  focal: 50\n", "camera.focal", 4, "unknown key"),
    ("identities:\n  count: many\n", "identities.count", 2, "valid integer"),
    ("pose:\n  yaw: {dist: normal, mean: 0, std: -3}\n", "pose.yaw.std", 2, "greater than"),
    (
        "pose:\n  yaw:\n    dist: mixture\n    components:\n"
        "      - {weight: 1, dist: constant, value: 0}\n"
        "      - {weight: 0, dist: constant, value: 5}\n",
        "pose.yaw.components.1.weight",
        6,
        "greater than 0",
    ),
    (
        "pose:\n  roll: {dist: choice, values: [1, 2], weights: [1, -2]}\n",
        "pose.roll",
        2,
        "positive",
    ),
    (
        "illumination:\n  azimuth_deg: {dist: grid, values: []}\n",
        "illumination.azimuth_deg",
        2,
        "empty",
    ),
    ("background:\n  directory: no_such_dir\n", "background.directory", 2, "does not exist"),
    ("output:\n  labels: celeba\n", "output.labels", 2, "celebamask"),
    ("augment:\n  blur: {probability: 1.5}\n", "augment.blur.probability", 2, "less than or equal"),
    ("illumination:\n  kind: empirical\n", "illumination.directory", 2, "required"),
]


@pytest.mark.parametrize("text, key, line, fragment", BAD, ids=[b[1] for b in BAD])
def test_bad_config_gives_one_clear_error(tmp_path, text, key, line, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    msg = str(info.value)
    assert msg.startswith(str(path))
    found = problems(info.value)
    assert len(found) == 1, msg
    assert found[0].startswith(f"line {line}: {key}: "), msg
    assert fragment in found[0]


def test_all_problems_are_listed_at_once(tmp_path):
    text = "seed: -1\nposes: {}\ncamera: {width: 2}\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    found = problems(info.value)
    assert [re.match(r"line (\d+): (\S+):", p).groups() for p in found] == [
        ("1", "seed"),
        ("2", "poses"),
        ("3", "camera.width"),
    ]
    assert "did you mean 'pose'" in found[1]


def test_duplicate_keys_and_broken_yaml(tmp_path):
    with pytest.raises(ConfigError, match=r"line 3: seed: key given twice"):
        load_config(write(tmp_path, "seed: 1\nidentities: {count: 2}\nseed: 2\n"))
    with pytest.raises(ConfigError, match=r"invalid YAML: line 3: .* started on line 2"):
        load_config(write(tmp_path, "seed: 1\ncamera: [1, 2\n"))
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(write(tmp_path, "- 1\n- 2\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")


def test_relative_paths_resolve_against_the_config_directory(tmp_path, monkeypatch):
    (tmp_path / "sub" / "bg").mkdir(parents=True)
    (tmp_path / "sub" / "yaw.csv").write_text("yaw\n1\n2\n")
    path = write(
        tmp_path / "sub",
        "background: {directory: bg}\npose:\n  yaw: {dist: empirical, csv: yaw.csv, column: yaw}\n",
    )
    monkeypatch.chdir(tmp_path)  # the working directory must not matter
    cfg = load_config(path)
    assert cfg.background.directory == (tmp_path / "sub" / "bg").resolve()
    assert cfg.pose.yaw.csv == (tmp_path / "sub" / "yaw.csv").resolve()


def test_cli_check_and_show(tmp_path, capsys):
    good = write(tmp_path, "identities: {count: 3, images_per_identity: 2}\n")
    assert main(["config", "check", str(good)]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["config", "show", str(good)]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown["identities"]["count"] == 3
    assert shown["output"]["format"] == "webdataset"  # defaults filled in
    bad = write(tmp_path, "pose:\n  yaw: {dist: normal, std: -1}\n", "bad.yaml")
    assert main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 2: pose.yaw.std" in err and "Traceback" not in err


def test_cli_check_reports_an_empty_background_directory(tmp_path, capsys):
    (tmp_path / "bg").mkdir()
    path = write(tmp_path, "background: {directory: bg}\n")
    assert main(["config", "check", str(path)]) == 2
    assert "no images" in capsys.readouterr().err


def test_readme_defaults_table_matches_the_schema():
    readme = (ROOT / "README.md").read_text()
    section = r"<!-- section:configuration -->(.*?)<!-- /section:configuration -->"
    match = re.search(section, readme, re.S)
    assert match, "README has no configuration section"
    assert defaults_table() in match.group(1)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_configs_pickle_for_worker_processes(path):
    cfg = load_config(path)
    again = pickle.loads(pickle.dumps(cfg))
    assert again.to_dict() == cfg.to_dict()
    assert again.scene_grids() == cfg.scene_grids()
