"""The shard formats, one module each (file names, writer, reader), looked up by name.

A new format is a module here defining ``FORMAT = ShardFormat(...)``, listed in ``_MODULES``,
with its name added to ``config.schema.FORMATS``.
"""

from __future__ import annotations

from morphgen.config.schema import FORMATS
from morphgen.errors import MorphgenError
from morphgen.io.formats import folders, hdf5, webdataset
from morphgen.io.formats.registry import ShardFormat

_MODULES = (webdataset, hdf5, folders)
REGISTRY: dict[str, ShardFormat] = {m.FORMAT.name: m.FORMAT for m in _MODULES}
assert tuple(REGISTRY) == FORMATS, "config.schema.FORMATS and io/formats/ disagree"


def get_format(name: str) -> ShardFormat:
    """The format called ``name``."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise MorphgenError(
            f"output.format {name!r}: expected one of {', '.join(REGISTRY)}"
        ) from None


__all__ = ["REGISTRY", "ShardFormat", "get_format"]
