"""Mixture fitting by EM and BIC, and `morphgen fit` closing the gap to a synthetic target."""

import json

import numpy as np
import pytest

from morphgen.cli import main
from morphgen.gaps.mixture import best_gmm, fit_gmm


def test_em_recovers_a_known_two_component_mixture():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-30, 8, 6000), rng.normal(25, 10, 4000)])
    g = fit_gmm(x, 2)
    assert g.weights == pytest.approx([0.6, 0.4], abs=0.02)
    assert g.means == pytest.approx([-30, 25], abs=1.0)
    assert g.stds == pytest.approx([8, 10], rel=0.06)


def test_em_never_lowers_the_likelihood_of_a_one_component_fit():
    rng = np.random.default_rng(1)
    x = rng.normal(3, 2, 2000)
    one = fit_gmm(x, 1)
    assert one.means[0] == pytest.approx(x.mean())
    assert one.stds[0] == pytest.approx(x.std())
    assert fit_gmm(x, 3).log_likelihood >= one.log_likelihood - 1e-6


def test_bic_picks_the_number_of_components():
    rng = np.random.default_rng(2)
    assert best_gmm(rng.normal(0, 1, 3000)).k == 1
    bimodal = np.concatenate([rng.normal(-40, 5, 1500), rng.normal(40, 5, 1500)])
    assert best_gmm(bimodal).k == 2


BASE_YAML = "seed: 3\npose:\n  yaw: {dist: normal, mean: 0, std: 20}\n"


def bimodal_target(path, n=3000, seed=5):
    rng = np.random.default_rng(seed)
    yaw = np.concatenate([rng.normal(-35, 6, n // 2), rng.normal(30, 8, n - n // 2)])
    pitch = rng.normal(5, 4, n)
    lines = ["image,yaw,pitch,face_size_px"] + [
        f"im{k}.jpg,{y:.3f},{p:.3f},{100 + k % 7}"
        for k, (y, p) in enumerate(zip(yaw, pitch, strict=True))
    ]
    path.write_text("\n".join(lines) + "\n")
    return yaw


@pytest.mark.parametrize("method", ["gmm", "empirical"])
def test_fit_reduces_the_divergence_to_a_bimodal_target(tmp_path, capsys, method):
    from morphgen.config import load_config
    from morphgen.gaps.divergence import divergence

    target = bimodal_target(tmp_path / "real.csv")
    (tmp_path / "base.yaml").write_text(BASE_YAML)
    out = tmp_path / "sub" / "fitted.yaml"
    argv = ["fit", "--target", str(tmp_path / "real.csv"), "--config", str(tmp_path / "base.yaml")]
    report = tmp_path / "report"
    assert main([*argv, "-o", str(out), "--method", method, "--report", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "pose.yaw" in printed and "pose.pitch" in printed
    assert "face_size_px" not in printed  # not a config distribution: left alone
    fitted, base = load_config(out), load_config(tmp_path / "base.yaml")
    rng = np.random.default_rng(11)
    before = base.pose.yaw.sample(rng, 20000)
    after = fitted.pose.yaw.sample(rng, 20000)
    kl_before = divergence("yaw", target, before)
    kl_after = divergence("yaw", target, after)
    assert kl_before.kl_ab > 0.5
    assert kl_after.kl_ab < kl_before.kl_ab / 10
    assert kl_after.kl_ab < 3 * kl_after.noise_floor
    if method == "gmm":
        assert fitted.pose.yaw.dist == "mixture" and len(fitted.pose.yaw.components) == 2
    assert fitted.seed == 3  # everything else kept
    saved = {r["key"]: r for r in json.loads((report / "fit.json").read_text())["results"]}
    assert saved["pose.yaw"]["after"]["kl_ab"] < saved["pose.yaw"]["before"]["kl_ab"] / 10
    assert (report / "plots" / "yaw.png").is_file() and (report / "index.html").is_file()


def test_fit_errors_exit_2(tmp_path, capsys):
    bimodal_target(tmp_path / "real.csv", n=50)
    (tmp_path / "base.yaml").write_text(BASE_YAML)
    base = ["fit", "--config", str(tmp_path / "base.yaml"), "-o", str(tmp_path / "f.yaml")]
    target = ["--target", str(tmp_path / "real.csv")]
    assert main([*base, *target, "--columns", "yaw,gaze"]) == 2
    assert "no column 'gaze'" in capsys.readouterr().err
    assert main([*base, *target, "--columns", "face_size_px"]) == 2
    assert "names no distribution" in capsys.readouterr().err
    assert main([*base, "--target", str(tmp_path / "none.csv")]) == 2
    assert "none.csv" in capsys.readouterr().err
    missing_config = ["fit", *target, "--config", str(tmp_path / "x.yaml"), "-o", "f.yaml"]
    assert main(missing_config) == 2
    assert "x.yaml" in capsys.readouterr().err
    assert not (tmp_path / "f.yaml").exists()


def test_sampler_scenes_from_the_fitted_config_follow_the_target(tmp_path):
    from morphgen.config import load_config
    from morphgen.gaps.divergence import divergence
    from morphgen.model.synthetic import synthetic_model
    from morphgen.sampling.sampler import Sampler

    target = bimodal_target(tmp_path / "real.csv")
    (tmp_path / "base.yaml").write_text(
        BASE_YAML + "identities: {count: 150, images_per_identity: 10}\n"
        "expression: {components: 4}\n"
    )
    out = tmp_path / "fitted.yaml"
    argv = ["fit", "--target", str(tmp_path / "real.csv"), "--config", str(tmp_path / "base.yaml")]
    assert main([*argv, "-o", str(out), "--columns", "yaw"]) == 0
    model = synthetic_model(n_lat=12, n_lon=24, components=(4, 4, 4))

    def scene_yaws(path):
        sampler = Sampler(load_config(path), model)
        return np.array([sampler.scene(i, j).yaw for i, j in sampler.plan()])

    before = divergence("yaw", target, scene_yaws(tmp_path / "base.yaml"))
    after = divergence("yaw", target, scene_yaws(out))
    assert after.kl_ab < before.kl_ab / 5


def test_any_config_key_path_can_be_fitted():
    from morphgen.config import parse_config
    from morphgen.gaps.fit import fit_config

    rng = np.random.default_rng(8)
    target = {"camera.distance_mm": rng.normal(700, 50, 4000), "gaze": rng.normal(size=4000)}
    fitted, results = fit_config(parse_config({}), target, samples=5000)
    assert [r.path for r in results] == ["camera.distance_mm"]  # gaze is no config key
    assert fitted.camera.distance_mm.dist == "truncnormal"
    assert fitted.camera.distance_mm.mean == pytest.approx(700, abs=3)
    assert results[0].before.kl_ab > 1.0 > 0.05 > results[0].after.kl_ab
