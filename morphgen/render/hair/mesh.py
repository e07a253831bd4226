"""Hair geometry as layers: strand ribbons over an opaque shell, coloured per vertex.

The shell is the scalp where hair grows, lifted along its normals (tapering to almost
nothing at the hairline) so that the scalp never shows through the strands. Each strand is
a ribbon lying in the hair volume's surface, narrowing to its tip; its colour runs from a
dark root to a lighter tip and darkens with depth in the volume (self-shadowing), each
strand a little lighter or darker than the next. A ribbon stands for a lock of many hairs, so
greying mixes into it: each lock's share of unpigmented hairs scatters around the head's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from morphgen.colour import GREY_HAIR, hair_albedo
from morphgen.labels import LABEL_IDS
from morphgen.render.hair.grow import (
    PROFILES,
    Profile,
    Strands,
    grow,
    hang_y,
    root_mask,
    subdivide,
)
from morphgen.render.hair.head import Head
from morphgen.render.layers import Layer
from morphgen.scene import HairParams

HAIR = LABEL_IDS["hair"]
HAIRLINE_TAPER_MM = 12.0  # the shell rises from the hairline over this plus its height
SHINE = 0.22  # strand highlight strength
DETAIL_PX = 256  # image size at which strands have their profile's count and width
HANG_WIDTH = 1.6  # hanging strands' width, times their width over the head
# A fringe lies over the forehead, where no shell is: its strands are joined side by side
# into a darker sheet this far under them, between neighbours (by angle round the head) at
# most SHEET_GAP_MM apart, so that the skin shows only past its uneven lower edge.
SHEET_DEPTH_MM = 0.6
SHEET_LIFT_MM = 0.25  # and at least this far off the head
SHEET_GAP_MM = 10.0
SHEET_SHADE = 0.6
COARSE_LEVEL = 1.0  # up to this detail, uncurled strands keep every other point
FULL_LEVEL = 2.0  # from this detail (512 px) strands have their count per level
LOCK_HAIRS = 6.0  # a lock's grey share is Beta-distributed with this concentration
SHELL_PUSH_MM = 1.5  # the most the hair shell's collision push may move a vertex
MIN_SHARE = 0.35  # the fewest strands, as a share of the profile's count (4x wide: coarse)
# Up to COARSE_LEVEL a ribbon is a few pixels wide and the strands cover the hair tens of
# times over, 2% of their samples seen (scripts/hair_overdraw.py): only this outer share of
# them by layer height is grown; the inner ones lie under it from any side.
OUTER_SHARE = 0.5
# points per curl turn at 512 px (detail 2), falling to none added at 256 px and below, where
# a curl is a few pixels across and its grown points suffice
TURN_POINTS = 8.0


def detail(width: int, height: int) -> float:
    """Strand detail for an image size: 1 at 256 px, between 0.5 and 2."""
    return float(np.clip(max(width, height) / DETAIL_PX, 0.5, 2.0))


def strand_share(level: float, curled: bool) -> float:
    """The share of a profile's strands drawn at detail ``level`` (each that much wider).

    ``level`` itself for curled strands (a curl as wide as its radius would smear). For
    straight ones: at 512 px (level 2) and above the same; below, the count falls with the
    square of the image size, to at least ``MIN_SHARE``: a strand there is a pixel or two
    wide, and half as many twice as wide cover the same and look the same."""
    if curled:
        return level
    return max(MIN_SHARE, min(level, FULL_LEVEL) ** 2 / FULL_LEVEL)


def hair_layers(head: Head | None, p: HairParams, level: float = 1.0) -> list[Layer]:
    """The layers of hairstyle ``p`` on ``head`` (none for bald, shaved or no scalp).

    ``level`` (``detail``) sets the share of the profile's strands (``strand_share``),
    each that much wider, so that coverage stays at any image size."""
    prof = PROFILES.get(p.style)
    if head is None or prof is None:
        return []
    curled = p.curl > 0 or prof.kink > 0
    share = strand_share(level, curled)
    prof = replace(
        prof,
        strands=int(prof.strands * share),
        width_mm=prof.width_mm / share,
        turn_points=TURN_POINTS * max(0.0, level - COARSE_LEVEL),
    )
    rng = np.random.default_rng([int(p.seed), 16])
    colour = hair_albedo(p.eumelanin, p.pheomelanin)
    shell_colour = (1.0 - p.grey) * colour + p.grey * GREY_HAIR
    layers = [_shell(head, p, prof, shell_colour)]
    strands = grow(head, p, prof, rng, OUTER_SHARE if level <= COARSE_LEVEL else 1.0)
    if strands is not None:
        # uncurled strands at up to 256 px look the same with half their segments
        coarse = level <= COARSE_LEVEL and not curled
        if not curled and strands.fringe.any():
            fringe = strands.points[strands.fringe]
            layers.append(_fringe_sheet(head, fringe, shell_colour, coarse))
        layers.append(_ribbons(head, strands, prof, colour, p.grey, rng, coarse))
    return [layer for layer in layers if layer.n_triangles]


def scalp_tint(
    head: Head | None, p: HairParams, albedo: np.ndarray, ids: np.ndarray | None = None
) -> np.ndarray:
    """The head's albedo with the hair-growing scalp darkened towards the hair colour
    (stubble on a shaved head; roots where strands part); ``ids``: the head's vertex of
    each albedo row, where the albedo is a drawn model's (``model.reduce``)."""
    if head is None or p.style == "none":
        return albedo
    grows = np.zeros(len(head.vertices), dtype=bool)
    idx = head.scalp_corners
    grows[idx] = root_mask(head, head.vertices[idx], head.front_mm[idx], p)
    if ids is not None:
        grows = grows[ids]
    share = 0.3 if p.style == "shaved" else 0.75
    out = albedo.copy()
    out[grows] = (1 - share) * albedo[grows] + share * hair_albedo(p.eumelanin, p.pheomelanin)
    return out


def _shell(head: Head, p: HairParams, prof: Profile, colour: np.ndarray) -> Layer:
    """The scalp where hair grows, lifted by ``prof.shell * volume`` (plus a floor)."""
    used = head.shell_corners
    grows = np.zeros(len(head.vertices), dtype=bool)
    grows[used] = root_mask(head, head.vertices[used], head.front_mm[used], p)
    tri = head.shell_triangles[grows[head.shell_triangles].all(axis=1)]
    corner = np.zeros(len(head.vertices), dtype=bool)
    corner[tri] = True
    used = np.flatnonzero(corner)  # ascending, as np.unique(tri)
    remap = np.full(len(head.vertices), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    lift = max(p.volume_mm * prof.shell, 0.8 if p.style == "buzz" else 1.5)
    inside = head.front_mm[used] - p.recession_mm
    taper = np.clip(inside / (HAIRLINE_TAPER_MM + lift), 0.0, 1.0)
    height = 0.6 + np.sqrt(taper) * lift
    normals = head.normals[used]
    lifted = head.vertices[used] + normals * height[:, None]
    vertices = head.push_out(lifted, height * 0.5)
    # where a ray from the head's centre meets the ear or jaw further out (low on the sides
    # and at the nape), pushing out would throw the vertex there: a sliver to the shoulder
    thrown = np.linalg.norm(vertices - lifted, axis=1) > SHELL_PUSH_MM
    vertices[thrown] = lifted[thrown]
    shade = 0.6
    rng = np.random.default_rng([int(p.seed), 17])
    jitter = rng.uniform(0.8, 1.2, (len(used), 1))
    albedo = colour * shade * jitter * (0.6 + 0.4 * taper[:, None])
    return Layer(
        vertices.astype(np.float32),
        remap[tri].astype(np.int32),
        normals.astype(np.float32),
        albedo.astype(np.float32),
        HAIR,
        shine=0.0,
        two_sided=False,
    )


def lock_grey(grey: float, count: int, rng: np.random.Generator) -> np.ndarray:
    """Each of ``count`` locks' share of grey hairs, ``grey`` on average: a lock mixes its
    hairs, so salt-and-pepper hair is silver mixed in, not single white strands."""
    if grey <= 0.0 or grey >= 1.0:
        return np.full(count, float(np.clip(grey, 0.0, 1.0)))
    return rng.beta(grey * LOCK_HAIRS, (1.0 - grey) * LOCK_HAIRS, count)


def _every_other(n: int) -> np.ndarray:
    """Indices of every other point of an ``n``-point polyline, both ends kept."""
    return np.unique(np.append(np.arange(0, n, 2), n - 1))


def _fringe_sheet(head: Head, pts: np.ndarray, colour: np.ndarray, coarse: bool) -> Layer:
    """The fringe strands' grown points ``pts`` (F, n, 3), ordered by angle round the head
    and joined into a two-sided sheet between neighbours, ``SHEET_DEPTH_MM`` under them (on
    a spline through them, which the forehead's curve does not cut), off the skin.
    ``coarse``: through the points the coarse strands keep instead (``_ribbons``)."""
    order = np.argsort(np.arctan2(pts[:, 0, 0] - head.centre[0], pts[:, 0, 2] - head.centre[2]))
    pts = pts[order].astype(np.float64)
    sheet = pts[:, _every_other(pts.shape[1])] if coarse else subdivide(pts, 2)
    f, n = sheet.shape[:2]
    normals = head.outward(sheet)
    sheet = head.push_out(sheet - SHEET_DEPTH_MM * normals, SHEET_LIFT_MM)
    # quad (i, k): strands i and i + 1 between points k and k + 1, where both rungs are short
    rung = np.linalg.norm(np.diff(sheet, axis=0), axis=-1) <= SHEET_GAP_MM  # (f - 1, n)
    i, k = np.nonzero(rung[:, :-1] & rung[:, 1:])
    a, b = i * n + k, (i + 1) * n + k
    tris = np.concatenate([np.stack([a, b, b + 1], 1), np.stack([a, b + 1, a + 1], 1)])
    return Layer(
        sheet.reshape(-1, 3).astype(np.float32),
        tris.astype(np.int32).reshape(-1, 3),
        normals.reshape(-1, 3).astype(np.float32),
        np.broadcast_to(colour * SHEET_SHADE, (f * n, 3)).astype(np.float32),
        HAIR,
    )


def _ribbons(
    head: Head, strands: Strands, prof: Profile, colour: np.ndarray, grey: float,
    rng: np.random.Generator, coarse: bool,
) -> Layer:  # fmt: skip
    """Strand centre lines with their widths, narrowing to the tips (ribbons per frame);
    ``coarse`` keeps every other point (half the segments)."""
    pts = strands.points.astype(np.float64)
    if coarse:
        pts = pts[:, _every_other(pts.shape[1])]
    s, n = pts.shape[:2]
    tangent = np.gradient(pts, axis=1)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=-1, keepdims=True), 1e-9)
    t = np.linspace(0.0, 1.0, n)[None, :]
    # narrow at the root, widest where the strand hangs free, narrowing to the tip
    profile = (0.7 + 0.8 * np.sqrt(t)) * (1.0 - 0.7 * t**3)
    # hanging strands lie side by side in a sheet: wider there, so that the sheet closes
    profile = profile * np.where(pts[..., 1] < hang_y(head), HANG_WIDTH, 1.0)
    width = prof.width_mm * profile * rng.uniform(0.7, 1.3, (s, 1))
    base = colour + lock_grey(grey, s, rng)[:, None] * (GREY_HAIR - colour)
    root = 0.35 + 0.65 * np.clip(t / 0.3, 0.0, 1.0)  # shadow at the roots
    depth = 0.5 + 0.5 * strands.layer[:, None]  # inner strands are shadowed by outer ones
    brightness = root * depth * (1.0 + 0.15 * t) * strands.shade[:, None]
    albedo = np.clip(base[:, None, :] * brightness[..., None], 0.0, 1.0)
    k = np.arange(n - 1)
    quad = np.stack([2 * k, 2 * k + 1, 2 * k + 2, 2 * k + 1, 2 * k + 3, 2 * k + 2], axis=1)
    tris = (quad.reshape(1, -1, 3) + (np.arange(s) * 2 * n)[:, None, None]).reshape(-1, 3)
    return Layer(
        pts.reshape(-1, 3).astype(np.float32),
        tris.astype(np.int32),
        head.outward(pts).reshape(-1, 3).astype(np.float32),
        albedo.reshape(-1, 3).astype(np.float32),
        HAIR,
        tangents=tangent.reshape(-1, 3).astype(np.float32),
        shine=SHINE,
        widths=width.reshape(-1).astype(np.float32),
    )
