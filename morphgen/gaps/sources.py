"""Load the attributes of a source: a morphgen dataset directory or a CSV of measurements."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from morphgen.errors import MorphgenError
from morphgen.gaps.attributes import dataset_attributes


@dataclass
class Source:
    """Named attribute samples from one place."""

    path: Path
    kind: str  # "dataset" or "csv"
    attributes: dict[str, np.ndarray]

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)


def load_csv(path: Path) -> dict[str, np.ndarray]:
    """Numeric columns of a CSV with a header row; empty cells become NaN.

    Columns with any non-numeric cell are skipped (identifiers, file names).
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:  # tolerate Excel's BOM
            rows = list(csv.reader(fh))
    except OSError as exc:
        raise MorphgenError(f"cannot read CSV {path}: {exc.strerror}") from None
    if len(rows) < 2:
        raise MorphgenError(f"{path}: expected a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    out: dict[str, np.ndarray] = {}
    for c, name in enumerate(header):
        cells = [row[c].strip() if c < len(row) else "" for row in rows[1:]]
        try:
            out[name] = np.array([float(v) if v else np.nan for v in cells])
        except ValueError:
            continue
    if not out:
        raise MorphgenError(f"{path}: no numeric columns (header: {', '.join(header)})")
    return out


def save_csv(path: Path, attributes: dict[str, np.ndarray]) -> list[str]:
    """Write the per-image attributes (the longest columns) as a CSV; the columns written."""
    n = max((v.size for v in attributes.values()), default=0)
    names = [name for name, v in attributes.items() if v.size == n]
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        for k in range(n):
            writer.writerow(
                ["" if np.isnan(attributes[c][k]) else f"{attributes[c][k]:.6g}" for c in names]
            )
    return names


def load_dataset(directory: Path) -> dict[str, np.ndarray]:
    """Attributes of every sample of a morphgen dataset, read in its manifest's label set."""
    from morphgen.io.readers import open_dataset
    from morphgen.progress import progress

    dataset = open_dataset(directory)
    samples = progress(dataset, f"read {Path(directory).name}", total=len(dataset))
    return dataset_attributes(samples, str(dataset.manifest.labels.get("set", "morphgen")))


def load_source(path: str | Path) -> Source:
    """A dataset directory or a ``.csv`` file; a MorphgenError for anything else."""
    p = Path(path)
    if p.is_dir():
        return Source(p, "dataset", load_dataset(p))
    if p.is_file():
        if p.suffix.lower() != ".csv":
            raise MorphgenError(f"{p}: expected a dataset directory or a .csv file")
        return Source(p, "csv", load_csv(p))
    raise MorphgenError(f"{p}: no such dataset directory or CSV file")
