"""Thread CPU ms per frame of the cpu rasteriser per part of the frame:
``python scripts/raster_parts.py [--model PATH] [--size 256]``.

Captures the frames that ``scripts/profile_render.py --dressed`` draws (the bench config:
hair, accessories, the default appearance; the BFM-sized model unless ``--model``) with
the layers posed into each, then rasterises them again part by part as the backend does
(the head, then the layers culled by the head's depth) and prints each part's time:
the head, the hair's opaque shell, a fringe's sheet, the strands and the other layers (median of
``--rounds`` passes), over all frames and per hairstyle.
"""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
from profile_render import capture_options, render_dressed

from morphgen.labels import LABEL_IDS
from morphgen.render import cpu_backend as cb
from morphgen.render import raster_kernels as rk
from morphgen.render import renderer as renderer_module


def parts(head: int, layers: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """(part, first, end) triangle ranges: the head, then each layer in frame order."""
    out, at = [("head", 0, head)], head
    for name, n in layers:
        out.append((name, at, at + n))
        at += n
    return out


def _part(layer) -> str:
    """Which part of the frame a layer is: the hair's strands, shell or fringe sheet, or other."""
    if layer.label != LABEL_IDS["hair"]:
        return "other"
    if layer.widths is not None:
        return "strands"
    return "sheet" if layer.two_sided else "shell"


def timed_draw(backend: cb.CpuBackend, frame, layers, spent: dict[str, float]) -> None:
    """``CpuBackend.draw``'s rasterisation of ``frame``, timing each part into ``spent``."""
    pattern = backend.pattern(frame.height, frame.width)
    xyz = np.empty((len(frame.vertices), 3))
    vertices = np.ascontiguousarray(frame.vertices, dtype=np.float32)
    bbox = rk.project(vertices, frame.fx, frame.fy, frame.cx, frame.cy, pattern.scale,
                      frame.near, xyz)  # fmt: skip
    pixels = cb._pixel_box(bbox, pattern.scale, frame.height, frame.width)
    if pixels is None:
        return
    zbuf, idbuf = backend._buffers(pattern)
    triangles = np.ascontiguousarray(frame.triangles, dtype=np.int32)
    windows = backend._window_bits(frame, pattern, pixels)
    box = cb._sample_box(pattern.scale, pixels)
    lanes = len(pattern.stamp)
    rk.clear(zbuf, idbuf, box[0], box[1], box[2] * lanes, box[3] * lanes + lanes - 1)
    args = (windows, backend._wbuf, zbuf, idbuf, pattern.stamp, *box)
    floor, tile = cb._NO_FLOOR, 1
    for name, first, end in parts(cb._head_triangles(frame.triangle_labels), layers):
        t = time.thread_time()
        rk.rasterize(xyz, triangles, first, end, *args, floor, tile)
        spent[name] = spent.get(name, 0.0) + time.thread_time() - t
        if name == "head":  # the layers are culled by the head's depth per tile
            tile = pattern.tile
            rows, cols = box[1] - box[0] + 1, box[3] - box[2] + 1
            floor = np.empty((-(-rows // tile), -(-cols // tile)), dtype=np.float32)
            rk.tile_floor(zbuf, *box, tile, lanes, floor)


def capture_frames(args) -> list[tuple]:
    """The frames that ``render_dressed(args)`` draws (not the see-through lenses' extra
    draws), each with its hairstyle and its layers' (part, triangles) in frame order."""
    captured, posed, styles = [], [], []
    pose_layers, draw = renderer_module.pose_layers, cb.CpuBackend.draw
    render_one = renderer_module.Renderer._render_one

    def styled(self, p, *rest):
        styles.append(p.hair.style)
        return render_one(self, p, *rest)

    def record(head, layers, *rest):
        posed.append((styles[-1], [(_part(g), g.n_triangles) for g in layers]))
        return pose_layers(head, layers, *rest)

    def capture(self, frame):
        if len(captured) < len(posed):
            captured.append((frame, posed[-1]))
        return draw(self, frame)

    patched = (record, capture, styled)
    renderer_module.pose_layers, cb.CpuBackend.draw, renderer_module.Renderer._render_one = patched
    try:
        render_dressed(args)
    finally:
        renderer_module.pose_layers, cb.CpuBackend.draw = pose_layers, draw
        renderer_module.Renderer._render_one = render_one
    return captured


def main() -> None:
    args = capture_options(__doc__, identities=12, images=2)
    captured = capture_frames(args)
    backend = cb.CpuBackend()
    for frame, (_, layers) in captured[:2]:
        timed_draw(backend, frame, layers, {})  # compiled, buffers sized
    passes: list[dict[str, dict[str, float]]] = []  # per pass: style -> part -> seconds
    for _ in range(args.rounds):
        spent: dict[str, dict[str, float]] = {}
        for frame, (style, layers) in captured:
            timed_draw(backend, frame, layers, spent.setdefault(style, {}))
        passes.append(spent)
    counts = Counter(style for _, (style, _) in captured)
    print(f"{len(captured)} frames, {captured[0][0].width} x {captured[0][0].height} px")
    _report("all", passes, list(counts), len(captured))
    for style, count in sorted(counts.items()):
        _report(style, passes, [style], count)


def _report(title: str, passes: list, styles: list[str], frames: int) -> None:
    """Median ms per frame of each part over ``styles``' frames."""
    print(f"{title} ({frames} frames)")

    def ms(part: str | None) -> float:
        per_pass = [
            sum(v for s in styles for k, v in p.get(s, {}).items() if part in (None, k))
            for p in passes
        ]
        return float(np.median(per_pass)) / frames * 1e3

    for name in ("head", "shell", "sheet", "strands", "other"):
        print(f"  {name:<8} {ms(name):6.2f} ms/frame")
    print(f"  {'total':<8} {ms(None):6.2f} ms/frame")


if __name__ == "__main__":
    main()
