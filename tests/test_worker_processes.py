"""Local workers fork from a server that has imported what every worker loads."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from morphgen.run.executors import single_threaded_children, worker_context

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork servers: Linux here")


def _loaded(name: str) -> bool:
    return name in sys.modules


def _run(function, *args):
    """``function(*args)`` in one worker started the way the executors start theirs."""
    with single_threaded_children():
        context = worker_context()
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            return pool.submit(function, *args).result()


def test_a_worker_starts_with_the_preloaded_modules_and_one_thread() -> None:
    # only the fork server imports run.preload: a spawned worker would not have it
    assert _run(_loaded, "morphgen.run.preload")
    assert _run(os.getenv, "NUMBA_NUM_THREADS") == "1"


def test_workers_see_the_environment_they_are_started_under(monkeypatch) -> None:
    """Workers inherit the fork server's environment: a changed one restarts the server."""
    for value in ("first", "second", "first"):
        monkeypatch.setenv("MORPHGEN_TEST_WORKER_VAR", value)
        assert _run(os.getenv, "MORPHGEN_TEST_WORKER_VAR") == value
