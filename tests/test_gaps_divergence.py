"""Binned KL divergences against closed forms, and the compare/stats commands on CSVs."""

import json

import numpy as np
import pytest

from morphgen.cli import main
from morphgen.gaps.divergence import compare, divergence, kl, probabilities, shared_edges


def gaussian_kl(m1: float, s1: float, m2: float, s2: float) -> float:
    """KL(N(m1, s1^2) || N(m2, s2^2)) in closed form."""
    return np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


def test_binned_kl_of_two_gaussians_approaches_the_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(0.0, 1.0, 400_000)
    b = rng.normal(1.0, 1.0, 400_000)
    d = divergence("x", a, b, bins=150)
    assert d.kl_ab == pytest.approx(0.5, rel=0.05)
    assert d.kl_ba == pytest.approx(0.5, rel=0.05)


def test_kl_is_asymmetric_like_the_closed_form():
    rng = np.random.default_rng(1)
    narrow = rng.normal(0.0, 1.0, 400_000)
    wide = rng.normal(0.0, 2.0, 400_000)
    d = divergence("x", narrow, wide, bins=200)
    expected_ab = gaussian_kl(0, 1, 0, 2)  # 0.318
    expected_ba = gaussian_kl(0, 2, 0, 1)  # 0.807
    assert d.kl_ab == pytest.approx(expected_ab, rel=0.05)
    # the wide sample's far tails land where the narrow one has almost no samples, so
    # smoothing caps their contribution: the estimate is lower, but clearly asymmetric
    assert 0.85 * expected_ba < d.kl_ba <= expected_ba * 1.02
    assert d.kl_ba > 2 * d.kl_ab


def test_kl_of_a_distribution_with_itself_is_zero_and_small_for_two_samples_of_it():
    p = np.array([0.2, 0.5, 0.3])
    assert kl(p, p) == 0.0
    rng = np.random.default_rng(2)
    d = divergence("x", rng.uniform(size=20_000), rng.uniform(size=20_000))
    assert 0 <= d.kl_ab < 2 * d.noise_floor
    same = rng.normal(size=5000)
    assert divergence("x", same, same).symmetric == pytest.approx(0.0, abs=1e-12)


def test_discrete_kl_matches_hand_computation():
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    assert kl(p, q) == pytest.approx(0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1))


def test_edges_are_shared_and_cover_both_ranges():
    a, b = np.array([0.0, 1.0, 2.0, 3.5]), np.array([10.0, 12.5])
    edges = shared_edges(a, b)
    assert edges[0] == 0.0 and edges[-1] == 12.5
    ints = shared_edges(np.array([1, 2, 2, 3]), np.array([5, 6]))
    assert np.allclose(ints[0], 0.5) and np.allclose(np.diff(ints) % 1, 0)
    assert ints[-1] >= 6.5
    assert shared_edges(np.ones(3), np.ones(2)).size == 2  # a constant gets one bin


def test_smoothing_keeps_empty_bins_finite():
    edges = np.array([0.0, 1.0, 2.0])
    p = probabilities(np.array([0.5, 0.6]), edges)
    q = probabilities(np.array([1.5]), edges)
    assert np.all(p > 0) and np.all(q > 0) and np.isfinite(kl(p, q))
    assert p.sum() == pytest.approx(1.0)


def test_compare_ranks_the_most_different_attribute_first_and_ignores_nan():
    rng = np.random.default_rng(3)
    a = {"same": rng.normal(size=3000), "shifted": rng.normal(size=3000), "a_only": np.ones(3)}
    b = {"same": rng.normal(size=3000), "shifted": rng.normal(3, 1, 3000), "x": np.ones(3)}
    b["same"][:100] = np.nan
    ranked = compare(a, b)
    assert [d.attribute for d in ranked] == ["shifted", "same"]
    assert ranked[1].n_b == 2900


def write_csv(path, header, rows):
    path.write_text("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n")


def test_compare_command_writes_a_ranked_report(tmp_path, capsys):
    rng = np.random.default_rng(4)
    header = ["name", "yaw", "pitch"]
    write_csv(
        tmp_path / "a.csv", header, [(f"i{k}", rng.normal(0, 10), rng.normal()) for k in range(500)]
    )
    write_csv(
        tmp_path / "b.csv",
        header,
        [(f"j{k}", rng.normal(30, 10), rng.normal()) for k in range(500)],
    )
    out = tmp_path / "report"
    assert main(["compare", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "-o", str(out)]) == 0
    data = json.loads((out / "compare.json").read_text())
    assert [r["attribute"] for r in data["ranked"]] == ["yaw", "pitch"]
    assert data["ranked"][0]["kl_ab"] > 2.0  # closed form 4.5 nats, capped by the bins' support
    assert "Freedman-Diaconis" in data["binning"] and "0.5" in data["smoothing"]
    assert (out / "plots" / "yaw.png").stat().st_size > 1000
    assert "yaw" in (out / "index.html").read_text()
    assert "KL(A||B)" in capsys.readouterr().out


def test_stats_command_on_a_csv(tmp_path):
    write_csv(tmp_path / "m.csv", ["yaw", "roll"], [(k, k % 3) for k in range(50)])
    out = tmp_path / "st"
    assert main(["stats", str(tmp_path / "m.csv"), "-o", str(out)]) == 0
    data = json.loads((out / "stats.json").read_text())
    assert data["attributes"]["yaw"]["summary"]["median"] == pytest.approx(24.5)
    assert sum(data["attributes"]["roll"]["histogram"]["counts"]) == 50


@pytest.mark.parametrize(
    "argv_tail, message",
    [
        (["missing_dir"], "no such dataset directory or CSV"),
        (["words.csv"], "no numeric columns"),
        (["notes.txt"], "expected a dataset directory or a .csv"),
    ],
)
def test_bad_sources_exit_2_with_a_clear_message(tmp_path, capsys, argv_tail, message):
    write_csv(tmp_path / "words.csv", ["name"], [("a",), ("b",)])
    (tmp_path / "notes.txt").write_text("x")
    write_csv(tmp_path / "ok.csv", ["yaw"], [(1,), (2,)])
    args = [str(tmp_path / argv_tail[0])]
    assert main(["compare", str(tmp_path / "ok.csv"), *args, "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_compare_without_shared_columns_is_an_error(tmp_path, capsys):
    write_csv(tmp_path / "a.csv", ["yaw"], [(1,), (2,)])
    write_csv(tmp_path / "b.csv", ["pitch"], [(1,), (2,)])
    assert main(["compare", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 2
    assert "share no attribute" in capsys.readouterr().err


def test_csv_with_a_byte_order_mark_and_empty_cells(tmp_path):
    from morphgen.gaps.sources import load_csv

    (tmp_path / "x.csv").write_bytes(b"\xef\xbb\xbfyaw,file\n1,a.jpg\n,b.jpg\n3,c.jpg\n")
    data = load_csv(tmp_path / "x.csv")
    assert list(data) == ["yaw"]
    assert data["yaw"][0] == 1 and np.isnan(data["yaw"][1]) and data["yaw"][2] == 3
