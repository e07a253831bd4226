"""Hair colour: the highlight that runs along the strands (the melanin-style albedo is
``morphgen.colour.hair_albedo``).

Highlight (Kajiya-Kay): a strand with tangent ``T`` reflects the light towards the half
vector ``H`` by ``sin(T, H) ** shininess``; it depends on the strand's direction, not on
a surface normal, so it forms the bands across hair that run along the strands.
"""

from __future__ import annotations

import numpy as np
from numba import njit

SHININESS = 80.0


@njit(cache=True, nogil=True, fastmath=True)
def _highlight(
    tangents, rot, positions, albedo, light_dir, light_rgb, strength, shininess, out
):  # pragma: no cover - jitted
    for v in range(tangents.shape[0]):
        tx = rot[0, 0] * tangents[v, 0] + rot[0, 1] * tangents[v, 1] + rot[0, 2] * tangents[v, 2]
        ty = rot[1, 0] * tangents[v, 0] + rot[1, 1] * tangents[v, 1] + rot[1, 2] * tangents[v, 2]
        tz = rot[2, 0] * tangents[v, 0] + rot[2, 1] * tangents[v, 1] + rot[2, 2] * tangents[v, 2]
        px, py, pz = positions[v, 0], positions[v, 1], positions[v, 2]
        d = max(np.sqrt(px * px + py * py + pz * pz), 1e-6)
        hx, hy, hz = light_dir[0] - px / d, light_dir[1] - py / d, light_dir[2] - pz / d
        hn = max(np.sqrt(hx * hx + hy * hy + hz * hz), 1e-6)
        th = (tx * hx + ty * hy + tz * hz) / hn
        sin2 = max(1.0 - th * th, 0.0)
        k = strength * sin2 ** (0.5 * shininess)
        for ch in range(3):
            value = out[v, ch] + k * light_rgb[ch] * (0.5 + albedo[v, ch])
            out[v, ch] = min(value, 1.0)


def add_strand_highlight(
    colors: np.ndarray,
    tangents: np.ndarray,
    rotation: np.ndarray,
    positions: np.ndarray,
    albedo: np.ndarray,
    light_dir: np.ndarray,
    light_rgb: np.ndarray,
    strength: float,
) -> None:
    """Add the Kajiya-Kay highlight of strands (model-space ``tangents``, rotated by
    ``rotation`` into camera space, where the camera sits at the origin) to ``colors``,
    tinted halfway towards the hair's ``albedo``; in place, clipped at 1."""
    _highlight(
        np.ascontiguousarray(tangents, dtype=np.float32),
        np.ascontiguousarray(rotation, dtype=np.float64),
        np.ascontiguousarray(positions, dtype=np.float32),
        np.ascontiguousarray(albedo, dtype=np.float32),
        np.asarray(light_dir, dtype=np.float64),
        np.asarray(light_rgb, dtype=np.float64),
        float(strength),
        SHININESS,
        colors,
    )
