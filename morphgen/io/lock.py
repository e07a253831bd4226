"""``DIR/.morphgen.lock``: one ``generate`` at a time per dataset, and whether one is running.

The lock is an advisory ``flock`` the operating system drops when the process dies, so a
killed run never leaves the directory locked. The lock file is opened without following
a symbolic link: a link planted at its name is refused, not followed.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from morphgen.errors import MorphgenError
from morphgen.io.atomic import write_error
from morphgen.io.layout import LOCK

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _open(path: Path, flags: int) -> int:
    try:
        return os.open(path, flags | _NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise MorphgenError(
                f"{path} is a symbolic link; morphgen never writes through links: remove it"
            ) from None
        raise


@contextlib.contextmanager
def directory_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``DIR/.morphgen.lock`` for the block; ``MorphgenError`` if another run holds it."""
    path = out_dir / LOCK
    try:
        fd = _open(path, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        raise write_error(path, exc) from None
    with os.fdopen(fd, "r+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MorphgenError(
                f"another morphgen generate is writing {out_dir}; wait for it or stop it"
            ) from None
        try:
            yield
        finally:
            path.unlink(missing_ok=True)


def run_in_progress(out_dir: Path) -> bool:
    """Whether a ``generate`` holds the lock of ``out_dir`` now."""
    try:
        fd = _open(Path(out_dir) / LOCK, os.O_RDONLY)
    except (OSError, MorphgenError):
        return False
    with os.fdopen(fd, "rb") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False
