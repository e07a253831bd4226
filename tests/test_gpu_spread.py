"""EGL workers spread over the visible GPUs round-robin unless the user picks one."""

import pytest

from morphgen.render import pyrender_backend as pb
from morphgen.render.backend import WORKER_ORDINAL_VAR


@pytest.mark.parametrize(
    ("ordinal", "count", "expected"),
    [(0, 4, 0), (3, 4, 3), (5, 4, 1), (7, 2, 1), (2, 1, None), (0, 0, None), (None, 8, None)],
)
def test_spread_device(ordinal, count, expected):
    assert pb.spread_device(ordinal, count) == expected


def test_worker_device_respects_an_explicit_gpu(monkeypatch):
    monkeypatch.setenv(WORKER_ORDINAL_VAR, "3")
    monkeypatch.setenv("EGL_DEVICE_ID", "0")
    assert pb._worker_device() is None


def test_worker_device_outside_a_worker_is_the_default(monkeypatch):
    monkeypatch.delenv(WORKER_ORDINAL_VAR, raising=False)
    monkeypatch.delenv("EGL_DEVICE_ID", raising=False)
    assert pb._worker_device() is None
