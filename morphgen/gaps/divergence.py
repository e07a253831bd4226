"""Kullback-Leibler divergence between two samples of one attribute, binned and smoothed.

Binning: both samples share one set of bin edges spanning the union of their ranges.
The bin width follows the Freedman-Diaconis rule, width = 2 IQR n^(-1/3), with the IQR of
the pooled sample and n the size of the *smaller* sample (so that bins suit the sparser
one), and the count is clipped to [``MIN_BINS``, ``MAX_BINS``]; a pooled IQR of 0
falls back to ``MIN_BINS``. If every value is an integer, the width is rounded up to a
whole number (at least 1) and the edges sit half-way between integers instead.

Smoothing: ``ALPHA`` (0.5, "add-half") is added to every bin's count of both samples
before normalising, so that an empty bin gives a finite divergence.

KL(P||Q) = sum_i p_i ln(p_i / q_i), in nats. With fine bins and large samples the binned
value approaches the divergence of the underlying densities (the bin widths cancel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_BINS = 10
MAX_BINS = 200
ALPHA = 0.5

BINNING_TEXT = (
    "shared edges over the union range, width by Freedman-Diaconis (pooled IQR, smaller n), "
    f"{MIN_BINS} to {MAX_BINS} bins; integer data: whole-number widths, edges at half-integers"
)
SMOOTHING_TEXT = f"additive: {ALPHA} added to every bin count of both samples"


def finite(values: np.ndarray) -> np.ndarray:
    """The finite entries of ``values`` as a flat float64 array."""
    x = np.asarray(values, dtype=np.float64).ravel()
    return x[np.isfinite(x)]


def shared_edges(a: np.ndarray, b: np.ndarray, bins: int | None = None) -> np.ndarray:
    """Bin edges shared by samples ``a`` and ``b`` (see the module docstring for the rule)."""
    fa, fb = finite(a), finite(b)
    pooled = np.concatenate([fa, fb])
    n = min(fa.size, fb.size) or pooled.size
    if pooled.size == 0:
        raise ValueError("no finite values to bin")
    lo, hi = float(pooled.min()), float(pooled.max())
    if bins is None and np.all(pooled == np.round(pooled)):
        width = max(1.0, np.ceil(_fd_width(pooled, n)))
        count = min(int(np.ceil((hi - lo + 1) / width)), MAX_BINS)
        width = max(width, np.ceil((hi - lo + 1) / count))
        return lo - 0.5 + width * np.arange(count + 1)
    if hi == lo:
        return np.array([lo - 0.5, hi + 0.5])
    if bins is None:
        width = _fd_width(pooled, n)
        bins = int(np.ceil((hi - lo) / width)) if width > 0 else MIN_BINS
        bins = int(np.clip(bins, MIN_BINS, MAX_BINS))
    return np.linspace(lo, hi, bins + 1)


def _fd_width(x: np.ndarray, n: int) -> float:
    """Freedman-Diaconis bin width, 2 IQR(x) n^(-1/3) (0 when the IQR is 0)."""
    q75, q25 = np.percentile(x, [75, 25])
    return float(2.0 * (q75 - q25) * n ** (-1.0 / 3.0))


def probabilities(values: np.ndarray, edges: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """Smoothed bin probabilities of ``values`` over ``edges`` (values outside are clipped in)."""
    x = np.clip(finite(values), edges[0], edges[-1])
    counts, _ = np.histogram(x, bins=edges)
    smoothed = counts.astype(np.float64) + alpha
    return smoothed / smoothed.sum()


def kl(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p||q) in nats for two discrete distributions on the same bins (q > 0 where p > 0)."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


@dataclass
class Divergence:
    """Both directions of the KL divergence between samples A and B of one attribute."""

    attribute: str
    kl_ab: float  # KL(A||B)
    kl_ba: float  # KL(B||A)
    edges: np.ndarray
    n_a: int
    n_b: int

    @property
    def noise_floor(self) -> float:
        """About what either direction reads for two samples of one distribution:
        (bins - 1) / 2 * (1/n_a + 1/n_b), the plug-in estimator's first-order bias."""
        return (self.edges.size - 2) / 2.0 * (1.0 / self.n_a + 1.0 / self.n_b)

    @property
    def symmetric(self) -> float:
        """KL(A||B) + KL(B||A) (Jeffreys divergence): the ranking key."""
        return self.kl_ab + self.kl_ba

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        return {
            "attribute": self.attribute,
            "kl_ab": self.kl_ab,
            "kl_ba": self.kl_ba,
            "symmetric": self.symmetric,
            "noise_floor": self.noise_floor,
            "bins": int(self.edges.size - 1),
            "range": [float(self.edges[0]), float(self.edges[-1])],
            "n_a": self.n_a,
            "n_b": self.n_b,
        }


def divergence(
    name: str, a: np.ndarray, b: np.ndarray, bins: int | None = None, alpha: float = ALPHA
) -> Divergence:
    """KL divergence in both directions between samples ``a`` and ``b`` on shared bins."""
    fa, fb = finite(a), finite(b)
    if fa.size == 0 or fb.size == 0:
        raise ValueError(f"attribute {name!r} has no finite values in one of the samples")
    edges = shared_edges(fa, fb, bins)
    p, q = probabilities(fa, edges, alpha), probabilities(fb, edges, alpha)
    return Divergence(name, kl(p, q), kl(q, p), edges, int(fa.size), int(fb.size))


def compare(
    a: dict[str, np.ndarray], b: dict[str, np.ndarray], bins: int | None = None
) -> list[Divergence]:
    """Divergences of every attribute with finite values in both, most different first.

    An attribute that is one and the same constant in both (a class absent from both
    datasets' masks, say) carries no information and is left out.
    """
    out = []
    for name in a:
        fa, fb = (finite(a[name]), finite(b.get(name, ()))) if name in b else ((), ())
        if not (len(fa) and len(fb)):
            continue
        if fa.min() == fa.max() == fb.min() == fb.max():
            continue
        out.append(divergence(name, fa, fb, bins))
    return sorted(out, key=lambda d: d.symmetric, reverse=True)
