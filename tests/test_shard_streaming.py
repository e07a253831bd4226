"""A shard task renders each sample when the writer asks for it, so a worker holds one
image's arrays at a time, not a shard's; the bytes are those of rendering all at once."""

from __future__ import annotations

import weakref

import numpy as np

from morphgen.config import parse_config
from morphgen.io.formats import webdataset
from morphgen.run.job import JobSpec, ShardContext

CONFIG = {
    "identities": {"count": 2, "images_per_identity": 3},
    "camera": {"width": 32, "height": 32},
    "output": {"format": "webdataset", "samples_per_shard": 6},
}


def test_each_sample_is_freed_before_the_next_is_encoded(tmp_path, monkeypatch):
    ctx = ShardContext(JobSpec(parse_config(CONFIG), str(tmp_path), "cpu"))
    seen: list[weakref.ref] = []
    alive_before: list[int] = []
    encode = webdataset.encode_sample

    def watched(sample, options):
        alive_before.append(sum(ref() is not None for ref in seen))
        seen.append(weakref.ref(sample.rgb))
        return encode(sample, options)

    monkeypatch.setattr(webdataset, "encode_sample", watched)
    entry = ctx.run(0, tmp_path)
    assert entry.samples == 6 and entry.identities == (0, 1)
    assert alive_before == [0] * 6

    monkeypatch.setattr(webdataset, "encode_sample", encode)
    scenes = [ctx.sampler.scene(i, j) for i, j in ctx.shards[0]]
    together = ctx.renderer.render_many(scenes)
    streamed = [s.rgb for s in ctx.renderer.iter_render(scenes)]
    for a, b in zip(together, streamed, strict=True):
        np.testing.assert_array_equal(a.rgb, b)
