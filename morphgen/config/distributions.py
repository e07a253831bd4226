"""Scalar distributions for config factors, tagged by ``dist:`` (a plain number is a constant).

Every distribution draws vectorised from a ``numpy.random.Generator``:
``dist.sample(rng, size)`` returns a float64 array of ``size`` values. A ``grid`` is not
random: it iterates its values in order, so it takes the sample's position instead
(``dist.sample(rng, size, index=k)`` gives the value at position ``k``, cycling).

Parameter names are unambiguous: a normal has ``mean`` and ``std`` (a standard deviation).
The Basel generator's ``gaussian`` called its standard deviation ``variance``; a Basel
``variance: 30`` is ``std: 30`` here.
"""

from __future__ import annotations

import csv
import math
from abc import ABC, abstractmethod
from pathlib import Path
from statistics import NormalDist
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

_NORMAL = NormalDist()
_TINY, _BELOW_ONE = np.finfo(np.float64).tiny, 1.0 - 2.0**-53  # inv_cdf needs 0 < p < 1
TAGS = ("constant", "normal", "truncnormal", "uniform", "mixture", "choice", "empirical", "grid")


class Distribution(BaseModel, ABC):
    """Base of every distribution: strict keys, a ``dist`` tag."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @abstractmethod
    def sample(
        self, rng: np.random.Generator, size: int = 1, index: int | None = None
    ) -> np.ndarray:
        """``size`` draws as a float64 array."""

    def draw(self, rng: np.random.Generator, index: int | None = None) -> float:
        """One draw as a Python float."""
        return float(self.sample(rng, 1, index)[0])

    @property
    def is_grid(self) -> bool:
        return False

    @property
    def is_random(self) -> bool:
        """Whether ``sample`` reads its generator (a constant or a grid does not: callers
        may pass None and skip making one)."""
        return not self.is_grid


class Constant(Distribution):
    """Always ``value``."""

    dist: Literal["constant"] = "constant"
    value: float

    @property
    def is_random(self) -> bool:
        return False

    def sample(self, rng, size=1, index=None):
        return np.full(size, self.value, dtype=np.float64)


class Normal(Distribution):
    """Gaussian with ``mean`` and standard deviation ``std`` (>= 0; 0 gives the mean)."""

    dist: Literal["normal"]
    mean: float = 0.0
    std: float = Field(ge=0.0)

    def sample(self, rng, size=1, index=None):
        return rng.normal(self.mean, self.std, size)


class TruncNormal(Distribution):
    """Gaussian ``mean``/``std`` restricted to ``[low, high]``."""

    dist: Literal["truncnormal"]
    mean: float = 0.0
    std: float = Field(gt=0.0)
    low: float
    high: float

    @model_validator(mode="after")
    def _bounds(self) -> TruncNormal:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be less than high ({self.high})")
        return self

    def sample(self, rng, size=1, index=None):
        # Inverse CDF on the standardised interval; an interval right of the mean is
        # mirrored first, where the normal CDF keeps its precision. The standard library's
        # NormalDist does it: scipy would cost every worker ~20 MB (scipy.stats ~40 MB).
        a, b = (self.low - self.mean) / self.std, (self.high - self.mean) / self.std
        flip = a > 0
        lo, hi = (-b, -a) if flip else (a, b)
        u = np.clip(rng.uniform(_NORMAL.cdf(lo), _NORMAL.cdf(hi), size=size), _TINY, _BELOW_ONE)
        z = np.array([_NORMAL.inv_cdf(float(p)) for p in np.ravel(u)]).reshape(np.shape(u))
        out = self.mean + self.std * (-z if flip else z)
        return np.clip(out, self.low, self.high)


class Uniform(Distribution):
    """Uniform on ``[low, high)``."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _bounds(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be less than high ({self.high})")
        return self

    def sample(self, rng, size=1, index=None):
        return rng.uniform(self.low, self.high, size)


def _check_weights(weights: list[float] | None, n: int) -> None:
    if weights is None:
        return
    if len(weights) != n:
        raise ValueError(f"weights has {len(weights)} entries, values has {n}")
    if any(not w > 0 for w in weights):
        raise ValueError(f"weights must all be positive, got {weights}")


class Choice(Distribution):
    """One of ``values`` with probabilities proportional to ``weights`` (default equal)."""

    dist: Literal["choice"]
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Choice:
        _check_weights(self.weights, len(self.values))
        return self

    def sample(self, rng, size=1, index=None):
        p = None if self.weights is None else np.asarray(self.weights) / np.sum(self.weights)
        return rng.choice(np.asarray(self.values, dtype=np.float64), size=size, p=p)


def resolve_path(value: Path | str, info: ValidationInfo, kind: str = "file") -> Path:
    """A config path made absolute against the config file's directory, checked to exist.

    ``info.context["base_dir"]`` is that directory (the working directory if absent);
    ``kind`` is ``file`` or ``dir``.
    """
    base = Path((info.context or {}).get("base_dir") or ".")
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base / path
    path = path.resolve()
    if kind == "dir" and not path.is_dir():
        what = "is a file, expected a directory" if path.exists() else "does not exist"
        raise ValueError(f"directory {path} {what}")
    if kind == "file" and not path.is_file():
        what = "is a directory, expected a file" if path.is_dir() else "does not exist"
        raise ValueError(f"file {path} {what}")
    return path


def _csv_column(path: Path, column: str) -> list[float]:
    """The numbers in ``column`` of a CSV file with a header row (empty cells skipped)."""
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise ValueError(
                f"column {column!r} not in {path} (columns: {', '.join(reader.fieldnames or [])})"
            )
        values = []
        for lineno, row in enumerate(reader, start=2):
            cell = (row.get(column) or "").strip()
            if not cell:
                continue
            try:
                value = float(cell)
            except ValueError:
                raise ValueError(f"{path}:{lineno}: {column}={cell!r} is not a number") from None
            if not math.isfinite(value):
                raise ValueError(f"{path}:{lineno}: {column}={cell!r} is not a finite number")
            values.append(value)
    return values


class Empirical(Distribution):
    """Resamples observed values: a ``values`` list, or a ``csv`` file and its ``column``.

    A relative ``csv`` path is resolved against the config file's directory.
    """

    dist: Literal["empirical"]
    values: list[float] | None = None
    csv: Path | None = None
    column: str | None = None

    @field_validator("csv")
    @classmethod
    def _resolve(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else resolve_path(value, info, "file")

    @model_validator(mode="after")
    def _load(self) -> Empirical:
        if (self.values is None) == (self.csv is None):
            raise ValueError("give exactly one of `values` or `csv` (with `column`)")
        if self.csv is not None:
            if not self.column:
                raise ValueError("`csv` needs a `column` naming the CSV column to read")
            self._loaded = _csv_column(self.csv, self.column)
        else:
            self._loaded = list(self.values or [])
        if not self._loaded:
            raise ValueError("no values: the list or CSV column is empty")
        return self

    _loaded: list[float] = PrivateAttr(default_factory=list)

    def sample(self, rng, size=1, index=None):
        data = np.asarray(self._loaded, dtype=np.float64)
        return data[rng.integers(0, data.shape[0], size)]


def grid_values(start: float, stop: float, step: float) -> list[float]:
    """``start, start+step, ...`` up to and including ``stop`` when it lies on the grid.

    The count is computed with a small tolerance, so ``0..1 step 0.1`` has 11 values
    (a plain float division gives 9.999... and would drop the last one).
    """
    span = (stop - start) / step
    count = int(math.floor(span + 1e-9)) + 1
    return [round(start + k * step, 12) for k in range(count)]


class Grid(Distribution):
    """Values taken in order by position (for controlled sets): ``values`` or start/stop/step.

    ``stop`` is inclusive. Position ``k`` gives ``points[k % len(points)]``.
    """

    dist: Literal["grid"]
    values: list[float] | None = None
    start: float | None = None
    stop: float | None = None
    step: float | None = None
    _points: list[float] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _expand(self) -> Grid:
        ranged = (self.start, self.stop, self.step)
        if self.values is not None:
            if any(v is not None for v in ranged):
                raise ValueError("give either `values` or `start`/`stop`/`step`, not both")
            if not self.values:
                raise ValueError("grid `values` is empty")
            self._points = list(self.values)
            return self
        if any(v is None for v in ranged):
            raise ValueError("a grid needs `values` or all of `start`, `stop` and `step`")
        if self.step == 0 or (self.stop - self.start) / self.step < 0:
            raise ValueError(
                f"step {self.step} does not lead from start {self.start} to stop {self.stop}"
            )
        self._points = grid_values(self.start, self.stop, self.step)
        return self

    @property
    def points(self) -> list[float]:
        """The grid's values in order (expanded from start/stop/step if given so)."""
        return self._points

    @property
    def is_grid(self) -> bool:
        return True

    def __len__(self) -> int:
        return len(self._points)

    def sample(self, rng, size=1, index=None):
        if index is None:
            raise ValueError("a grid is iterated by position: pass index")
        vals = np.asarray(self._points, dtype=np.float64)
        return vals[(index + np.arange(size)) % vals.shape[0]]


class Mixture(Distribution):
    """A weighted mixture: ``components: [{weight: 0.6, dist: uniform, low: 0, high: 1}, ...]``."""

    dist: Literal["mixture"]
    components: list[WeightedDist] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_grids(self) -> Mixture:
        if any(c.is_grid for c in self.components):
            raise ValueError("a grid cannot be a mixture component")
        return self

    def sample(self, rng, size=1, index=None):
        w = np.asarray([c.weight for c in self.components], dtype=np.float64)
        which = rng.choice(len(self.components), size=size, p=w / w.sum())
        out = np.empty(size, dtype=np.float64)
        for k, comp in enumerate(self.components):
            sel = which == k
            if sel.any():
                out[sel] = comp.sample(rng, int(sel.sum()))
        return out


_CLASSES: tuple[type[Distribution], ...] = (
    Constant,
    Normal,
    TruncNormal,
    Uniform,
    Mixture,
    Choice,
    Empirical,
    Grid,
)


def _coerce(value: Any) -> Any:
    """A plain number is a constant; anything else must be a mapping with a ``dist`` key."""
    if isinstance(value, bool):
        raise PydanticCustomError("dist_type", "expected a number or a distribution mapping")
    if isinstance(value, int | float):
        return {"dist": "constant", "value": float(value)}
    if isinstance(value, BaseModel):
        return value
    if not isinstance(value, dict):
        raise PydanticCustomError(
            "dist_type",
            "expected a number or a mapping with a `dist:` key (one of {tags})",
            {"tags": ", ".join(TAGS)},
        )
    if "dist" not in value:
        raise PydanticCustomError(
            "dist_missing",
            "missing `dist:` key; expected one of {tags}",
            {"tags": ", ".join(TAGS)},
        )
    return value


def _weighted(cls: type[Distribution]) -> type[Distribution]:
    """``cls`` plus a required positive ``weight`` (a mixture component)."""
    return create_model(  # type: ignore[call-overload]
        f"Weighted{cls.__name__}",
        __base__=cls,
        __module__=__name__,
        weight=(float, Field(gt=0.0)),
    )


_WEIGHTED = tuple(_weighted(c) for c in _CLASSES)
globals().update({c.__name__: c for c in _WEIGHTED})  # importable by name, so picklable

Dist = Annotated[
    Union[tuple(_CLASSES)],  # noqa: UP007 (a runtime-built union)
    Discriminator("dist"),
    BeforeValidator(_coerce),
]
WeightedDist = Annotated[
    Union[_WEIGHTED],  # noqa: UP007
    Discriminator("dist"),
    BeforeValidator(_coerce),
]
Mixture.model_rebuild()
for _cls in _WEIGHTED:
    _cls.model_rebuild()


def constant(value: float) -> Constant:
    """A constant distribution (for defaults in the schema)."""
    return Constant(value=value)


def uniform(low: float, high: float) -> Uniform:
    return Uniform(dist="uniform", low=low, high=high)


def normal(mean: float, std: float) -> Normal:
    return Normal(dist="normal", mean=mean, std=std)
