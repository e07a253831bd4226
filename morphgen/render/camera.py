"""The pinhole camera: focal length in pixels, principal point, centring the face.

Pixels are square. ``fx = fy = focal_mm / sensor_mm * width`` (the sensor width spans the
image width; Basel: 50 mm lens, 15 mm sensor, face at 1 m), or ``(width / 2) /
tan(fov_deg / 2)`` when a horizontal field of view is given; ``scale`` multiplies it.
The principal point is the image centre plus ``principal_offset`` for ``centring: none``.

Centring moves the **principal point** (as cropping a larger photograph would), never
the head: the 3D scene and its perspective stay as posed, and since every projection
(raster, landmarks, boxes) uses the same intrinsics, geometry and labels stay
consistent. ``facebox`` centres the box of the projected face-region vertices,
``landmarks`` the box of the projected iBUG-68 points; then ``shift`` moves the face by
a fraction of the image width / height (positive: right / down).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from morphgen.config.schema import CENTRING
from morphgen.errors import MorphgenError
from morphgen.scene import CameraParams


@dataclass(frozen=True)
class Intrinsics:
    """A pinhole camera in pixels (origin at the top-left corner, v down)."""

    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float

    @property
    def matrix(self) -> np.ndarray:
        """The 3x3 matrix K."""
        return np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])

    def project(self, points: np.ndarray) -> np.ndarray:
        """Camera-space ``(K, 3)`` points (looking down -z) -> ``(K, 2)`` pixel coordinates."""
        p = np.asarray(points, dtype=np.float64)
        z = -p[:, 2]
        return np.stack([self.cx + self.fx * p[:, 0] / z, self.cy - self.fy * p[:, 1] / z], axis=1)


def focal_pixels(cam: CameraParams) -> float:
    """The focal length in pixels, ``scale`` included."""
    if cam.fov_deg is not None:
        if not 0.0 < cam.fov_deg < 180.0:
            raise MorphgenError(f"camera.fov_deg = {cam.fov_deg}: expected 0 < fov < 180")
        f = cam.width / 2.0 / np.tan(np.radians(cam.fov_deg) / 2.0)
    else:
        if cam.focal_mm <= 0 or cam.sensor_mm <= 0:
            raise MorphgenError(
                f"camera.focal_mm = {cam.focal_mm}, camera.sensor_mm = {cam.sensor_mm}: "
                "expected both > 0"
            )
        f = cam.focal_mm / cam.sensor_mm * cam.width
    if cam.scale <= 0:
        raise MorphgenError(f"camera.scale = {cam.scale}: expected > 0")
    return float(f * cam.scale)


@njit(cache=True, nogil=True)
def _direction_box(points, index):  # pragma: no cover - jitted
    """Min/max of X / -Z and Y / -Z over ``points[index]`` (the projected box, unscaled)."""
    x0, x1, y0, y1 = np.inf, -np.inf, np.inf, -np.inf
    for i in index:
        z = -points[i, 2]
        if z <= 0.0:
            continue
        x, y = points[i, 0] / z, points[i, 1] / z
        x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
    return x0, x1, y0, y1


def intrinsics(
    cam: CameraParams, points: np.ndarray | None = None, centre_index: np.ndarray | None = None
) -> Intrinsics:
    """Intrinsics for ``cam``; ``points[centre_index]`` (camera space) are the points to centre.

    They are ignored for ``centring: none``; without points, centring is skipped.
    """
    if cam.width < 1 or cam.height < 1:
        raise MorphgenError(f"camera size {cam.width} x {cam.height}: expected positive pixels")
    if cam.centring not in CENTRING:
        raise MorphgenError(
            f"camera.centring = {cam.centring!r}: expected one of {', '.join(CENTRING)}"
        )
    f = focal_pixels(cam)
    cx = cam.width / 2.0 + cam.principal_offset[0]
    cy = cam.height / 2.0 + cam.principal_offset[1]
    if cam.centring != "none" and points is not None and len(points):
        index = np.arange(len(points)) if centre_index is None else centre_index
        x0, x1, y0, y1 = _direction_box(np.asarray(points), np.asarray(index, dtype=np.int64))
        if np.isfinite(x0):
            # box centre at u = cx + f (x0 + x1) / 2, v = cy - f (y0 + y1) / 2 -> image centre
            cx = cam.width / 2.0 - f * (x0 + x1) / 2.0
            cy = cam.height / 2.0 + f * (y0 + y1) / 2.0
    cx += cam.shift[0] * cam.width
    cy += cam.shift[1] * cam.height
    return Intrinsics(int(cam.width), int(cam.height), f, f, float(cx), float(cy))
