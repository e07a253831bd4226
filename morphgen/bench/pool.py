"""Spawned benchmark workers driven over pipes, and a sampler of their memory."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import psutil

from morphgen.bench.worker import worker_main
from morphgen.errors import MorphgenError
from morphgen.run.executors import environ, single_threaded_children, worker_context
from morphgen.run.job import JobSpec

MB = 2**20


def local_workers(pid: int) -> list[psutil.Process]:
    """The worker processes of the run with process id ``pid`` (``generate --workers N``):
    spawned, or forked from the fork server; not multiprocessing's helpers (the resource
    tracker, the server itself) nor other children (the GL probe)."""

    def worker(p: psutil.Process) -> bool:
        line = " ".join(p.cmdline())
        helper = "resource_tracker" in line or (p.ppid() == pid and "forkserver" in line)
        return "multiprocessing" in line and not helper

    return [p for p in psutil.Process(pid).children(recursive=True) if worker(p)]


class WorkerPool:
    """Benchmark workers, one per entry of ``worker_args``, each warmed up.

    Workers start the way the pipeline's local executor starts them (``worker_context``,
    one thread each); ``target(conn, *args)`` serves the pipe protocol of ``bench.worker``
    and ``ready[w]`` holds worker ``w``'s start-up times.
    """

    def __init__(
        self,
        target: Callable[..., None],
        worker_args: Sequence[tuple[Any, ...]],
        env: dict[str, str] | None = None,
    ) -> None:
        self._conns: list[Any] = []
        self._procs: list[Any] = []
        start = time.perf_counter()
        with single_threaded_children(), environ(env or {}):
            mp = worker_context()
            for args in worker_args:
                parent, child = mp.Pipe()
                proc = mp.Process(target=target, args=(child, *args))
                proc.start()
                child.close()
                self._conns.append(parent)
                self._procs.append(proc)
        try:
            self.ready = []
            for conn in self._conns:
                info = self._receive(conn)
                info["start_s"] = time.perf_counter() - start  # spawn to ready, incl. warm-up
                self.ready.append(info)
        except BaseException:
            self.close()
            raise

    @classmethod
    def for_job(
        cls, spec: JobSpec, warmups: Sequence[Sequence[int]], env: dict[str, str] | None = None
    ) -> WorkerPool:
        """Workers of one job, worker ``w`` warmed up on shards ``warmups[w]``."""
        return cls(worker_main, [(spec, list(shards)) for shards in warmups], env)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs]

    @staticmethod
    def _receive(conn: Any) -> dict:
        try:
            message = conn.recv()
        except EOFError:
            raise MorphgenError("a benchmark worker died without a message") from None
        if "error" in message:
            raise MorphgenError(f"a benchmark worker failed:\n{message['error']}")
        return message

    def run(self, assignments: Sequence[Any]) -> tuple[float, list[dict]]:
        """Every worker runs its work (shard indices, or an image count) at once; wall
        seconds and each worker's timings."""
        start = time.perf_counter()
        for conn, work in zip(self._conns, assignments, strict=True):
            conn.send(("run", work if isinstance(work, int) else list(work)))
        results = [self._receive(conn) for conn in self._conns]
        return time.perf_counter() - start, results

    def reference(self, shard: int, min_seconds: float) -> dict:
        """Reference figures measured by the first worker while the others wait."""
        self._conns[0].send(("reference", (shard, min_seconds)))
        return self._receive(self._conns[0])

    def close(self) -> None:
        """Stop every worker (politely first)."""
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.send(None)
        for proc in self._procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
                proc.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MemoryMonitor:
    """Samples resident (RSS), unique (USS) and proportional (PSS) memory of processes.

    USS is what the process alone holds (freed when it exits): with two or more workers
    sharing the memory-mapped model, a worker's USS is what one more worker adds. PSS
    splits shared pages among their users, so the workers' PSS sum is their joint footprint
    (less what they share with other processes).
    """

    def __init__(self, pids: Sequence[int], interval: float = 0.25) -> None:
        self._procs = [psutil.Process(pid) for pid in pids]
        self.peak: dict[int, dict[str, float]] = {
            pid: {"rss": 0.0, "uss": 0.0, "pss": 0.0} for pid in pids
        }
        self.uss: dict[int, list[float]] = {pid: [] for pid in pids}  # every sample
        self.peak_total_pss = 0.0
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> None:
        total = 0.0
        for proc in self._procs:
            try:
                info = proc.memory_full_info()
            except psutil.Error:
                continue
            peak = self.peak[proc.pid]
            pss = float(getattr(info, "pss", info.uss))
            for name, value in (("rss", info.rss), ("uss", info.uss), ("pss", pss)):
                peak[name] = max(peak[name], value / MB)
            self.uss[proc.pid].append(info.uss / MB)
            total += pss / MB
        self.peak_total_pss = max(self.peak_total_pss, total)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def __enter__(self) -> MemoryMonitor:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
