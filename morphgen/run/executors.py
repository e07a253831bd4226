"""Run shard tasks: in this process, in local worker processes, or on a Dask cluster.

Every executor calls ``on_done(entry)`` in the calling process as each shard finishes,
in completion order; the caller records it in the manifest. On an error or Ctrl-C the
workers are stopped at once: unfinished shards exist only under temp names.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from morphgen.errors import MorphgenError
from morphgen.io.shards import ShardEntry
from morphgen.render.backend import WORKER_ORDINAL_VAR
from morphgen.run.job import JobSpec, context_for, run_shard

OnDone = Callable[[ShardEntry], None]
# One thread per worker process: the workers already use every core.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


@contextlib.contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables inside the block (for processes started there)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def single_threaded_children() -> contextlib.AbstractContextManager[None]:
    """Set the thread-count variables to 1 for processes started inside the block."""
    return environ({name: "1" for name in THREAD_VARS})


_server_env: dict[str, str] | None = None  # the environment the fork server started with


def worker_context() -> BaseContext:
    """How local workers start: forked from a server that has imported ``run.preload``
    (the modules every worker loads, their pages then shared by all workers: a BFM-sized
    worker's own memory 96 -> 37 MB between shards), or ``spawn`` where there is none.

    Workers inherit the server's environment, not the caller's: a server started under
    other variables than the caller's now (thread counts, caches) is restarted first.
    Call it where the workers are started (inside ``single_threaded_children``).
    """
    global _server_env
    server = getattr(forkserver, "_forkserver", None)  # the server (stdlib internals)
    if "forkserver" not in multiprocessing.get_all_start_methods() or not hasattr(server, "_stop"):
        return multiprocessing.get_context("spawn")
    env = dict(os.environ)
    if _server_env is not None and env != _server_env:
        server._stop()
    _server_env = env
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["morphgen.run.preload"])
    return context


def _exit_with_parent(parent: Connection) -> None:
    """Watchdog: a worker whose parent died (kill -9) exits instead of rendering on. The
    parent holds the other end of ``parent``, which the system closes when it dies (a
    worker's own parent is the fork server, which outlives the caller while workers run)."""
    try:
        parent.recv()
    except EOFError:
        pass
    os._exit(1)


def _init_worker(spec: JobSpec, parent: Connection, counter: Any) -> None:
    """Worker start: leave Ctrl-C to the parent, follow the parent's death, load the job.

    Each worker takes the next ordinal from ``counter``; EGL workers use it to spread over
    the visible GPUs round-robin (``pyrender_backend.spread_device``).
    """
    with counter.get_lock():
        os.environ[WORKER_ORDINAL_VAR] = str(counter.value)
        counter.value += 1
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    context_for(spec)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued shards and kill running ones at once (Python < 3.14 has no public way).

    The process table is read before ``shutdown``, which clears it; a worker that does not
    end on SIGTERM within a second is killed.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=1.0)
        if process.is_alive():
            process.kill()
            process.join()


def run_inline(spec: JobSpec, indices: Sequence[int], on_done: OnDone) -> None:
    """Run every shard in this process, in order."""
    for index in indices:
        on_done(run_shard(spec, index))


def run_local(spec: JobSpec, indices: Sequence[int], workers: int, on_done: OnDone) -> None:
    """Run shards on ``workers`` local processes (``worker_context``: forked from a fresh
    server, never from this process, which may have threads or a GL context)."""
    if workers <= 1 or len(indices) <= 1:
        run_inline(spec, indices, on_done)
        return
    workers = min(workers, len(indices))
    with single_threaded_children():
        context = worker_context()
        # workers wait on the read end; this process keeps the write end until they are done
        alive_r, alive_w = context.Pipe(duplex=False)
        pool = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(spec, alive_r, context.Value("i", 0)),
        )
        try:
            pending: set[Future[ShardEntry]] = {
                pool.submit(run_shard, spec, index) for index in indices
            }
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    on_done(future.result())
            pool.shutdown(wait=True)
        except BrokenProcessPool:
            _stop(pool)
            raise MorphgenError(
                "a worker process died (killed, or out of memory: try fewer --workers); "
                "finished shards are kept, run the same command again to resume"
            ) from None
        except BaseException:
            _stop(pool)
            raise
        finally:
            alive_w.close()


def _dask_client(scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    """A client for the cluster at ``scheduler``, or for a new LocalCluster of processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="30s"), None
        except OSError as exc:
            raise MorphgenError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    with single_threaded_children():
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
        )
    return Client(cluster), cluster


def _check_shared(client: Any, out_dir: str) -> None:
    """Every worker must see the output directory (a shared filesystem on a cluster)."""

    seen = client.run(os.path.isdir, out_dir)
    blind = sorted(address for address, ok in seen.items() if not ok)
    if blind:
        raise MorphgenError(
            f"Dask workers {', '.join(blind)} cannot see {out_dir}; --out must be on a "
            "filesystem every worker mounts at the same path"
        )


def _dask_shard(spec: JobSpec, index: int) -> ShardEntry:
    """``run_shard`` on a Dask worker.

    A worker named by an integer (as LocalCluster's are) takes that as its ordinal for
    spreading EGL workers over the GPUs.
    """
    from distributed import get_worker

    name = get_worker().name
    if isinstance(name, int) or (isinstance(name, str) and name.isdigit()):
        os.environ.setdefault(WORKER_ORDINAL_VAR, str(name))
    return run_shard(spec, index)


def run_dask(
    spec: JobSpec,
    indices: Sequence[int],
    on_done: OnDone,
    scheduler: str | None = None,
    workers: int | None = None,
) -> None:
    """Run shards as Dask tasks; each worker process keeps its model and renderer cached."""
    from distributed import as_completed

    if not indices:
        return
    client, cluster = _dask_client(scheduler, workers)
    futures = []
    try:
        _check_shared(client, spec.out_dir)
        print(f"Dask dashboard: {client.dashboard_link}", flush=True)
        tag = spec.cache_key[:12]
        futures = [
            client.submit(_dask_shard, spec, index, key=f"morphgen-{tag}-shard-{index:06d}")
            for index in indices
        ]
        for future in as_completed(futures):
            on_done(future.result())
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
