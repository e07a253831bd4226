"""Fixtures shared by several test modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from generate_config import config

from morphgen.run.generate import generate


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> Path:
    """The dataset of the generate tests' CONFIG, in one process (treat it as read-only)."""
    out = tmp_path_factory.mktemp("reference")
    generate(config(), out, workers=1, progress=False)
    return out
