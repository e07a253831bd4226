"""Strand growth: an identity's hairstyle as polylines rooted on its scalp.

Roots are spread over the scalp triangles by area, minus what the hairline recession and a
bald crown remove. Each strand leaves the scalp along a combing direction (back, to the
sides of a parting, or forward for the fringe), bends under gravity, and is kept outside
the head by the radial collision map at its own layer height (strands stack into a volume).
Short styles hug the head; long ones hang; a ponytail or bun gathers every strand at one
point on the back of the head; curls and afro coils are a helix around the strand's path.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from morphgen.render.hair.head import Head
from morphgen.render.normals import triangle_areas
from morphgen.scene import HairParams

UP = np.array([0.0, 1.0, 0.0])
ROOT_LIFT_MM = 0.8  # the innermost layer's height above the scalp
# A strand lies on the hair that it passes over, so it stands off the scalp only as far as
# that hair is thick. Hair combed from the hairline piles up behind it: what passes over a
# point grew within one hair length in front of it, so the hair thickens from the hairline
# to its full volume one length behind it (at most FILL_MM), and each strand rises from its
# root to its layer's height over half its length (at most RISE_MM). A strand at full height
# over sparse hair stands alone: a loop in the air over the head.
RISE_MM = 45.0
FILL_MM = 90.0
# Below the ears hair hangs: each step turns a strand this share of the way to falling
# straight down (tilted out from the head's axis by HANG_OUT), so neighbours fall together.
HANG_TURN = 0.6
HANG_OUT = 0.12
NAPE_MM = 25.0  # roots 25-50 mm below the head's centre turn to combed straight down
CUT_JITTER_MM = 2.0  # how unevenly hair cut to one line ends
CUT_SPARE = 1.25  # hair cut to a line grows this much longer first (the cut takes it back)
FRINGE_EXTRA = 2  # more strands per fringe root, so a fringe is not a comb of lone lines
FRINGE_JITTER_MM = 2.5  # how far apart a fringe root's strands start
# A strand's layer is a uniform draw to this power: most strands lie towards the outside.
LAYER_POWER = 0.7


@dataclass(frozen=True)
class Profile:
    """How a style grows: counts, stiffness and where the strands go."""

    strands: int  # at density 1 over a full scalp
    segments: int
    lift: float  # how steeply a strand leaves the scalp (0 = flat)
    gravity: float  # bend towards -y per mm of length
    hug: bool  # strands above their layer are pulled onto it (down to the ears)
    back: float  # weight of combing backwards (against sideways from the parting)
    curl_radius_mm: float  # helix radius at curl = 1
    curl_wavelength_mm: float
    width_mm: float  # ribbon width at the root
    shell: float  # the opaque base layer's height, as a share of the volume
    gather: str = ""  # "", "ponytail" or "bun"
    kink: float = 0.0  # random change of direction per step (frizz, afro coils)
    turn_points: float = 0.0  # a curled strand has at least this many points per curl turn
    cut: float = 0.0  # share of the hanging strands cut level at one height (a blunt edge)


PROFILES: dict[str, Profile] = {
    "buzz": Profile(0, 1, 0.0, 0.0, False, 1.0, 0.0, 1.0, 1.0, 1.0),
    "short": Profile(1300, 5, 0.35, 0.004, True, 0.8, 2.5, 14.0, 1.5, 0.45),
    "medium": Profile(1400, 10, 0.3, 0.012, True, 0.5, 3.0, 22.0, 2.0, 0.4, cut=0.4),
    "long": Profile(1400, 12, 0.3, 0.02, True, 0.4, 3.0, 30.0, 2.4, 0.4, cut=0.4),
    "curly": Profile(1100, 16, 0.25, 0.008, True, 0.5, 4.5, 22.0, 2.0, 0.55),
    "afro": Profile(1500, 12, 3.0, 0.0, False, 0.3, 2.5, 9.0, 2.0, 0.8, kink=0.9),
    "ponytail": Profile(1000, 14, 0.1, 0.0, True, 1.0, 3.0, 30.0, 2.0, 0.35, "ponytail"),
    "bun": Profile(1000, 12, 0.1, 0.0, True, 1.0, 2.0, 20.0, 2.0, 0.35, "bun"),
}


@dataclass
class Strands:
    """Grown strands: ``(S, K + 1, 3)`` points, their layer height and fringe flag."""

    points: np.ndarray
    layer: np.ndarray  # (S,) in [0, 1]: 0 next to the scalp, 1 the outermost
    shade: np.ndarray  # (S,) per-strand brightness jitter around 1
    fringe: np.ndarray  # (S,) bool: falls forward over the forehead


def root_mask(head: Head, points: np.ndarray, front_mm: np.ndarray, p: HairParams) -> np.ndarray:
    """Which scalp points grow hair under the hairline recession and crown baldness."""
    rel = points - head.centre
    phi = np.abs(np.arctan2(rel[:, 0], rel[:, 2]))
    temple = np.exp(-(((phi - 0.75) / 0.3) ** 2))  # M-shaped recession at the temples
    keep = front_mm >= p.recession_mm * (1.0 + p.temples * temple)
    if p.crown_mm > 0:
        keep &= np.linalg.norm(points - head.crown, axis=1) >= p.crown_mm
    return keep


def sample_roots(
    head: Head, p: HairParams, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Roots (points, normals, mm behind the hairline) spread by area over the scalp from
    ``count`` candidates, kept where hair grows. The distance is from a receding hairline
    where there is one, so a fringe or the combed-aside front hair starts where hair does."""
    tri = head.scalp_triangles
    area = triangle_areas(head.vertices, tri)
    pick = rng.choice(len(tri), size=count, p=area / area.sum())
    u, v = rng.random(count), rng.random(count)
    flip = u + v > 1
    u[flip], v[flip] = 1 - u[flip], 1 - v[flip]
    w = np.stack([1 - u - v, u, v], axis=1)
    corners = tri[pick]
    points = np.einsum("sk,skc->sc", w, head.vertices[corners])
    normals = np.einsum("sk,skc->sc", w, head.normals[corners])
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-9)
    front = np.einsum("sk,sk->s", w, head.front_mm[corners])
    keep = root_mask(head, points, front, p)
    return points[keep], normals[keep], np.maximum(front[keep] - p.recession_mm, 0.0)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def comb_directions(
    head: Head, roots: np.ndarray, normals: np.ndarray, front: np.ndarray, p: HairParams,
    prof: Profile, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Unit start directions: tangential comb (back or away from the parting) plus lift, and which
    strands are fringe (fall forward over the forehead)."""
    x = roots[:, 0] - head.centre[0]
    part_x = 30.0 * p.parting
    side = np.tanh((x - part_x) / 6.0)[:, None] * np.array([1.0, 0.0, 0.0])
    sideways = 0.35 + 0.65 * min(1.0, abs(p.parting) * 3.0)
    g = prof.back * np.array([0.0, -0.15, -1.0]) + (1.0 - prof.back) * sideways * side * 2.0
    g = g + np.array([0.0, -0.4, 0.0])
    # hair rooted low on the back of the head falls down it, not sideways round to the ears
    low = np.clip((head.centre[1] - roots[:, 1] - NAPE_MM) / NAPE_MM, 0.0, 1.0)[:, None]
    g = g + low * np.array([0.0, -2.0, 0.0])
    front_top = (front < 45.0)[:, None]  # front hair is combed aside, off the face
    g = np.where(front_top, g + side * 1.5 + np.array([0.0, 0.0, -0.5]), g)
    fringe = front < 40.0 * p.fringe
    g[fringe] = side[fringe] * 0.5 + np.array([0.0, -0.7, 1.0])
    g = g + rng.normal(0.0, 0.06, g.shape)  # no two strands quite parallel
    tangent = g - np.sum(g * normals, axis=1, keepdims=True) * normals
    return _unit(_unit(tangent) + prof.lift * normals), fringe


def grow(
    head: Head, p: HairParams, prof: Profile, rng: np.random.Generator, outer: float = 1.0
) -> Strands | None:
    """The strands of hairstyle ``p`` on ``head`` (None when nothing grows); ``outer``: the
    share of them grown, the outermost by layer (the fringe's always)."""
    count = int(prof.strands * p.density)
    if count == 0 or p.length_mm <= 0:
        return None
    roots, normals, front = sample_roots(head, p, count, rng)
    s = len(roots)
    if s == 0:
        return None
    d, fringe = comb_directions(head, roots, normals, front, p, prof, rng)
    if fringe.any():  # a fringe lies over the forehead as a mass: more strands, side by side
        extra = np.repeat(np.flatnonzero(fringe), FRINGE_EXTRA)
        shift = rng.normal(0.0, FRINGE_JITTER_MM, (len(extra), 3)) * [1.0, 0.3, 0.3]
        roots = np.concatenate([roots, roots[extra] + shift])
        d = np.concatenate([d, _unit(d[extra] + rng.normal(0.0, 0.08, (len(extra), 3)))])
        front = np.concatenate([front, front[extra]])
        fringe = np.concatenate([fringe, np.ones(len(extra), dtype=bool)])
        s = len(roots)
    layer = rng.random(s) ** LAYER_POWER
    if outer < 1.0:
        keep = fringe | (layer >= (1.0 - outer) ** LAYER_POWER)
        roots, d, front, fringe, layer = (v[keep] for v in (roots, d, front, fringe, layer))
        s = len(roots)
        if s == 0:
            return None
    height = layer * max(p.volume_mm, 1.0)  # above ROOT_LIFT_MM, where the hair is full
    length = p.length_mm * rng.uniform(0.8, 1.05, s)
    brow = head.brow_y
    blunt = prof.cut > 0 and p.curl <= 0
    if blunt:
        length *= CUT_SPARE
    length[fringe] = np.minimum(length[fringe], 20.0 + front[fringe] * 1.6)
    if prof.gather:
        pts = _gathered(head, roots, ROOT_LIFT_MM + height, p, prof, rng)
    else:
        # hair to be cut grows with as many more steps, each as long as the profile's
        steps = int(np.ceil(prof.segments * CUT_SPARE)) if blunt else prof.segments
        grow_prof = replace(prof, segments=steps)
        pts = _free(head, roots, d, height, length, grow_prof, fringe, brow, p.recession_mm, rng)
        if blunt:
            pts = _cut(head, pts, prof.cut, prof.segments + 1, rng)
    if prof.curl_radius_mm > 0 and p.curl > 0:
        pts = subdivide(pts, _curl_steps(pts, prof))
        pts = _curl(head, pts, p.curl * prof.curl_radius_mm, prof.curl_wavelength_mm, rng)
        pts = head.push_out(pts, 0.5)
    shade = rng.normal(1.0, 0.08, s).clip(0.7, 1.3)
    # gathered hair takes the fringe's strands back with the rest
    return Strands(pts.astype(np.float32), layer, shade, fringe & (not prof.gather))


def hang_y(head: Head) -> float:
    """Height below which hair hangs instead of hugging the head: halfway from the head's
    centre down to the chin (about the ear lobes)."""
    return float(head.centre[1] + 0.5 * (head.chin_y - head.centre[1]))


def _free(
    head: Head, roots: np.ndarray, d: np.ndarray, height: np.ndarray, length: np.ndarray,
    prof: Profile, fringe: np.ndarray, brow: float, recession_mm: float,
    rng: np.random.Generator,
) -> np.ndarray:  # fmt: skip
    """Strands grown step by step: gravity, collision at their layer (``height`` where the hair
    is full, reached from the root; less towards the hairline), hugging the head."""
    k = prof.segments
    pts = np.empty((len(roots), k + 1, 3))
    pts[:, 0] = roots
    step = (length / k)[:, None]
    fill = np.minimum(length, FILL_MM)
    rise_mm = np.minimum(0.5 * length, RISE_MM)
    p = roots.copy()
    face_z = head.centre[2] + 0.2 * (head.front_z - head.centre[2])
    # below the ears hair hangs from the head, not hugging it (hugging led strands round the
    # jaw to the front: whiskers at the cheeks)
    hug_y = hang_y(head)
    for i in range(1, k + 1):
        d = _unit(d - (prof.gravity * step) * UP + prof.kink * rng.normal(size=d.shape))
        if prof.hug:
            d = _hang(head, p, d, hug_y)
        q = p + step * d
        full = np.clip((head.front_at(q) - recession_mm) / fill, 0.0, 1.0)
        rise = np.minimum(1.0, i * step[:, 0] / rise_mm)
        lift = (ROOT_LIFT_MM + height * full) * rise
        if prof.hug:
            ti, pi, r = head.bins(q)
            floor = head.radius[ti, pi] + lift
            near = (r > floor) & (q[:, 1] > hug_y)
            q[near] = head.centre + (q[near] - head.centre) * (floor[near] / r[near])[:, None]
        # long hair frames the face, never falls over it: pushed aside in front of the face
        over = (q[:, 1] < brow) & (q[:, 2] > face_z) & ~fringe
        side = np.where(q[over, 0] >= head.centre[0], 1.0, -1.0)
        away = np.maximum(np.abs(q[over, 0] - head.centre[0]), head.face_half_width)
        q[over, 0] = head.centre[0] + side * away
        q = head.push_out(q, lift)
        moved = q - p  # a collision never throws a strand further than two steps
        far = np.linalg.norm(moved, axis=1, keepdims=True) / (2.0 * step)
        q = np.where(far > 1.0, p + moved / np.maximum(far, 1e-9), q)
        q[fringe] = np.where(q[fringe, 1:2] < brow, p[fringe], q[fringe])
        d = _unit(q - p)
        pts[:, i] = p = q
    return pts


def _cut(
    head: Head, pts: np.ndarray, share: float, points: int, rng: np.random.Generator
) -> np.ndarray:
    """Strands that hang below the height that ``share`` of the hanging tips reach, cut there
    (a few mm of jitter), each then ``points`` points spread along what is left: hair cut to
    one line has a closed lower edge, not the few longest strands as separate lines below it."""
    y = pts[..., 1]
    hanging = y[:, -1] < hang_y(head)
    if not hanging.any():
        return pts
    level = np.percentile(y[hanging, -1], 100.0 * share) + rng.normal(0.0, CUT_JITTER_MM, len(pts))
    seg = np.linalg.norm(np.diff(pts, axis=1), axis=-1)
    arc = np.concatenate([np.zeros((len(pts), 1)), np.cumsum(seg, axis=1)], axis=1)
    below = y < level[:, None]
    first = np.where(below.any(axis=1), below.argmax(axis=1), pts.shape[1])
    cut = (first > 0) & (first < pts.shape[1])
    i = first[cut]
    rows = np.flatnonzero(cut)
    y0, y1 = y[rows, i - 1], y[rows, i]
    share_of_seg = (y0 - level[rows]) / np.maximum(y0 - y1, 1e-9)
    end = arc[:, -1].copy()
    end[rows] = arc[rows, i - 1] + share_of_seg * seg[rows, i - 1]
    return _along(pts, arc, end, points)


def _along(pts: np.ndarray, arc: np.ndarray, end: np.ndarray, points: int) -> np.ndarray:
    """``points`` points spread evenly over the polylines' first ``end`` mm of arc (S,)."""
    n = pts.shape[1]
    target = np.linspace(0.0, 1.0, points)[None, :] * end[:, None]
    j = np.clip((arc[:, None, :] <= target[:, :, None]).sum(axis=-1) - 1, 0, n - 2)
    a0 = np.take_along_axis(arc, j, axis=1)
    a1 = np.take_along_axis(arc, j + 1, axis=1)
    w = np.clip((target - a0) / np.maximum(a1 - a0, 1e-9), 0.0, 1.0)[..., None]
    p0 = np.take_along_axis(pts, j[..., None], axis=1)
    p1 = np.take_along_axis(pts, j[..., None] + 1, axis=1)
    return p0 + w * (p1 - p0)


def _hang(head: Head, p: np.ndarray, d: np.ndarray, hug_y: float) -> np.ndarray:
    """Directions of strands below ``hug_y`` turned towards falling straight down, a little
    out from the head's axis and never forwards: neighbours fall side by side as one mass
    beside and behind the jaw instead of fanning out over the cheeks."""
    below = p[:, 1] < hug_y
    if not below.any():
        return d
    out = p[below] - head.centre
    out[:, 1] = 0.0
    fall = _unit(_unit(out) * HANG_OUT - UP)
    turned = _unit((1.0 - HANG_TURN) * d[below] + HANG_TURN * fall)
    turned[:, 2] = np.minimum(turned[:, 2], 0.0)
    d = d.copy()
    d[below] = _unit(turned)
    return d


def _gathered(
    head: Head, roots: np.ndarray, height: np.ndarray, p: HairParams, prof: Profile,
    rng: np.random.Generator,
) -> np.ndarray:  # fmt: skip
    """Strands pulled over the head to one gathering point, then a tail or a bun."""
    s, k = len(roots), prof.segments
    ka = k // 2
    up = 0.75 if prof.gather == "bun" else 0.05
    direction = _unit(np.array([0.0, up, -1.0]))
    g = head.push_out(head.centre + direction, 4.0)
    t = np.linspace(0.0, 1.0, ka + 1)[None, :, None]
    path = head.centre + _slerp(roots - head.centre, g - head.centre, t)
    path = head.push_out(path, 1.0 + (height[:, None] * 0.3) * (1 - t[..., 0]))
    a = rng.uniform(0, 2 * np.pi, s)
    if prof.gather == "ponytail":
        tail = np.clip(p.length_mm * 0.8, 40.0, 350.0)
        u = np.linspace(0.0, 1.0, k - ka + 1)[1:][None, :]
        axis = np.array([0.0, -1.0, -0.25])
        sway = np.stack([np.zeros_like(u), -u * tail, -tail * 0.35 * np.sin(u * 1.2)], axis=-1)
        r = (6.0 + 10.0 * np.sqrt(rng.random(s)))[:, None] * (1.0 - 0.5 * u)
        b1, b2 = np.array([1.0, 0.0, 0.0]), _unit(np.cross(axis, [1.0, 0.0, 0.0]))
        offs = r[..., None] * (np.cos(a)[:, None, None] * b1 + np.sin(a)[:, None, None] * b2)
        rest = g + sway + offs * np.minimum(1.0, u * 6.0)[..., None]
    else:
        radius = 20.0 + 8.0 * min(1.0, p.length_mm / 300.0)
        centre = g + direction * radius * 0.8
        start = _unit(g - centre)
        b = _unit(np.cross(start, rng.normal(size=(s, 3))))
        ang = np.linspace(0.0, 1.6 * np.pi, k - ka + 1)[1:][None, :, None]
        rr = radius * rng.uniform(0.8, 1.0, s)[:, None, None]
        rest = centre + rr * (np.cos(ang) * start + np.sin(ang) * b[:, None])
    return np.concatenate([path, rest], axis=1)


def _slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Points ``(S, T, 3)`` from ``a`` (S, 3) to ``b`` (3,) around the origin: directions
    interpolated on the sphere, lengths linearly (a path over the head, never through it)."""
    ra, rb = np.linalg.norm(a, axis=1), np.linalg.norm(b)
    ua, ub = a / ra[:, None], b / rb
    omega = np.arccos(np.clip(ua @ ub, -1.0, 1.0))[:, None, None]
    sin = np.maximum(np.sin(omega), 1e-6)
    w0 = np.where(omega > 1e-3, np.sin((1 - t) * omega) / sin, 1 - t)
    w1 = np.where(omega > 1e-3, np.sin(t * omega) / sin, t)
    direction = w0 * ua[:, None] + w1 * ub
    radius = ra[:, None, None] * (1 - t) + rb * t
    return direction * radius


def _curl_steps(pts: np.ndarray, prof: Profile) -> int:
    """Sub-steps per grown segment that give a curl ``prof.turn_points`` points per turn
    (on a strand of the mean segment length)."""
    seg = float(np.linalg.norm(np.diff(pts, axis=1), axis=-1).mean())
    return max(1, int(np.ceil(prof.turn_points * seg / prof.curl_wavelength_mm)))


def subdivide(pts: np.ndarray, steps: int) -> np.ndarray:
    """Polylines ``(S, K + 1, 3)`` with ``steps`` points per segment on a Catmull-Rom spline
    through their points (round where the grown path turns, e.g. an afro's kinks)."""
    if steps <= 1:
        return pts
    ext = np.concatenate([2 * pts[:, :1] - pts[:, 1:2], pts, 2 * pts[:, -1:] - pts[:, -2:-1]], 1)
    p0, p1, p2, p3 = (ext[:, i : i + pts.shape[1] - 1, None] for i in range(4))
    t = (np.arange(steps) / steps)[None, None, :, None]
    out = 0.5 * (
        2 * p1
        + (p2 - p0) * t
        + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
        + (3 * p1 - p0 - 3 * p2 + p3) * t**3
    )
    out = out.reshape(len(pts), -1, 3)
    return np.concatenate([out, pts[:, -1:]], axis=1)


def _curl(
    head: Head, pts: np.ndarray, radius: float, wavelength: float, rng: np.random.Generator
) -> np.ndarray:
    """A helix of ``radius`` around every strand (growing from 0 at the root)."""
    seg = np.linalg.norm(np.diff(pts, axis=1), axis=-1)
    arc = np.concatenate([np.zeros((len(pts), 1)), np.cumsum(seg, axis=1)], axis=1)
    tangent = _unit(np.gradient(pts, axis=1))
    u = head.outward(pts)
    u = _unit(u - np.sum(u * tangent, axis=-1, keepdims=True) * tangent)
    w = np.cross(tangent, u)
    phase = rng.uniform(0, 2 * np.pi, len(pts))[:, None]
    angle = 2 * np.pi * arc / wavelength * rng.uniform(0.8, 1.2, len(pts))[:, None] + phase
    ramp = np.minimum(1.0, arc / 15.0) * radius * rng.uniform(0.6, 1.2, len(pts))[:, None]
    offset = ramp[..., None] * (np.cos(angle)[..., None] * u + np.sin(angle)[..., None] * w)
    return pts + offset
