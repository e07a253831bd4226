"""Fit a config's scalar distributions to attributes measured on real data.

A target CSV column is fitted when it names a distribution of the config: either by its
dotted key path (``pose.yaw``, ``camera.distance_mm``, ``illumination.azimuth_deg``...) or
by one of the short names in ``ALIASES`` (``yaw``, ``pitch``, ``roll``). The fitted
distribution is either a Gaussian mixture fitted by maximum likelihood (EM, the number of
components chosen by BIC; every component truncated to the target's observed range) or
the empirical distribution of the target's values. Divergences before and after are
measured by drawing from the config's distributions, exactly as the sampler does, with no
rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from morphgen.config import Config, parse_config
from morphgen.config.distributions import Distribution
from morphgen.errors import MorphgenError
from morphgen.gaps.divergence import Divergence, divergence, finite
from morphgen.gaps.mixture import GaussianMixture, best_gmm
from morphgen.progress import progress

ALIASES = {"yaw": "pose.yaw", "pitch": "pose.pitch", "roll": "pose.roll"}
METHODS = ("gmm", "empirical")


def config_dist(config: Config, path: str) -> Distribution | None:
    """The distribution at dotted ``path`` in ``config`` (None if there is none)."""
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, BaseModel) or part not in type(node).model_fields:
            return None
        node = getattr(node, part)
    return node if isinstance(node, Distribution) else None


def fittable_columns(config: Config, columns: list[str]) -> dict[str, str]:
    """CSV column -> config key path, for every column that names a config distribution."""
    out = {}
    for column in columns:
        path = ALIASES.get(column, column)
        if config_dist(config, path) is not None:
            out[column] = path
    return out


def _round(v: float) -> float:
    """Six significant digits: far finer than any fit's uncertainty, and readable YAML."""
    return float(f"{float(v):.6g}")


def mixture_spec(g: GaussianMixture, low: float, high: float) -> dict[str, Any]:
    """A config distribution for a fitted mixture, each component truncated to [low, high]."""
    components = [
        {"dist": "truncnormal", "mean": _round(m), "std": _round(s), "low": low, "high": high}
        for m, s in zip(g.means, g.stds, strict=True)
    ]
    if len(components) == 1:
        return components[0]
    for comp, w in zip(components, g.weights, strict=True):
        comp["weight"] = _round(w)
    return {"dist": "mixture", "components": components}


def fitted_spec(values: np.ndarray, method: str, max_components: int) -> dict[str, Any]:
    """The config distribution (as plain data) fitted to ``values`` by ``method``."""
    x = finite(values)
    if x.size == 0:
        raise ValueError("no finite values")
    lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        return {"dist": "constant", "value": lo}
    if method == "empirical":
        return {"dist": "empirical", "values": [float(v) for v in np.round(x, 6)]}
    return mixture_spec(best_gmm(x, max_components), lo, hi)


def draw(dist: Distribution, n: int, seed: int) -> np.ndarray:
    """``n`` draws from a config distribution (a grid is taken in order)."""
    return dist.sample(np.random.default_rng(seed), n, index=0)


@dataclass
class FitResult:
    """One fitted factor: where it lives, what it became, and the divergences to the target."""

    column: str
    path: str
    spec: dict[str, Any]
    before: Divergence  # A = target, B = base config
    after: Divergence  # A = target, B = fitted config
    draws: dict[str, np.ndarray]  # "target", "before", "after": the values compared

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the draws)."""
        return {
            "column": self.column,
            "key": self.path,
            "fitted": self.spec,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
        }


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    for key in keys[:-1]:
        data = data.setdefault(key, {})
    data[keys[-1]] = value


def fit_config(
    config: Config,
    target: dict[str, np.ndarray],
    columns: list[str] | None = None,
    method: str = "gmm",
    max_components: int = 5,
    samples: int = 20000,
    base_dir: Path | None = None,
) -> tuple[Config, list[FitResult]]:
    """The config with every fittable target column's distribution fitted, and the results.

    ``columns`` limits the fit to those CSV columns (each must name a config distribution).
    The new config is validated by the same schema as any config file.
    """
    if method not in METHODS:
        raise MorphgenError(f"unknown fit method {method!r}; expected one of {METHODS}")
    found = fittable_columns(config, list(target))
    if columns is not None:
        missing = [c for c in columns if c not in target]
        if missing:
            raise MorphgenError(
                f"target has no column {', '.join(map(repr, missing))} "
                f"(columns: {', '.join(target)})"
            )
        unfit = [c for c in columns if c not in found]
        if unfit:
            raise MorphgenError(
                f"column {', '.join(map(repr, unfit))} names no distribution in the config; "
                f"use a short name ({', '.join(ALIASES)}) or a key path such as pose.yaw"
            )
        found = {c: found[c] for c in columns}
    if not found:
        raise MorphgenError(
            f"no target column names a config distribution (columns: {', '.join(target)}); "
            f"expected {', '.join(ALIASES)} or key paths such as pose.yaw, camera.distance_mm"
        )
    data = config.to_dict()
    specs = {}
    for column, path in progress(found.items(), "fit", total=len(found), unit="column"):
        try:
            specs[column] = fitted_spec(target[column], method, max_components)
        except ValueError as exc:
            raise MorphgenError(f"target column {column!r}: {exc}") from None
        _set(data, path, specs[column])
    fitted = parse_config(data, base_dir=base_dir, source="fitted config")
    results = []
    for k, (column, path) in enumerate(found.items()):
        draws = {
            "target": finite(target[column]),
            "before": draw(config_dist(config, path), samples, seed=k),
            "after": draw(config_dist(fitted, path), samples, seed=k),
        }
        results.append(
            FitResult(
                column,
                path,
                specs[column],
                divergence(column, draws["target"], draws["before"]),
                divergence(column, draws["target"], draws["after"]),
                draws,
            )
        )
    return fitted, results
