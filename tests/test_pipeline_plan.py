"""Shard planning: contiguous runs of the sampler's plan."""

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
