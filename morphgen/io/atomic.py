"""Write files so that a finished file is never partial: temp name, fsync, rename.

A file being written lives at ``.<name>.tmp-<pid>-<random>`` beside its final name,
created exclusively and never through a symbolic link (``O_EXCL | O_NOFOLLOW``), so a
link planted in the output directory cannot redirect a write. Only a complete, flushed
file is renamed into place (the rename replaces a link at the final name, never its
target), so a crash or kill leaves at most a stale temp file, which
``clean_stale_temps`` removes on the next start. Write errors that a user must fix
(full disk, no permission) become one clear ``MorphgenError``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from morphgen.errors import MorphgenError

TEMP_MARKER = ".tmp-"
_USER_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS}


class WriteError(MorphgenError):
    """A file could not be written: full disk, read-only or unwritable directory."""


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def temp_path(final: Path) -> Path:
    """An unguessable temp name for a file that will be renamed to ``final``."""
    return final.with_name(f".{final.name}{TEMP_MARKER}{os.getpid()}-{secrets.token_hex(8)}")


def is_temp(path: Path) -> bool:
    """Whether ``path`` is a temp file left by ``atomic_file``."""
    return path.name.startswith(".") and TEMP_MARKER in path.name


def write_error(path: Path, exc: OSError) -> MorphgenError:
    """The user-facing error for an OSError raised while writing ``path``."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "the directory is not writable"
    else:
        why = exc.strerror or str(exc)
    return WriteError(
        f"cannot write {path}: {why}. Finished shards are kept; fix this and run the same "
        "command again to resume."
    )


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(final: Path) -> Iterator[BinaryIO]:
    """A new temp file opened for binary writing; on success fsynced and renamed to ``final``.

    On any error the temp file is removed and ``final`` is left as it was.
    """
    tmp = temp_path(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(tmp, _CREATE, 0o644), "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(final.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.errno in _USER_ERRNOS:
            raise write_error(final, exc) from None
        raise


def write_bytes(final: Path, data: bytes) -> None:
    """Write ``data`` to ``final`` atomically."""
    with atomic_file(final) as fh:
        fh.write(data)


def clean_stale_temps(root: Path) -> list[Path]:
    """Remove every temp file left under ``root`` by an interrupted run; returns them."""
    removed = []
    if not root.is_dir():
        return removed
    for path in sorted(root.rglob(f".*{TEMP_MARKER}*")):
        if is_temp(path) and (path.is_symlink() or path.is_file()):  # a link: itself only
            path.unlink()
            removed.append(path)
    return removed
