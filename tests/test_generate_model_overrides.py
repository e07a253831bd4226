"""A config's model.regions file reaches the masks that generate writes."""

from __future__ import annotations

import numpy as np

from morphgen.io.readers import open_dataset
from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.run.generate import generate
from tests.generate_config import config


def test_config_region_file_overrides_the_model_regions(tmp_path):
    n = load_model().n_vertices
    regions = tmp_path / "regions.npy"
    np.save(regions, np.full(n, LABEL_IDS["nose"], dtype=np.uint8))
    cfg = config(
        identities={"count": 1, "images_per_identity": 1},
        model={"regions": str(regions)},
        output={"samples_per_shard": 1, "labels": "morphgen"},
    )
    generate(cfg, tmp_path / "out", workers=1, progress=False)
    (sample,) = list(open_dataset(tmp_path / "out"))
    ids = set(np.unique(sample["mask"]).tolist())
    assert ids == {0, LABEL_IDS["nose"]}
