"""Issue 18's smaller items: model sha256 per sample, ``python -m morphgen``, progress bars,
``compare``'s report location, and component counts the model cannot give."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys

import numpy as np
import pytest

from morphgen.cli import main
from morphgen.config import parse_config
from morphgen.errors import ConfigError
from morphgen.model.load import DEFAULT_MODEL
from morphgen.model.synthetic import synthetic_model
from morphgen.progress import progress
from morphgen.sampling.sampler import Sampler


def test_every_sample_json_carries_the_models_sha256(tmp_path):
    from morphgen.io.readers import open_dataset
    from morphgen.run.generate import generate

    cfg = parse_config(
        {
            "identities": {"count": 2, "images_per_identity": 1},
            "camera": {"width": 32, "height": 32},
            "render": {"backend": "cpu"},
        }
    )
    generate(cfg, tmp_path, workers=1, progress=False)
    expected = hashlib.sha256(DEFAULT_MODEL.read_bytes()).hexdigest()
    ds = open_dataset(tmp_path)
    assert ds.manifest.model["sha256"] == expected
    assert [s["metadata"]["model_sha256"] for s in ds] == [expected, expected]


def test_python_dash_m_morphgen_runs():
    run = subprocess.run([sys.executable, "-m", "morphgen", "labels"], capture_output=True)
    assert run.returncode == 0 and b"celebamask" in run.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bars_show_on_a_terminal_only(monkeypatch):
    for stream, shown in ((_Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stream)
        assert list(progress(range(3), "verify", unit="shard")) == [0, 1, 2]
        assert ("verify" in stream.getvalue()) == shown
    stream = _Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    list(progress(range(3), "quiet", show=False))
    assert stream.getvalue() == ""


def test_compare_without_out_writes_next_to_a_and_says_where(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(2)
    for name, mean in (("a", 0.0), ("b", 20.0)):
        rows = "\n".join(f"{v:.4f}" for v in rng.normal(mean, 5, 200))
        (tmp_path / f"{name}.csv").write_text("yaw\n" + rows + "\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["compare", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 0
    assert list(work.iterdir()) == []  # nothing in the working directory
    report = capsys.readouterr().out.split("report: ")[1].split()[0]
    assert report.startswith(str(tmp_path / "a_vs_b")) and (tmp_path / "a_vs_b").is_dir()


MODEL = synthetic_model(n_lat=12, n_lon=20, components=(5, 4, 3))


@pytest.mark.parametrize(
    "section, key",
    [
        ({"expression": {"components": 4}}, "expression.components"),
        ({"identities": {"shape": {"components": 6}}}, "identities.shape.components"),
        ({"identities": {"color": {"components": 5}}}, "identities.color.components"),
    ],
)
def test_asking_for_more_components_than_the_model_has_names_the_key(section, key):
    with pytest.raises(ConfigError, match=f"^{key}: .* the model has"):
        Sampler(parse_config(section), MODEL)


def test_the_unset_default_and_exact_counts_are_accepted():
    assert Sampler(parse_config({}), MODEL).k_expression == 3  # default 30, capped
    assert Sampler(parse_config({"expression": {"components": 3}}), MODEL).k_expression == 3


def test_the_parsing_config_fits_the_default_model():
    from morphgen.config import load_config
    from morphgen.model.load import load_model

    root = DEFAULT_MODEL.parent.parent
    model = load_model()
    sampler = Sampler(load_config(root / "configs" / "parsing.yaml"), model)
    assert sampler.k_expression == model.expression.n_components
