"""The images of a ``background.directory``, in the order ``{"kind": "image", "index": k}`` uses."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from morphgen.errors import MorphgenError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp")


def background_files(directory: Path) -> list[Path]:
    """The image files under ``directory`` (recursive), sorted by relative path."""
    if not directory.is_dir():
        raise MorphgenError(f"background directory {directory}: no such directory")
    found = [p for p in directory.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]
    files = sorted(found, key=lambda p: p.relative_to(directory).as_posix())
    if not files:
        raise MorphgenError(
            f"background directory {directory}: no images "
            f"({', '.join(IMAGE_SUFFIXES)}) in it or its subdirectories"
        )
    return files


def check_headers(directory: Path, files: list[Path]) -> None:
    """``MorphgenError`` naming every file whose image header cannot be read."""
    bad = []
    for path in files:
        try:
            Image.open(path).close()  # parses the header: format, mode and size
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            bad.append(f"{path.relative_to(directory)} ({exc})")
    if bad:
        raise MorphgenError(
            f"background directory {directory}: {len(bad)} unreadable image"
            f"{'s' if len(bad) > 1 else ''}: {'; '.join(bad[:5])}"
            + (f"; and {len(bad) - 5} more" if len(bad) > 5 else "")
        )
