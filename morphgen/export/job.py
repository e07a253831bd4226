"""What one export does: its options, the source dataset, the output directory's state.

An export writes ``export.json`` first with ``"complete": false`` and rewrites it with
``"complete": true`` last. Every other file is written atomically (temp + rename), so a
rerun with the same options into the same directory resumes: finished files are kept.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from morphgen import __version__
from morphgen.errors import MorphgenError
from morphgen.export.align import alignment_matrix, arcface_points, warp
from morphgen.io.atomic import clean_stale_temps, write_bytes
from morphgen.io.encode import encode_image
from morphgen.io.members import SampleRecord
from morphgen.io.readers import Dataset, open_dataset
from morphgen.progress import progress as progress_bar

EXPORT_JSON = "export.json"


@dataclass(frozen=True)
class ExportOptions:
    """The choices of one export; two runs resume each other only when these are equal."""

    to: str
    align: str  # "arcface112" or "none"
    size: int
    labels: str | None  # target label set for masks; None = the format's default
    image_format: str  # "png" or "jpg"
    quality: int = 95
    val_pairs: int = 0
    val_identities: int = 0


class Source:
    """A finished dataset opened for export, with a progress bar over its samples."""

    def __init__(self, directory: Path):
        if not Path(directory).is_dir():
            raise MorphgenError(f"{directory}: no such dataset directory")
        self.dataset: Dataset = open_dataset(directory)
        manifest = self.dataset.manifest
        if not manifest.complete:
            raise MorphgenError(
                f"{directory}: the dataset is unfinished ({len(manifest.shards)} of "
                f"{manifest.plan['shards']} shards); run the same generate command to finish it"
            )
        self.directory = Path(directory)
        self.label_set: str = manifest.labels.get("set", "morphgen")
        self.count = len(self.dataset)

    def samples(self, show: bool, what: str) -> Iterator[SampleRecord]:
        """Every sample in dataset order, with a progress bar unless ``show`` is false."""
        return progress_bar(self.dataset, what, total=self.count, show=show)

    def describe(self) -> dict[str, Any]:
        manifest = self.dataset.manifest
        return {
            "directory": str(self.directory.resolve()),
            "config_hash": manifest.config_hash,
            "model_sha256": manifest.model.get("sha256"),
            "label_set": self.label_set,
            "images": self.count,
            "identities": manifest.plan.get("identities"),
        }


def matrix_for(sample: SampleRecord, options: ExportOptions) -> np.ndarray:
    """The 2 x 3 alignment matrix from the sample's pixels to the crop's."""
    return alignment_matrix(arcface_points(sample["metadata"], sample["key"]), options.size)


def require_mask(sample: SampleRecord) -> np.ndarray:
    """The sample's mask; an error naming the sample when the dataset has none."""
    if sample["mask"] is None:
        raise MorphgenError(f"{sample['key']}: no mask; generate with output.mask: true")
    return sample["mask"]


def crop(sample: SampleRecord, options: ExportOptions) -> tuple[np.ndarray, np.ndarray | None]:
    """The sample's image and mask, aligned to the ArcFace template unless ``--align none``."""
    rgb, mask = sample["rgb"], sample["mask"]
    if options.align == "none":
        return rgb, mask
    matrix = matrix_for(sample, options)
    aligned_mask = None if mask is None else warp(mask, matrix, options.size, nearest=True)
    return warp(rgb, matrix, options.size), aligned_mask


def encode(rgb: np.ndarray, options: ExportOptions) -> bytes:
    """The image's bytes in the export's image format."""
    return encode_image(rgb, options.image_format, options.quality)


def write_new(path: Path, data: bytes) -> None:
    """Write ``path`` atomically unless an earlier (interrupted) run already finished it."""
    if not path.is_file():
        write_bytes(path, data)


class OutputDir:
    """The export's directory: refuses foreign content, resumes its own, writes export.json."""

    def __init__(self, path: Path, options: ExportOptions, source: Source, overwrite: bool):
        self.path = Path(path)
        self.record: dict[str, Any] = {
            "morphgen_version": __version__,
            "complete": False,
            "options": asdict(options),
            "source": source.describe(),
        }
        self._claim(overwrite)

    def _previous(self) -> dict[str, Any] | None:
        path = self.path / EXPORT_JSON
        try:
            return json.loads(path.read_text()) if path.is_file() else None
        except (OSError, ValueError):
            return None

    def _claim(self, overwrite: bool) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise MorphgenError(f"--out {self.path}: exists and is not a directory")
        if self.path.is_dir() and any(self.path.iterdir()):
            previous = self._previous()
            same = previous is not None and all(
                previous.get(k) == self.record[k] for k in ("options", "source")
            )
            if previous is None:
                raise MorphgenError(
                    f"--out {self.path}: exists, is not empty and holds no {EXPORT_JSON}; "
                    "choose an empty or new directory"
                )
            if overwrite:
                shutil.rmtree(self.path)
            elif not same:
                raise MorphgenError(
                    f"--out {self.path}: holds an export with other options or another "
                    "source; pass --overwrite to replace it"
                )
            else:
                clean_stale_temps(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._save()

    def _save(self) -> None:
        text = json.dumps(self.record, indent=1) + "\n"
        write_bytes(self.path / EXPORT_JSON, text.encode())

    def finish(self, contents: dict[str, Any], readme: str) -> None:
        """Record what the export holds, write README.txt, and mark it complete."""
        self.record.update(contents)
        write_bytes(self.path / "README.txt", readme.encode())
        self.record["complete"] = True
        self._save()
