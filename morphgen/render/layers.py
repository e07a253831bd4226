"""Layers: extra geometry drawn with the head (hair, glasses, headwear, clothing).

A ``Layer`` is model-space geometry with per-vertex normals and albedo and one label; the
renderer poses it with the head, shades it, and appends it to the head's ``Frame`` so that
every backend rasterises it with the same coverage, exact labels and z-buffer occlusion.
Thin two-sided geometry (glasses frames) is re-wound per frame so that the side facing the
camera is the front face (both backends cull back faces). Strands (a layer with
``widths``) are centre lines that become camera-facing ribbons per frame: every strand
shows its full width from any view, as a strand of hair does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from morphgen.render.hair.colour import add_strand_highlight
from morphgen.render.normals import triangle_cross
from morphgen.render.pose import transform
from morphgen.render.shading import shade, specular_light
from morphgen.scene import Illumination


@dataclass
class Layer:
    """One label's extra geometry in model space (mm)."""

    vertices: np.ndarray  # (N, 3) float32
    triangles: np.ndarray  # (M, 3) int32
    normals: np.ndarray  # (N, 3) float32 unit shading normals
    albedo: np.ndarray  # (N, 3) float32 linear RGB
    label: int
    tangents: np.ndarray | None = None  # (N, 3) strand directions for the hair highlight
    shine: float = 0.0  # highlight strength (hair: along the strands; else Blinn-Phong)
    two_sided: bool = True
    # strands: (N,) ribbon widths in mm at the centre-line ``vertices``; ``triangles`` then
    # index the ribbon's 2N vertices (2i and 2i + 1 on either side of centre point i)
    widths: np.ndarray | None = None
    # a see-through lens: not rasterised with the frame but tinted over it (``render.lenses``)
    see_through: bool = False

    @property
    def n_triangles(self) -> int:
        return len(self.triangles)

    def stacked(self, name: str, group: list[Layer]) -> np.ndarray | None:
        """Attribute ``name`` of every layer of ``group`` concatenated (None if unset)."""
        values = [getattr(g, name) for g in group]
        return None if values[0] is None else np.concatenate(values)


def merge(layers: list[Layer]) -> list[Layer]:
    """Layers with the same label, highlight and sidedness joined into one (fewer arrays)."""
    groups: dict[tuple, list[Layer]] = {}
    for layer in layers:
        key = (
            layer.label, layer.shine, layer.two_sided, layer.tangents is not None,
            layer.widths is not None, layer.see_through,
        )  # fmt: skip
        groups.setdefault(key, []).append(layer)
    out = []
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        first = group[0]
        per_vertex = 2 if first.widths is not None else 1
        starts = np.cumsum([0] + [per_vertex * len(g.vertices) for g in group[:-1]])
        out.append(
            Layer(
                first.stacked("vertices", group),
                np.concatenate([g.triangles + s for g, s in zip(group, starts, strict=True)]),
                first.stacked("normals", group),
                first.stacked("albedo", group),
                first.label,
                first.stacked("tangents", group),
                first.shine,
                first.two_sided,
                first.stacked("widths", group),
                first.see_through,
            )
        )
    return out


@njit(cache=True, nogil=True)
def _face_camera(vertices, triangles, out):  # pragma: no cover - jitted
    for t in range(triangles.shape[0]):
        a, b, c = triangles[t, 0], triangles[t, 1], triangles[t, 2]
        nx, ny, nz = triangle_cross(vertices, triangles, t)
        out[t, 0] = a
        # counter-clockwise as the camera (at the origin) sees it
        if nx * vertices[a, 0] + ny * vertices[a, 1] + nz * vertices[a, 2] <= 0.0:
            out[t, 1], out[t, 2] = b, c
        else:
            out[t, 1], out[t, 2] = c, b


@njit(cache=True, nogil=True, fastmath=True)
def _ribbons(centres, tangents, rot, widths, out):  # pragma: no cover - jitted
    for v in range(centres.shape[0]):
        tx = rot[0, 0] * tangents[v, 0] + rot[0, 1] * tangents[v, 1] + rot[0, 2] * tangents[v, 2]
        ty = rot[1, 0] * tangents[v, 0] + rot[1, 1] * tangents[v, 1] + rot[1, 2] * tangents[v, 2]
        tz = rot[2, 0] * tangents[v, 0] + rot[2, 1] * tangents[v, 1] + rot[2, 2] * tangents[v, 2]
        px, py, pz = centres[v, 0], centres[v, 1], centres[v, 2]
        sx, sy, sz = ty * pz - tz * py, tz * px - tx * pz, tx * py - ty * px  # across the view
        n = np.sqrt(sx * sx + sy * sy + sz * sz)
        k = 0.5 * widths[v] / n if n > 0.0 else 0.0
        out[2 * v, 0], out[2 * v, 1], out[2 * v, 2] = px - k * sx, py - k * sy, pz - k * sz
        out[2 * v + 1, 0], out[2 * v + 1, 1] = px + k * sx, py + k * sy
        out[2 * v + 1, 2] = pz + k * sz


def camera_ribbons(
    centres: np.ndarray, tangents: np.ndarray, rotation: np.ndarray, widths: np.ndarray
) -> np.ndarray:
    """``(2N, 3)`` ribbon vertices: each camera-space centre point moved half its width
    either way, across both its strand (model-space ``tangents`` turned by ``rotation``)
    and the line of sight."""
    out = np.empty((2 * len(centres), 3), dtype=np.float32)
    _ribbons(
        np.ascontiguousarray(centres, dtype=np.float32),
        np.ascontiguousarray(tangents, dtype=np.float32),
        np.ascontiguousarray(rotation, dtype=np.float64),
        np.ascontiguousarray(widths, dtype=np.float32),
        out,
    )
    return out


def facing_camera(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """``triangles`` re-wound so that each one's front face looks at the camera (origin)."""
    out = np.empty_like(triangles, dtype=np.int32)
    _face_camera(
        np.ascontiguousarray(vertices, dtype=np.float32),
        np.ascontiguousarray(triangles, dtype=np.int32),
        out,
    )
    return out


@dataclass
class Posed:
    """The per-frame arrays of the head plus its layers, ready for a ``Frame``."""

    vertices: np.ndarray
    triangles: np.ndarray
    colors: np.ndarray
    labels: np.ndarray
    attributes: dict[str, np.ndarray]


def pose_layers(
    head: Posed, layers: list[Layer], to_camera: np.ndarray, light: Illumination
) -> Posed:
    """``head`` with every layer posed by ``to_camera``, shaded and appended.

    Every layer is written straight into the frame's arrays (a strand's two ribbon sides
    take every other row), so nothing is repeated or concatenated per vertex."""
    if not layers:
        return head
    rotate = np.eye(4)
    rotate[:3, :3] = to_camera[:3, :3]
    direction, rgb = specular_light(light.sh)
    n = len(head.vertices)
    sizes = [len(layer.vertices) * (1 if layer.widths is None else 2) for layer in layers]
    starts = np.cumsum([n, *sizes]).tolist()
    vertices = np.empty((starts[-1], 3), dtype=np.float32)
    colors = np.empty((starts[-1], 3), dtype=np.float32)
    vertices[:n], colors[:n] = head.vertices, head.colors
    attributes = {}
    for name, values in head.attributes.items():
        values = np.asarray(values).reshape(n, -1)
        attributes[name] = np.zeros((starts[-1], values.shape[1]), dtype=np.float32)
        attributes[name][:n] = values
    triangles, labels = [head.triangles], [head.labels]
    for layer, begin, end in zip(layers, starts[:-1], starts[1:], strict=True):
        posed = transform(layer.vertices, to_camera)
        normals = transform(layer.normals, rotate)
        spec = np.zeros(len(posed), dtype=np.float32)
        shaded, irradiance = shade(normals, layer.albedo, posed, light, spec)
        if layer.tangents is not None and layer.shine > 0:
            add_strand_highlight(
                shaded, layer.tangents, rotate[:3, :3], posed, layer.albedo, direction, rgb,
                layer.shine,
            )  # fmt: skip
        values = {"normals": normals, "albedo": layer.albedo, "illumination": irradiance}
        sides = 1
        if layer.widths is not None:
            posed = camera_ribbons(posed, layer.tangents, rotate[:3, :3], layer.widths)
            sides = 2
        vertices[begin:end] = posed
        for side in range(sides):  # a ribbon's two sides share their centre's values
            colors[begin + side : end : sides] = shaded
            for name, out in attributes.items():
                if name in values:
                    out[begin + side : end : sides] = values[name]
        tris = facing_camera(posed, layer.triangles) if layer.two_sided else layer.triangles
        triangles.append(tris + begin)
        labels.append(np.full(len(tris), layer.label, dtype=np.uint8))
    return Posed(
        vertices,
        np.concatenate(triangles).astype(np.int32),
        colors,
        np.concatenate(labels),
        attributes,
    )
