"""ICT-FaceKit's texture coordinates, packed into one square atlas for morphgen.

ICT's OBJ files carry per-corner UVs (``vt`` lines, ``f v/vt`` faces) in UDIM tiles: tile 0
(u in [0, 1)) holds the face and, overlapping it, each eyeball's own layout; tile 1 the back
of the head, the neck and the sockets; tiles 2 and 3 the gums and teeth (facts read from
``generic_neutral_mesh.obj``; README, "The default model"). morphgen textures one square
image per identity, so the tiles that carry procedural detail get a slot each, and the
rest (mouth parts) point at one plain texel whose value is 1 (no modulation):

| slot | what | square, in atlas units (u, v, size) |
|---|---|---|
| face | skin in tile 0 | (0, 0, 0.75) |
| head | skin and sockets in tile 1 | (0.75, 0, 0.25) |
| left / right sclera | each eyeball's tile-0 layout | (0.75, 0.25, 0.25) / (0.75, 0.5, 0.25) |
| plain | gums, teeth, the rest | the point (0.875, 0.875) |

Atlas ``v`` runs down the texture's rows (OBJ ``v`` runs up).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from morphgen.errors import MorphgenError

FACE_SLOT = (0.0, 0.0, 0.75)
HEAD_SLOT = (0.75, 0.0, 0.25)
SCLERA_SLOTS = {"left": (0.75, 0.25, 0.25), "right": (0.75, 0.5, 0.25)}
PLAIN_POINT = (0.875, 0.875)


def read_obj_corner_uvs(path: Path) -> np.ndarray | None:
    """Per-corner OBJ UVs ``(M, 3, 2)`` in ``read_obj_triangles``' fan order; None if absent."""
    data = path.read_bytes()
    texcoords, faces = [], []
    for line in data.split(b"\n"):
        if line.startswith(b"vt "):
            texcoords.append(line[3:].split()[:2])
        elif line.startswith(b"f "):
            faces.append(line[2:])
    if not texcoords:
        return None
    try:
        table = np.array(texcoords, dtype=np.float64)
        corners = []
        for line in faces:
            idx = [int(tok.split(b"/")[1]) - 1 for tok in line.split()]
            corners.extend((idx[0], idx[i], idx[i + 1]) for i in range(1, len(idx) - 1))
    except (ValueError, IndexError):
        raise MorphgenError(
            f"{path}: unparsable texture coordinates (expected 'vt u v' lines and 'f v/vt ...')"
        ) from None
    index = np.array(corners, dtype=np.int64)
    if index.min() < 0 or index.max() >= len(table):
        raise MorphgenError(f"{path}: face texture indices outside 1..{len(table)}")
    return table[index]


def pack_atlas(obj_uv: np.ndarray, kinds: np.ndarray, sides: np.ndarray) -> np.ndarray:
    """ICT's per-corner UDIM UVs ``(M, 3, 2)`` -> atlas UVs (see the module docstring).

    ``kinds`` is each triangle's part kind, ``sides`` +1 for the subject's left, -1 right.
    """
    out = np.empty_like(obj_uv, dtype=np.float32)
    out[:] = PLAIN_POINT
    tile = np.floor(obj_uv[:, :, 0].min(axis=1)).astype(np.int64)
    frac = np.array(obj_uv, dtype=np.float64)
    frac[..., 0] -= tile[:, None]
    skin = np.isin(kinds, ("skin", "eye_socket", "mouth_socket"))
    targets = [(skin & (tile == 0), FACE_SLOT), (skin & (tile == 1), HEAD_SLOT)]
    for side, sign in (("left", 1), ("right", -1)):
        targets.append(((kinds == "sclera") & (sides == sign), SCLERA_SLOTS[side]))
    for where, (u0, v0, size) in targets:
        f = np.clip(frac[where], 0.0, 1.0)
        out[where, :, 0] = u0 + size * f[..., 0]
        out[where, :, 1] = v0 + size * (1.0 - f[..., 1])
    return out
