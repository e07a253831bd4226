"""An optional stopwatch passed down the pipeline: seconds per named stage, never patched in."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageClock:
    """Seconds spent in each named stage, summed over calls.

    Stages nest: time inside an inner stage counts for the inner one only, so the stages
    of a run add up to the time spent in them.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._open: list[str] = []
        self._since = 0.0

    def _charge(self, now: float) -> None:
        if self._open:
            name = self._open[-1]
            self.seconds[name] = self.seconds.get(name, 0.0) + now - self._since
        self._since = now

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as ``name``."""
        self._charge(time.perf_counter())
        self._open.append(name)
        try:
            yield
        finally:
            self._charge(time.perf_counter())
            self._open.pop()


class _NoClock(StageClock):
    """A clock that measures nothing (the default)."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        yield


NO_CLOCK: StageClock = _NoClock()
