"""Eyes painted on each eyeball's texels: iris with fibres, collarette and limbal ring,
the pupil, and a sclera that reddens towards its edge and lies in shade under the upper lid
and in the corners.

The eyeball is the mesh component of the pupil landmark; the iris is a disc of
``IRIS_RADIUS_MM`` around the pupil landmark in the face's frontal plane (the mean shape
looks straight ahead). Albedo is set, not modulated.
"""

from __future__ import annotations

import numpy as np

from morphgen.render.textures.setup import TextureSetup
from morphgen.render.textures.skin import smoothstep
from morphgen.scene import AppearanceParams

IRIS_RADIUS_MM = 5.8  # a painted iris disc of this radius looked right (REFERENCE section 9)
SCLERA = np.array([0.78, 0.72, 0.65], dtype=np.float32)  # linear RGB, sRGB about (228, 220, 211)
PUPIL = np.array([0.004, 0.004, 0.005], dtype=np.float32)


def paint_eyes(
    setup: TextureSetup, params: AppearanceParams, rng: np.random.Generator, albedo: np.ndarray
) -> None:
    """Set the albedo of every eyeball texel, in place."""
    phase = rng.uniform(0, 2 * np.pi, 2)
    for eye in setup.eyes:
        d = setup.atlas.position[eye.texels] - eye.pupil
        r = np.hypot(d[:, 0], d[:, 1])
        front = d[:, 2] > -6.0
        grain = rng.uniform(-1.0, 1.0, len(r)).astype(np.float32)
        red = smoothstep(IRIS_RADIUS_MM + 2.0, IRIS_RADIUS_MM + 10.0, r) + 0.3 * (1 - front)
        sclera = SCLERA * (sclera_shade(d) * (1.0 + 0.03 * grain))[:, None]
        colour = sclera * (1.0 - np.clip(red, 0, 1)[:, None] * [0.0, 0.12, 0.14])
        k = np.flatnonzero(front & (r < IRIS_RADIUS_MM + 0.3))
        colour[k] += _iris(params, d[k], r[k], grain[k], phase, colour[k])
        albedo[eye.texels] = colour.astype(np.float32)


def sclera_shade(d: np.ndarray) -> np.ndarray:
    """How much light reaches the sclera at offsets ``d`` (mm) from the pupil: less towards
    the upper lid, whose lashes and fold shade the eyeball, and towards the corners, deep in
    the socket (an eye's white is never a flat white)."""
    lid = 0.3 * smoothstep(0.0, 6.0, d[:, 1])
    corners = 0.2 * smoothstep(IRIS_RADIUS_MM + 1.0, IRIS_RADIUS_MM + 9.0, np.abs(d[:, 0]))
    return (1.0 - lid) * (1.0 - corners)


def _iris(params, d, r, grain, phase, sclera) -> np.ndarray:
    """The change from the sclera colour at the iris texels (``d``: offsets from the pupil)."""
    iris_rgb = np.asarray(params.iris_rgb, dtype=np.float32)
    theta = np.arctan2(d[:, 1], d[:, 0])
    fibres = 0.5 + 0.5 * np.sin(31.0 * theta + 2.5 * np.sin(7.0 * theta + phase[0]) + 1.3 * r)
    rim = IRIS_RADIUS_MM
    pupil_r = params.pupil * rim
    shade = 0.72 + 0.4 * fibres + 0.12 * grain
    shade *= 1.0 - 0.55 * smoothstep(0.8 * rim, rim, r)  # limbal ring
    collar = np.exp(-(((r - 1.5 * pupil_r) / (0.25 * rim)) ** 2))
    iris = iris_rgb * shade[:, None]
    iris += collar[:, None] * (0.8 * iris_rgb[[0, 0, 0]] * [1.1, 0.75, 0.4] - 0.3 * iris)
    edge = smoothstep(pupil_r - 0.15, pupil_r + 0.15, r)
    iris = PUPIL + edge[:, None] * (iris - PUPIL)
    inside = 1.0 - smoothstep(rim - 0.2, rim + 0.2, r)
    return inside[:, None] * (iris - sclera)
