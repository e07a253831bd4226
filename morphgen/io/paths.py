"""Paths a manifest or index names, used only inside the dataset directory and never through a
link: a manifest is data, and may have been edited."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from morphgen.errors import MorphgenError


class OutsidePath(MorphgenError):
    """A path named by a manifest or index that leaves the dataset or goes through a link."""


def dataset_path(root: Path, rel: str) -> Path:
    """``root / rel`` for a relative path inside ``root`` that passes through no link."""
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts or "\\" in rel:
        raise OutsidePath(f"{rel}: a path outside the dataset directory")
    path = root
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise OutsidePath(f"{rel}: {path.relative_to(root)} is a symbolic link")
    return path
