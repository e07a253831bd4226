"""numba kernels of the CPU rasteriser: a supersampled z-buffer and its per-pixel resolve.

Coordinates: the cell grid is the image grid refined ``s`` times in each direction; cell
(r, c) has its centre at ``((c + 0.5) / s, (r + 0.5) / s)`` in image coordinates (origin
top-left, v down). A cell holds one sample at its centre (an ``s x s`` grid; for odd ``s``
a pixel's middle sample sits on its centre) or, with ``s = 1``, a stamp of samples at
fixed offsets from it (the rotated grid; see ``rasterize``).

Depth test: the larger ``1 / z`` wins (``z = -Z``, distance along the camera axis);
``1 / z`` is affine in screen space, so interpolating it with screen-space weights is
exact, and perspective-correct attributes follow from it. Ties on shared edges follow
one rule per edge direction, so a closed mesh has no gaps and no doubly covered samples.
Sample-space vertex positions are snapped to 1/4096 of a sample, which makes every edge
function exact in float64 (products stay below 2**53 within 4096 samples of the origin:
1024 px at 4x4 supersampling).
Back faces (clockwise on screen) are culled, as pyrender's single-sided materials do.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# numba writes compiled code next to this file (``__pycache__``) or, where that is not
# writable, under the user's cache directory (numba's UserWideCacheLocator).
_SNAP = 4096.0
_TIE = 2.0**-25  # half the resolution of edge-function values (see ``rasterize``)
# A depth step between a pixel's samples larger than this many pixel widths is a silhouette.
_STEP = 3.0
# Triangle boxes at most this many samples wide test every sample of a row.
_NARROW = 8
_JIT = {"cache": True, "nogil": True, "fastmath": False, "boundscheck": False}


@njit(**_JIT)
def project(vertices, fx, fy, cx, cy, s, near, xyz):  # pragma: no cover - jitted
    """Camera-space vertices -> rows of sample-space x, y and 1/z (-1 behind the near plane).

    Returns the sample-space bounding box (x0, y0, x1, y1) of the vertices in front.
    """
    x0, y0, x1, y1 = np.inf, np.inf, -np.inf, -np.inf
    for i in range(vertices.shape[0]):
        z = -np.float64(vertices[i, 2])
        if z < near:
            xyz[i, 0], xyz[i, 1], xyz[i, 2] = 0.0, 0.0, -1.0
            continue
        iz = 1.0 / z
        # snapped to 1/4096 sample: edge functions are then exact in float64 (watertight)
        x = np.round((cx + fx * vertices[i, 0] * iz) * s * _SNAP) / _SNAP
        y = np.round((cy - fy * vertices[i, 1] * iz) * s * _SNAP) / _SNAP
        xyz[i, 0], xyz[i, 1], xyz[i, 2] = x, y, iz
        x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    return x0, y0, x1, y1


@njit(**_JIT)
def _includes_edge(dx, dy):  # pragma: no cover - jitted
    """Fill rule for samples exactly on an edge of direction (dx, dy)."""
    return dy > 0.0 or (dy == 0.0 and dx < 0.0)


@njit(inline="always", **_JIT)
def _reciprocal(step):  # pragma: no cover - jitted
    """``1 / step`` (0 for a zero step): multiplying by it is cheaper than dividing per row."""
    return 1.0 / step if step != 0.0 else 0.0


@njit(inline="always", **_JIT)
def _steps_outside(w, step, inv):  # pragma: no cover - jitted
    """Column steps that surely stay outside the edge with value ``w`` and step ``step``
    (reciprocal ``inv``) along the row (a huge number when the whole row is outside).

    The product's rounding is far below the one step of margin kept."""
    if w > 0.0:
        return 0
    if step <= 0.0:
        return 1 << 30
    return max(0, int(-w * inv) - 1)


@njit(inline="always", **_JIT)
def _steps_inside(w, step, inv):  # pragma: no cover - jitted
    """Column steps after which the edge with value ``w`` and step ``step`` (reciprocal
    ``inv``) along the row has surely been left for good (a huge number when it never is)."""
    if step >= 0.0:
        return 1 << 30
    return max(0, int(-w * inv) + 1)


@njit(**_JIT)
def clear(zbuf, idbuf, r0, r1, c0, c1):  # pragma: no cover - jitted
    """Empty the samples rows r0..r1, cols c0..c1 (1/z 0, no triangle)."""
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            zbuf[r, c] = 0.0
            idbuf[r, c] = -1


@njit(**_JIT)
def tile_floor(zbuf, r0, r1, c0, c1, tile, lanes, out):  # pragma: no cover - jitted
    """``out[i, j]``: the smallest 1/z of the ``tile x tile`` cells (``lanes`` buffer
    columns each) from (r0 + i * tile, c0 + j * tile), within cell rows r0..r1 and cols
    c0..c1 (0 where a sample is empty)."""
    out[:] = np.inf
    for r in range(r0, r1 + 1):
        i = (r - r0) // tile
        for j in range(out.shape[1]):
            low = out[i, j]
            start = (c0 + j * tile) * lanes
            for c in range(start, min(start + tile * lanes, (c1 + 1) * lanes)):
                low = min(low, zbuf[r, c])
            out[i, j] = low


@njit(**_JIT)
def rasterize(
    xyz, triangles, t0, t1, windows, wbuf, zbuf, idbuf, stamp, r0, r1, c0, c1, floor, tile
):  # pragma: no cover - jitted
    """Z-buffer front-facing triangles t0..t1-1 into the cells rows r0..r1, cols c0..c1.

    Each cell (r, c) of the grid holds ``P = len(stamp)`` samples, at ``stamp[p]`` (x, y;
    multiples of 1/16) from its centre (c + 0.5, r + 0.5), in buffer row r, col c P + p
    (a plain grid of samples has one, at the centre). A triangle with window bits
    ``windows[t] != 0`` is drawn only at samples where ``wbuf`` holds one of those bits
    (see ``render/windows``). With a non-empty ``floor`` (``tile_floor`` of the buffer so
    far, in tiles of ``tile`` cells) a triangle no nearer than the floor of every tile its
    box touches is skipped: it would lose every depth test there.
    """
    lift = np.empty((stamp.shape[0], 4))
    span = np.empty(6)
    reach = 0.0
    for p in range(stamp.shape[0]):
        reach = max(reach, abs(stamp[p, 0]), abs(stamp[p, 1]))
    for t in range(t0, t1):
        i0, i1, i2 = triangles[t, 0], triangles[t, 1], triangles[t, 2]
        ax, ay, za = xyz[i0, 0], xyz[i0, 1], xyz[i0, 2]
        bx, by, zb = xyz[i1, 0], xyz[i1, 1], xyz[i1, 2]
        qx, qy, zq = xyz[i2, 0], xyz[i2, 1], xyz[i2, 2]
        if za <= 0.0 or zb <= 0.0 or zq <= 0.0:
            continue
        area = (bx - ax) * (qy - ay) - (by - ay) * (qx - ax)
        # counter-clockwise in camera space (y up) is clockwise on screen (y down): area < 0
        if area >= 0.0:
            continue
        # swap b and q so that the screen orientation is positive
        bx, by, qx, qy, zb, zq = qx, qy, bx, by, zq, zb
        area = -area
        # the cells with a sample the triangle can cover
        cmin = max(c0, int(np.ceil(min(ax, bx, qx) - 0.5 - reach)))
        cmax = min(c1, int(np.floor(max(ax, bx, qx) - 0.5 + reach)))
        rmin = max(r0, int(np.ceil(min(ay, by, qy) - 0.5 - reach)))
        rmax = min(r1, int(np.floor(max(ay, by, qy) - 0.5 + reach)))
        if cmin > cmax or rmin > rmax:
            continue
        if floor.shape[0] and _hidden(floor, tile, max(za, zb, zq), rmin - r0, rmax - r0,
                                      cmin - c0, cmax - c0):  # fmt: skip
            continue
        need = windows[t]
        # Edge functions are multiples of 2**-24 (exact products of two 2**-12 grids), so
        # adding half a unit to an edge that keeps its ties turns the fill rule into "> 0".
        bias_a = _TIE if _includes_edge(qx - bx, qy - by) else 0.0  # edge b->q, opposite a
        bias_b = _TIE if _includes_edge(ax - qx, ay - qy) else 0.0  # edge q->a, opposite b
        bias_q = _TIE if _includes_edge(bx - ax, by - ay) else 0.0  # edge a->b, opposite q
        inv_area = 1.0 / area
        # edge functions at the first cell centre of the box, and their steps along a row / column
        px, py = cmin + 0.5, rmin + 0.5
        ea = (qx - bx) * (py - by) - (qy - by) * (px - bx)
        eb = (ax - qx) * (py - qy) - (ay - qy) * (px - qx)
        eq = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
        da_c, db_c, dq_c = -(qy - by), -(ay - qy), -(by - ay)
        da_r, db_r, dq_r = qx - bx, ax - qx, bx - ax
        # 1/z is affine on the screen: its value at the box start and its steps
        iz_row = (ea * za + eb * zb + eq * zq) * inv_area
        iz_c = (da_c * za + db_c * zb + dq_c * zq) * inv_area
        iz_r = (da_r * za + db_r * zb + dq_r * zq) * inv_area
        # each sample's edge values and 1/z relative to its cell centre's (exact for the edges)
        for p in range(stamp.shape[0]):
            ox, oy = stamp[p, 0], stamp[p, 1]
            lift[p, 0] = da_c * ox + da_r * oy
            lift[p, 1] = db_c * ox + db_r * oy
            lift[p, 2] = dq_c * ox + dq_r * oy
            lift[p, 3] = iz_c * ox + iz_r * oy
        # the most and least any sample lifts each edge: spans are found for the best sample
        for e in range(3):
            span[e], span[e + 3] = lift[0, e], lift[0, e]
            for p in range(1, stamp.shape[0]):
                span[e], span[e + 3] = max(span[e], lift[p, e]), min(span[e + 3], lift[p, e])
        ma, mb, mq = span[0], span[1], span[2]
        # Scan lines along the box's longer side: strands are long and thin, and each line
        # costs a set-up. Every sample's test is the same in either order.
        vertical = rmax - rmin > cmax - cmin
        if vertical:  # lines are columns, stepping down the rows
            o0, o1, k0, k1 = cmin, cmax, rmin, rmax
            la, lb, lq, liz, oa, ob, oq, oiz = da_r, db_r, dq_r, iz_r, da_c, db_c, dq_c, iz_c
        else:
            o0, o1, k0, k1 = rmin, rmax, cmin, cmax
            la, lb, lq, liz, oa, ob, oq, oiz = da_c, db_c, dq_c, iz_c, da_r, db_r, dq_r, iz_r
        n = k1 - k0
        wide = n > _NARROW
        inv_a, inv_b, inv_q = _reciprocal(la), _reciprocal(lb), _reciprocal(lq)
        wa, wb, wq = ea + bias_a, eb + bias_b, eq + bias_q
        for o in range(o0, o1 + 1):
            skip, last = 0, n
            if wide:
                # skip to just before the line's span (narrow boxes test every cell:
                # cheaper than finding the span)
                skip = max(_steps_outside(wa + ma, la, inv_a), _steps_outside(wb + mb, lb, inv_b),
                           _steps_outside(wq + mq, lq, inv_q))  # fmt: skip
                last = min(_steps_inside(wa + ma, la, inv_a), _steps_inside(wb + mb, lb, inv_b),
                           _steps_inside(wq + mq, lq, inv_q), n)  # fmt: skip
            if skip <= last:
                _line(
                    zbuf, idbuf, wbuf, need, t, o, vertical, lift, span, k0 + skip, k0 + last,
                    wa + skip * la, wb + skip * lb, wq + skip * lq, iz_row + skip * liz,
                    la, lb, lq, liz,
                )  # fmt: skip
            wa += oa
            wb += ob
            wq += oq
            iz_row += oiz


@njit(inline="always", **_JIT)
def _hidden(floor, tile, near, i0, i1, j0, j1):  # pragma: no cover - jitted
    """Whether 1/z ``near`` is below the floor of every tile over box-relative sample rows
    i0..i1, cols j0..j1 (with a margin far above the rounding of interpolated 1/z)."""
    near *= 1.0 + 1e-6
    for i in range(i0 // tile, i1 // tile + 1):
        for j in range(j0 // tile, j1 // tile + 1):
            if near > floor[i, j]:
                return False
    return True


@njit(inline="always", **_JIT)
def _line(
    zbuf, idbuf, wbuf, need, t, o, vertical, lift, span, k0, k1, wa, wb, wq, iz, da, db, dq, diz
):  # pragma: no cover - jitted
    """Z-test triangle ``t`` at cells k0..k1 of cell row ``o`` (column, ``vertical``): at
    each sample ``p`` where its cell's edge values ``wa, wb, wq`` (steps ``da, db, dq``)
    lifted by ``lift[p]`` are all positive (``span``: each edge's largest and smallest lift,
    to settle a cell with no sample or every sample inside in one test)."""
    lanes = lift.shape[0]
    ma, mb, mq, na, nb, nq = span[0], span[1], span[2], span[3], span[4], span[5]
    entered = False
    for k in range(k0, k1 + 1):
        inside = wa + ma > 0.0 and wb + mb > 0.0 and wq + mq > 0.0
        if inside:
            r, c = (k, o) if vertical else (o, k)
            every = wa + na > 0.0 and wb + nb > 0.0 and wq + nq > 0.0
            for p in range(lanes):
                if every or (
                    wa + lift[p, 0] > 0.0 and wb + lift[p, 1] > 0.0 and wq + lift[p, 2] > 0.0
                ):
                    z = iz + lift[p, 3]
                    cp = c * lanes + p
                    if z > zbuf[r, cp] and (need == 0 or wbuf[r, cp] & need):
                        zbuf[r, cp] = z
                        idbuf[r, cp] = t
        if inside:
            entered = True
        elif entered:
            # the cells passing the largest lifts' test (the triangle widened by them,
            # convex) are one span of the line: past its end
            break
        wa += da
        wb += db
        wq += dq
        iz += diz


@njit(**_JIT)
def fill_window(polygon, bit, lattice, offsets, wbuf, i0, i1, j0, j1):  # pragma: no cover - jitted
    """Set ``bit`` in ``wbuf`` at every sample of the pixels (rows i0..i1, cols j0..j1)
    whose centre lies inside ``polygon``.

    ``polygon`` is ``(P, 2)`` in image coordinates; the even-odd test at the pixel centre
    is evaluated as ``model.outlines.inside_polygon`` does, and every sample of a pixel
    takes its centre's answer, so a pixel's label agrees with that test for any sample
    pattern (as the pyrender backend's per-fragment test does). A pixel's samples are
    ``offsets`` from its base sample (``lattice``, see ``resolve``).
    """
    n = polygon.shape[0]
    for i in range(i0, i1 + 1):
        y = i + 0.5
        for j in range(j0, j1 + 1):
            x = j + 0.5
            inside = False
            for k in range(n):
                x0, y0 = polygon[k, 0], polygon[k, 1]
                x1, y1 = polygon[(k + 1) % n, 0], polygon[(k + 1) % n, 1]
                if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
            if inside:
                br, bc = _base(lattice, i, j)
                for k in range(offsets.shape[0]):
                    wbuf[br + offsets[k, 0], bc + offsets[k, 1]] |= bit


@njit(inline="always", **_JIT)
def _base(lattice, i, j):  # pragma: no cover - jitted
    """The base sample (row, col) of pixel (i, j): ``lattice`` is (ri, rj, rb, ci, cj, cb)
    with row ``ri i + rj j + rb`` and col ``ci i + cj j + cb``."""
    return lattice[0] * i + lattice[1] * j + lattice[2], lattice[3] * i + lattice[4] * j + lattice[
        5
    ]


@njit(inline="always", **_JIT)
def _weights(xyz, triangles, t, px, py):  # pragma: no cover - jitted
    """``1 / z`` and the perspective-correct barycentrics of sample-space point (px, py).

    Evaluated on the triangle's plane, so also valid (extrapolated) outside the triangle.
    """
    i0, i1, i2 = triangles[t, 0], triangles[t, 1], triangles[t, 2]
    ax, ay, bx, by = xyz[i0, 0], xyz[i0, 1], xyz[i1, 0], xyz[i1, 1]
    qx, qy = xyz[i2, 0], xyz[i2, 1]
    area = (bx - ax) * (qy - ay) - (by - ay) * (qx - ax)
    la = ((qx - bx) * (py - by) - (qy - by) * (px - bx)) / area
    lb = ((ax - qx) * (py - qy) - (ay - qy) * (px - qx)) / area
    lq = 1.0 - la - lb
    wa, wb, wq = la * xyz[i0, 2], lb * xyz[i1, 2], lq * xyz[i2, 2]
    iz = wa + wb + wq
    return iz, wa / iz, wb / iz, wq / iz


@njit(**_JIT)
def resolve(
    xyz,
    triangles,
    labels,
    colors,
    idbuf,
    zbuf,
    lattice,
    offsets,
    scale,
    positions,
    order,
    centre,
    fx,
    r0,
    r1,
    c0,
    c1,
    color,
    alpha,
    mask,
    depth,
    tri_id,
    bary,
):  # pragma: no cover - jitted
    """Per pixel in rows r0..r1, cols c0..c1: coverage, resolved colour, exact labels.

    Pixel (i, j) owns the samples ``offsets`` (buffer (d_row, d_col) from its base sample,
    ``_base``); in sample space (image space times ``scale``) they lie at ``positions``
    (x, y) from the pixel's corner, and its centre at ``centre``; ``order`` lists them by
    distance to the centre.
    ``alpha`` is the covered fraction of its ``n`` samples. Where ``alpha >= 0.5`` the
    pixel belongs to the triangle of the covered sample nearest the pixel centre:
    ``tri_id``, ``mask`` (its label), ``depth`` (its plane at the pixel centre) and
    ``bary`` (its weights there, clamped into the triangle) come from it; elsewhere they
    stay background. ``color`` is that triangle's colour at the centre when one continuous
    surface covers the pixel; at a silhouette (partial coverage, or a depth step of more
    than ``_STEP`` pixel widths between samples) it is the mean colour of the covered
    samples, each triangle evaluated once at its samples' centroid.
    """
    n = offsets.shape[0]
    ids = np.empty(n, dtype=np.int32)
    counts = np.empty(n, dtype=np.int32)
    sum_x = np.empty(n, dtype=np.float64)
    sum_y = np.empty(n, dtype=np.float64)
    for i in range(r0, r1 + 1):
        for j in range(c0, c1 + 1):
            br, bc = _base(lattice, i, j)
            covered = 0
            iz_min, iz_max = np.inf, 0.0
            for k in range(n):
                sr, sc = br + offsets[k, 0], bc + offsets[k, 1]
                if idbuf[sr, sc] >= 0:
                    covered += 1
                    iz_min = min(iz_min, zbuf[sr, sc])
                    iz_max = max(iz_max, zbuf[sr, sc])
            if covered == 0:
                continue
            alpha[i, j] = covered / n
            if 2 * covered >= n:
                t, kk = -1, 0
                for k in order:
                    t, kk = idbuf[br + offsets[k, 0], bc + offsets[k, 1]], k
                    if t >= 0:
                        break
                iz, w0, w1, w2 = _weights(
                    xyz, triangles, t, j * scale + centre[0], i * scale + centre[1]
                )
                a, b, q = triangles[t, 0], triangles[t, 1], triangles[t, 2]
                for ch in range(3):
                    v = w0 * colors[a, ch] + w1 * colors[b, ch] + w2 * colors[q, ch]
                    color[i, j, ch] = min(max(v, 0.0), 1.0)
                tri_id[i, j] = t
                mask[i, j] = labels[t]
                depth[i, j] = 1.0 / iz
                if not iz > 0.0:
                    # a grazing plane seen past its edge: take the covered sample's depth
                    sx, sy = j * scale + positions[kk, 0], i * scale + positions[kk, 1]
                    depth[i, j] = 1.0 / _weights(xyz, triangles, t, sx, sy)[0]
                # attribute weights: the centre's, clamped into the triangle
                w0, w1, w2 = max(w0, 0.0), max(w1, 0.0), max(w2, 0.0)
                total = w0 + w1 + w2
                bary[i, j, 0], bary[i, j, 1], bary[i, j, 2] = w0 / total, w1 / total, w2 / total
                if covered == n and iz_max - iz_min <= _STEP * iz_max / fx:
                    continue
            groups = 0
            for k in range(n):
                sr, sc = br + offsets[k, 0], bc + offsets[k, 1]
                t = idbuf[sr, sc]
                if t < 0:
                    continue
                g = 0
                while g < groups and ids[g] != t:
                    g += 1
                if g == groups:
                    ids[g], counts[g], sum_x[g], sum_y[g] = t, 0, 0.0, 0.0
                    groups += 1
                counts[g] += 1
                sum_x[g] += j * scale + positions[k, 0]
                sum_y[g] += i * scale + positions[k, 1]
            acc0, acc1, acc2 = 0.0, 0.0, 0.0
            for g in range(groups):
                t = ids[g]
                px, py = sum_x[g] / counts[g], sum_y[g] / counts[g]
                _, w0, w1, w2 = _weights(xyz, triangles, t, px, py)
                a, b, q = triangles[t, 0], triangles[t, 1], triangles[t, 2]
                f = counts[g] / covered
                acc0 += f * (w0 * colors[a, 0] + w1 * colors[b, 0] + w2 * colors[q, 0])
                acc1 += f * (w0 * colors[a, 1] + w1 * colors[b, 1] + w2 * colors[q, 1])
                acc2 += f * (w0 * colors[a, 2] + w1 * colors[b, 2] + w2 * colors[q, 2])
            color[i, j, 0] = min(max(acc0, 0.0), 1.0)
            color[i, j, 1] = min(max(acc1, 0.0), 1.0)
            color[i, j, 2] = min(max(acc2, 0.0), 1.0)
