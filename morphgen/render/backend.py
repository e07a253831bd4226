"""The render backend interface: the rest of the pipeline does not know which backend ran.

A backend turns a ``Frame`` (a posed, shaded mesh in camera space plus intrinsics)
into a ``Raster`` (colour with coverage, exact labels, depth, interpolated attributes).

Camera space is OpenGL's: the camera sits at the origin looking down -z, y up, x right.
Pixel (row i, column j) covers [j, j+1) x [i, i+1) in image coordinates whose origin is
the top-left corner; its centre is (j + 0.5, i + 0.5). A camera-space point (X, Y, Z)
projects to ``u = cx + fx * X / -Z``, ``v = cy - fy * Y / -Z``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from morphgen.render.camera import Intrinsics
from morphgen.scene import FAR_MM, NEAR_MM

# A worker process's number, set by the executors; GPU backends spread workers over devices.
WORKER_ORDINAL_VAR = "MORPHGEN_WORKER_ORDINAL"


@dataclass
class Frame:
    """One image's worth of geometry, already posed and shaded."""

    vertices: np.ndarray  # (N, 3) float32, camera space, mm
    triangles: np.ndarray  # (M, 3) int32, counter-clockwise front faces
    colors: np.ndarray  # (N, 3) float32 shaded linear RGB in [0, 1]
    triangle_labels: np.ndarray  # (M,) uint8 morphgen label ids (never 0)
    camera: Intrinsics
    near: float = NEAR_MM
    far: float = FAR_MM
    # extra per-vertex attributes to interpolate, e.g. {"normals": (N, 3)}
    attributes: dict[str, np.ndarray] = field(default_factory=dict)
    # optional texture: one mip level (S, S, 6) and per-corner UVs (M, 3, 2); see textures.lookup
    texture: np.ndarray | None = None
    uv: np.ndarray | None = None
    # window clipping (see ``render/windows``): per triangle a bit mask of the windows it is
    # drawn in (None: none), and window k's closed polygon in pixel coordinates for bit 1 << k
    triangle_windows: np.ndarray | None = None  # (M,) uint8
    windows: tuple[np.ndarray, ...] = ()  # (P, 2) float32 each

    # the camera's numbers, as the backends read them
    width = property(lambda self: self.camera.width)
    height = property(lambda self: self.camera.height)
    fx = property(lambda self: self.camera.fx)
    fy = property(lambda self: self.camera.fy)
    cx = property(lambda self: self.camera.cx)
    cy = property(lambda self: self.camera.cy)


@dataclass
class Raster:
    """What a backend returns. ``H x W`` arrays in image row order (top row first)."""

    color: np.ndarray  # (H, W, 3) float32, not premultiplied; undefined where alpha == 0
    alpha: np.ndarray  # (H, W) float32 anti-aliased coverage in [0, 1]
    mask: np.ndarray  # (H, W) uint8 label ids; 0 where alpha < 0.5, a triangle's label elsewhere
    depth: np.ndarray  # (H, W) float32 distance along the camera axis (-Z) in mm; 0 = background
    triangle_id: np.ndarray  # (H, W) int32 visible triangle at the pixel, -1 = background
    attributes: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (H, W, C)


class Backend(Protocol):
    """A render backend. One instance per process, reused for every image."""

    name: str

    def draw(self, frame: Frame) -> Raster:
        """Rasterise one frame."""
        ...

    def close(self) -> None:
        """Release resources (GL contexts)."""
        ...


def interpolate(
    values: np.ndarray, triangles: np.ndarray, tri_id: np.ndarray, bary: np.ndarray
) -> np.ndarray:
    """Per-pixel ``(H, W, C)`` float32 values of per-vertex ``values``; 0 on background."""
    values = np.asarray(values, dtype=np.float32)
    values = values.reshape(values.shape[0], -1)
    out = np.zeros((*tri_id.shape, values.shape[1]), dtype=np.float32)
    face = tri_id >= 0
    corners = triangles[tri_id[face]]
    out[face] = np.einsum("kj,kjc->kc", bary[face], values[corners])
    return out


def finish_raster(
    frame: Frame,
    color: np.ndarray,
    alpha: np.ndarray,
    mask: np.ndarray,
    depth: np.ndarray,
    triangle_id: np.ndarray,
    bary: np.ndarray,
) -> Raster:
    """A backend's last step, the same for every backend: the frame's attributes
    interpolated at the visible triangles' weights, then its texture (if any) applied to
    the colour, albedo and hair labels (``textures.lookup``)."""
    from morphgen.render.textures.lookup import apply_texture

    attributes = {
        name: interpolate(values, frame.triangles, triangle_id, bary)
        for name, values in frame.attributes.items()
    }
    if frame.texture is not None:
        albedo = attributes.get("albedo")
        apply_texture(frame.texture, frame.uv, color, mask, triangle_id, bary, albedo)
    return Raster(color, alpha, mask, depth, triangle_id, attributes)
