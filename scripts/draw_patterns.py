"""Thread CPU ms per frame of the cpu backend's sample patterns on the same frames:
``python scripts/draw_patterns.py [--model PATH] [--size 256]``.

Captures every frame that ``scripts/profile_render.py --dressed`` draws (the bench config:
hair, accessories, the default appearance; the BFM-sized model unless ``--model``), then
draws them again through the default pattern and the 3 x 3 and 2 x 2 grids, and prints
each one's whole draw, rasterise and resolve time (median of ``--rounds`` passes).
"""

from __future__ import annotations

import time

from profile_render import capture_options, render_dressed

from morphgen.render import cpu_backend
from morphgen.render import raster_kernels as rk


def main() -> None:
    args = capture_options(__doc__, identities=4, images=8)
    frames = []
    draw = cpu_backend.CpuBackend.draw

    def capture(self, frame):
        frames.append(frame)
        return draw(self, frame)

    cpu_backend.CpuBackend.draw = capture
    render_dressed(args)
    cpu_backend.CpuBackend.draw = draw
    spent = {"rasterize": 0.0, "resolve": 0.0}
    for name in spent:
        kernel = getattr(rk, name)

        def timed(*a, _kernel=kernel, _name=name):
            t = time.thread_time()
            out = _kernel(*a)
            spent[_name] += time.thread_time() - t
            return out

        setattr(rk, name, timed)
    print(f"{len(frames)} frames, {frames[0].width} x {frames[0].height} px")
    patterns = {"default": None, "3x3": 3, "2x2": 2}
    for label, supersample in patterns.items():
        backend = cpu_backend.CpuBackend(supersample)
        for frame in frames[:2]:
            backend.draw(frame)  # compiled, buffers sized
        passes = []
        for _ in range(args.rounds):
            spent.update(rasterize=0.0, resolve=0.0)
            t = time.thread_time()
            for frame in frames:
                backend.draw(frame)
            n = len(frames) / 1e3
            passes.append(
                ((time.thread_time() - t) / n, spent["rasterize"] / n, spent["resolve"] / n)
            )
        whole, raster, resolve = sorted(passes)[len(passes) // 2]
        name = backend.pattern(frames[0].height, frames[0].width).name
        times = f"draw {whole:6.2f}  rasterise {raster:6.2f}  resolve {resolve:6.2f}"
        print(f"{label:<8} {name:<9} {times} ms/frame")


if __name__ == "__main__":
    main()
