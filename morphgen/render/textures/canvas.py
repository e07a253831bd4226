"""A frontal drawing canvas: a grid over the face frame's (x, y) plane, in millimetres.

Strands (brows, lashes) and dots (freckles, moles) are drawn here, then read back at the
texels that face the camera (``Canvas.at``), so what is drawn keeps its size in mm
whatever the UV layout's texel density.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEP_CELLS = 0.5  # strand samples per cell width


@dataclass
class Canvas:
    """A ``(rows, cols)`` accumulation grid; cell (r, c) centres on (x0 + c*mm, y1 - r*mm)."""

    x0: float
    y1: float
    mm: float
    grid: np.ndarray

    @classmethod
    def over(cls, x0: float, x1: float, y0: float, y1: float, mm: float) -> Canvas:
        cols, rows = int(np.ceil((x1 - x0) / mm)) + 1, int(np.ceil((y1 - y0) / mm)) + 1
        return cls(x0, y1, mm, np.zeros((rows, cols), dtype=np.float32))

    def cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (row, col) of points."""
        return (self.y1 - y) / self.mm, (x - self.x0) / self.mm

    def splat(self, x: np.ndarray, y: np.ndarray, weight: np.ndarray | float) -> None:
        """Add ``weight`` at the nearest cell of each point (points outside are dropped)."""
        r, c = self.cells(x, y)
        r, c = np.round(r).astype(np.int64), np.round(c).astype(np.int64)
        rows, cols = self.grid.shape
        ok = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
        w = np.broadcast_to(np.asarray(weight, dtype=np.float32), x.shape)[ok]
        flat = np.bincount(r[ok] * cols + c[ok], weights=w, minlength=rows * cols)
        self.grid += flat.reshape(rows, cols).astype(np.float32)

    def strands(
        self,
        root: np.ndarray,
        angle: np.ndarray,
        length: np.ndarray,
        bend: np.ndarray,
        weight: float,
        taper: bool = True,
    ) -> None:
        """Curved strands from ``root (n, 2)``: direction ``angle`` (rad), ``length`` mm,
        ``bend`` (rad over the length); each sample adds ``weight`` (tapering to the tip)."""
        steps = max(2, int(np.ceil(float(length.max(initial=0.0)) / (STEP_CELLS * self.mm))))
        t = np.linspace(0.0, 1.0, steps)[None, :]
        theta = angle[:, None] + bend[:, None] * t
        ds = length[:, None] / (steps - 1)
        x = root[:, :1] + np.cumsum(np.cos(theta) * ds, axis=1) - np.cos(theta[:, :1]) * ds
        y = root[:, 1:] + np.cumsum(np.sin(theta) * ds, axis=1) - np.sin(theta[:, :1]) * ds
        w = weight * ((1.0 - 0.7 * t) if taper else np.ones_like(t))
        self.splat(x.ravel(), y.ravel(), np.broadcast_to(w, x.shape).ravel())

    def dots(self, centre: np.ndarray, radius: np.ndarray, strength: np.ndarray) -> None:
        """Soft discs: ``strength`` at the centre, fading to 0 at ``radius`` (mm)."""
        reach = int(np.ceil(float(radius.max(initial=0.0)) / self.mm)) + 1
        off = np.arange(-reach, reach + 1) * self.mm
        dx, dy = np.meshgrid(off, off)
        d = np.sqrt(dx**2 + dy**2)[None] / radius[:, None, None]
        w = strength[:, None, None] * np.clip(1.0 - d**2, 0.0, 1.0)
        x = centre[:, 0, None, None] + dx[None]
        y = centre[:, 1, None, None] + dy[None]
        self.splat(x.ravel(), y.ravel(), w.ravel())

    def hair_weight(self, width_mm: float) -> float:
        """The weight per strand sample (``STEP_CELLS`` apart) of a hair ``width_mm`` wide:
        the fraction of a cell the hair covers between two samples."""
        return float(width_mm * STEP_CELLS / self.mm)

    def coverage(self, gain: float) -> Canvas:
        """``1 - exp(-gain * grid)``: a coverage canvas in [0, 1]."""
        return Canvas(
            self.x0, self.y1, self.mm, (1.0 - np.exp(-gain * self.grid)).astype(np.float32)
        )

    def blurred(self, sigma_mm: float) -> Canvas:
        """The canvas blurred by a Gaussian of ``sigma_mm``."""
        from scipy.ndimage import gaussian_filter  # here: workers of models without UVs skip it

        grid = gaussian_filter(self.grid, sigma_mm / self.mm, mode="constant")
        return Canvas(self.x0, self.y1, self.mm, grid.astype(np.float32))

    def at(self, xy: np.ndarray) -> np.ndarray:
        """Bilinear values at points ``(n, 2)`` (0 outside the canvas)."""
        r, c = self.cells(xy[:, 0], xy[:, 1])
        from scipy.ndimage import map_coordinates  # here: workers of models without UVs skip it

        return map_coordinates(self.grid, [r, c], order=1, mode="constant").astype(np.float32)


def polyline(points: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points and unit tangents at arc-length fractions ``t`` (extrapolated beyond [0, 1])."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    s = np.r_[0.0, np.cumsum(seg)] / seg.sum()
    k = np.clip(np.searchsorted(s, t, side="right") - 1, 0, len(seg) - 1)
    f = (t - s[k]) / (s[k + 1] - s[k])
    tangent = (points[k + 1] - points[k]) / seg[k][:, None]
    return points[k] + f[:, None] * (points[k + 1] - points[k]), tangent
