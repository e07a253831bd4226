"""Time the pyrender backend per frame on a BFM-sized mesh: colour pass, label pass, total.

    LP_NUM_THREADS=1 python scripts/bench_pyrender.py --size 256 --frames 30

The mesh is ``synthetic_model()`` (53,301 vertices, 105,948 triangles) facing the camera
at 1 m through Basel's 50 mm lens on a 15 mm sensor; vertex positions change every frame
so that the in-place buffer upload is part of the time.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from morphgen.model.synthetic import synthetic_model
from morphgen.render.backend import Frame
from morphgen.render.camera import Intrinsics
from morphgen.render.pyrender_backend import PyrenderBackend, _assemble, _vertex_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--platform", default="egl")
    parser.add_argument("--device", type=int, default=None)
    parser.add_argument("--normals", action="store_true", help="also interpolate normals")
    args = parser.parse_args()

    model = synthetic_model()
    base = model.shape.mean.reshape(-1, 3).astype(np.float32) + np.float32([0, 0, -1000])
    colors = np.full_like(base, 0.6)
    normals = base / np.linalg.norm(base, axis=1, keepdims=True)  # any (N, 3) will do
    labels = np.maximum(model.regions[model.triangles[:, 0]], 1).astype(np.uint8)
    focal = args.size * 50.0 / 15.0
    half = args.size / 2.0
    backend = PyrenderBackend(args.platform, args.device)
    pyrender, platform = backend._pyrender, backend._offscreen._platform
    times = {"upload": [], "colour pass": [], "label pass": [], "assemble": [], "total": []}
    for k in range(args.frames + 1):
        verts = base + np.float32([k % 5, 0, 0])
        k = Intrinsics(args.size, args.size, focal, focal, half, half)
        frame = Frame(verts, model.triangles, colors, labels, k)
        if args.normals:
            frame.attributes = {"normals": normals}
        start = time.perf_counter()
        backend.draw(frame)
        total = time.perf_counter() - start
        # the same steps one by one, to see where the time goes
        t0 = time.perf_counter()
        platform.make_current()
        backend._upload(_vertex_data(frame))
        t1 = time.perf_counter()
        rgba, _ = backend._offscreen.render(
            backend._scene, flags=pyrender.RenderFlags.FLAT | pyrender.RenderFlags.RGBA
        )
        t2 = time.perf_counter()
        platform.make_current()
        proj = backend._camera.get_projection_matrix(frame.width, frame.height)
        ids, depth = backend._ids.draw(backend._primitive, proj, frame)
        platform.make_uncurrent()
        t3 = time.perf_counter()
        _assemble(frame, rgba, ids, depth)
        t4 = time.perf_counter()
        if k:  # the first frame uploads the mesh and compiles shaders
            for key, dt in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, total), strict=True):
                times[key].append(1000 * dt)
    print(json.dumps({
        "gl": backend.gl_info.to_dict(),
        "size": args.size,
        "vertices": len(base),
        "triangles": len(model.triangles),
        "ms_median": {key: round(float(np.median(v)), 2) for key, v in times.items()},
    }, indent=1))  # fmt: skip
    backend.close()


if __name__ == "__main__":
    main()
