"""``--to imagefolder``: ``DIR/<identity>/<n>.<ext>``, DigiFace-1M's and torchvision's layout.

Identity folders are zero-padded to one width so that the sorted folder names that
torchvision's ImageFolder turns into class indices follow the identity order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from morphgen.export.job import ExportOptions, Source, crop, encode, write_new


def export(source: Source, out: Path, options: ExportOptions, progress: bool) -> dict[str, Any]:
    """Write one folder per identity; what it holds."""
    last = max((e.identities[1] for e in source.dataset.shards), default=0)
    width = max(6, len(str(last)))
    folders = set()
    for sample in source.samples(progress, "export imagefolder"):
        folder = f"{sample['identity']:0{width}d}"
        path = out / folder / f"{sample['sample']}.{options.image_format}"
        if not path.is_file():
            rgb, _ = crop(sample, options)
            write_new(path, encode(rgb, options))
        folders.add(folder)
    return {"images": source.count, "classes": len(folders), "folder_width": width}


def readme(contents: dict[str, Any], out: Path) -> str:
    """How to load it."""
    return (
        "ImageFolder export from morphgen (see export.json for its source and options).\n"
        f"{contents['images']} images in {contents['classes']} identity folders.\n\n"
        f'  torchvision.datasets.ImageFolder("{out.resolve()}")\n'
    )
