"""One progress-bar style for long commands: tqdm on stderr, shown only on a terminal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(
    items: Iterable[T], desc: str, total: int | None = None, unit: str = "img", show: bool = True
) -> Iterator[T]:
    """``items`` with a bar on stderr when it is a terminal (never when ``show`` is false)."""
    return iter(tqdm(items, desc=desc, total=total, unit=unit, disable=None if show else True))
