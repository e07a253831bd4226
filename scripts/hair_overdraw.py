"""How often the hair's strands are drawn over each other, and what their samples become:
``python scripts/hair_overdraw.py [--model PATH] [--size 256] [--identities 48]``.

Captures the frames that ``scripts/profile_render.py --dressed`` draws (the bench config;
the BFM-sized model unless ``--model``), rasterises each as the cpu backend does, and counts,
over every strand triangle, the samples it covers: those behind the head (lost to the head's
depth), behind another strand, behind another layer, and those it is seen at. An independent
point-in-triangle test at each sample counts them (not the rasteriser's own loops), so the
counts are the geometry's, whatever the rasteriser skips.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from profile_render import capture_options
from raster_parts import capture_frames, parts

from morphgen.render import cpu_backend as cb
from morphgen.render import raster_kernels as rk

FATES = ("covered", "behind the head", "behind a strand", "behind another layer", "seen")


@njit(cache=False)
def _fates(xyz, triangles, t0, t1, stamp, head_z, final_z, final_id, out):  # pragma: no cover
    """Add to ``out`` (``FATES``) each sample of triangles t0..t1-1 that they cover."""
    lanes = stamp.shape[0]
    rows, cols = head_z.shape[0], head_z.shape[1] // lanes
    for t in range(t0, t1):
        a, b, q = triangles[t, 0], triangles[t, 1], triangles[t, 2]
        ax, ay, za = xyz[a, 0], xyz[a, 1], xyz[a, 2]
        bx, by, zb = xyz[b, 0], xyz[b, 1], xyz[b, 2]
        qx, qy, zq = xyz[q, 0], xyz[q, 1], xyz[q, 2]
        area = (qx - ax) * (by - ay) - (qy - ay) * (bx - ax)  # positive: front-facing
        if za <= 0.0 or zb <= 0.0 or zq <= 0.0 or area <= 0.0:
            continue
        c0, c1 = max(0, int(min(ax, bx, qx)) - 1), min(cols - 1, int(max(ax, bx, qx)) + 1)
        r0, r1 = max(0, int(min(ay, by, qy)) - 1), min(rows - 1, int(max(ay, by, qy)) + 1)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                for p in range(lanes):
                    x, y = c + 0.5 + stamp[p, 0], r + 0.5 + stamp[p, 1]
                    wa = (bx - qx) * (y - qy) - (by - qy) * (x - qx)
                    wb = (qx - ax) * (y - ay) - (qy - ay) * (x - ax)
                    wq = (ax - bx) * (y - by) - (ay - by) * (x - bx)
                    if wa <= 0.0 or wb <= 0.0 or wq <= 0.0:
                        continue
                    out[0] += 1
                    k = c * lanes + p
                    winner = final_id[r, k]
                    if (wa * za + wb * zb + wq * zq) / area <= head_z[r, k]:
                        out[1] += 1
                    elif winner == t:
                        out[4] += 1
                    elif t0 <= winner < t1:
                        out[2] += 1
                    else:
                        out[3] += 1


def main() -> None:
    args = capture_options(__doc__, identities=48, images=1)
    backend = cb.CpuBackend()
    fates = np.zeros(len(FATES), dtype=np.int64)
    frames = capture_frames(args)
    for frame, (_, layers) in frames:
        pattern = backend.pattern(frame.height, frame.width)
        if pattern.scale != 1:
            raise SystemExit(f"{frame.width} px: expected the rotated grid (at most 384 px)")
        xyz = np.empty((len(frame.vertices), 3))
        vertices = np.ascontiguousarray(frame.vertices, dtype=np.float32)
        rk.project(vertices, frame.fx, frame.fy, frame.cx, frame.cy, 1, frame.near, xyz)
        triangles = np.ascontiguousarray(frame.triangles, dtype=np.int32)
        zbuf, idbuf = backend._buffers(pattern)
        box = (0, frame.height - 1, 0, frame.width - 1)
        rk.clear(zbuf, idbuf, 0, frame.height - 1, 0, zbuf.shape[1] - 1)
        windows = backend._window_bits(frame, pattern, box)
        args_ = (windows, backend._wbuf, zbuf, idbuf, pattern.stamp, *box, cb._NO_FLOOR, 1)
        head = cb._head_triangles(frame.triangle_labels)
        rk.rasterize(xyz, triangles, 0, head, *args_)
        head_z = zbuf.copy()
        rk.rasterize(xyz, triangles, head, len(triangles), *args_)
        for name, first, end in parts(head, layers):
            if name == "strands":
                _fates(xyz, triangles, first, end, pattern.stamp, head_z, zbuf, idbuf, fates)
    n = len(frames)
    print(f"{n} frames, {frames[0][0].width} px; strand samples per frame:")
    for name, count in zip(FATES, fates, strict=True):
        print(f"  {name:<22} {count / n:10.0f}  ({100 * count / max(fates[0], 1):.1f}%)")


if __name__ == "__main__":
    main()
