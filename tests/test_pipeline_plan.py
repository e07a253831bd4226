"""Shard planning: contiguous runs of the sampler's plan."""

import pytest

from morphgen.run.job import plan_shards


def test_plan_is_cut_into_contiguous_runs():
    plan = [(i, j) for i in range(3) for j in range(3)]
    shards = plan_shards(plan, 4)
    assert [len(s) for s in shards] == [4, 4, 1]
    assert [pair for shard in shards for pair in shard] == plan
    assert shards[1][0] == (1, 1)


def test_one_shard_when_it_fits():
    assert plan_shards([(0, 0), (0, 1)], 1000) == [[(0, 0), (0, 1)]]
    assert plan_shards([], 5) == []


def test_steady_rate_counts_only_shards_after_every_worker_warmed_up():
    from morphgen.run.generate import steady_rate

    # two workers: their first shards (at 5 s and 6 s) carry start-up; then 3 x 10 images
    finished = [(5.0, 10), (6.0, 10), (7.0, 10), (8.0, 10), (11.0, 10)]
    assert steady_rate(finished, 2) == pytest.approx(30 / (11.0 - 6.0))
    assert steady_rate(finished[:2], 2) is None  # nothing after the warm-up
    assert steady_rate(finished, 1) == pytest.approx(40 / 6.0)


def test_summary_reports_start_up_apart_from_the_steady_rate(tmp_path):
    from morphgen.run.generate import Summary

    text = str(Summary(tmp_path, 100, 10, 4, 100, 20.0, 5.5, 6.25))
    assert "5.0 images/s" in text and "first shard after 5.5 s" in text
    assert "steady: 6.2 images/s" in text
