"""The peer in the benchmark: yfeng95/face3d's RGB-only pipeline, timed beside morphgen's.

face3d is never a dependency: the user points ``morphgen bench --peer face3d DIR`` at a
checkout whose Cython rasteriser is built (``cd DIR/face3d/mesh/cython && python setup.py
build_ext --inplace``). Its pipeline per image, as in its ``examples/1_pipeline.py``, on the
same BFM-sized mesh as morphgen's case and with float32 parameters: vertices from 199 shape
and 100 expression coefficients, a similarity transform, one point light (Gouraud), an
orthographic projection to the image, and colour rasterisation. It writes nothing.

Each peer worker is a spawned process driven over a pipe like morphgen's benchmark
workers: ``ready`` after a warm-up, then ``("run", images)`` answered with its timing.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import traceback
import types
from pathlib import Path
from typing import Any

import numpy as np

from morphgen.errors import MorphgenError

PEERS = ("face3d",)
BUILD_HINT = "cd {dir}/face3d/mesh/cython && python setup.py build_ext --inplace"


def check_face3d(directory: Path) -> None:
    """A clear error unless ``directory`` is a face3d checkout with its rasteriser built."""
    package = directory / "face3d" / "mesh" / "cython"
    if not package.is_dir():
        raise MorphgenError(
            f"--peer face3d {directory}: not a face3d checkout (no face3d/mesh/cython in it); "
            "clone github.com/yfeng95/face3d there"
        )
    if not any(package.glob("mesh_core_cython*.so")) and not any(
        package.glob("mesh_core_cython*.pyd")
    ):
        raise MorphgenError(
            f"--peer face3d {directory}: its Cython rasteriser is not built; run "
            + BUILD_HINT.format(dir=directory)
        )


class Face3dPipeline:
    """face3d's per-image pipeline on one model's float32 arrays."""

    def __init__(self, directory: Path, model_path: Path, size: int) -> None:
        self.mesh = _face3d_mesh(directory)
        from morphgen.model.load import load_model

        model = load_model(model_path)
        self.mean = np.asarray(model.shape.mean, dtype=np.float32).reshape(-1, 1)
        # bases scaled by their standard deviations, so coefficients are N(0, 1)
        self.shape_pc = _scaled(model.shape.basis, model.shape.variance, 199)
        self.exp_pc = _scaled(model.expression.basis, model.expression.variance, 100)
        self.colors = np.clip(np.asarray(model.color.mean, np.float32).reshape(-1, 3), 0, 1)
        # face3d's Gouraud light takes the direction from the light to the vertex, so it lights
        # faces whose normals point into the mesh: give it the opposite winding to ours
        self.triangles = np.ascontiguousarray(model.triangles[:, ::-1], dtype=np.int32)
        self.size = size
        self.light_positions = np.array([[0.0, 0.0, 300.0]], dtype=np.float32)
        self.light_intensities = np.array([[1.0, 1.0, 1.0]], dtype=np.float32)

    def render(self, rng: np.random.Generator) -> np.ndarray:
        """One RGB image of a random identity, expression and yaw."""
        mesh, h = self.mesh, self.size
        sp = rng.standard_normal((self.shape_pc.shape[1], 1), dtype=np.float32)
        ep = rng.standard_normal((self.exp_pc.shape[1], 1), dtype=np.float32)
        vertices = (self.mean + self.shape_pc @ sp + self.exp_pc @ ep).reshape(-1, 3)
        scale = np.float32(0.9 * h / np.ptp(vertices[:, 1]))
        yaw = float(rng.uniform(-60.0, 60.0))
        rotation = mesh.transform.angle2matrix([0.0, yaw, 0.0]).astype(np.float32)
        posed = mesh.transform.similarity_transform(vertices, scale, rotation, [0, 0, 0])
        lit = mesh.light.add_light(
            posed, self.triangles, self.colors, self.light_positions, self.light_intensities
        )
        on_image = mesh.transform.to_image(posed, h, h)
        return mesh.render.render_colors(on_image, self.triangles, lit, h, h)


def _face3d_mesh(directory: Path) -> types.SimpleNamespace:
    """face3d's transform, light and render modules, without its package ``__init__`` files
    (they import scikit-image and matplotlib for file I/O and plots, which timing needs not)."""
    for name, path in (
        ("face3d", directory / "face3d"),
        ("face3d.mesh", directory / "face3d" / "mesh"),
    ):
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(path)]
            sys.modules[name] = package
    parts = ("transform", "light", "render")
    return types.SimpleNamespace(
        **{part: importlib.import_module(f"face3d.mesh.{part}") for part in parts}
    )


def _scaled(basis: Any, variance: Any, k: int) -> np.ndarray:
    basis = np.asarray(basis[:, :k], dtype=np.float32)
    return np.ascontiguousarray(basis * np.sqrt(np.asarray(variance[:k], np.float32)))


def peer_main(conn: Any, directory: str, model_path: str, size: int, seed: int) -> None:
    """Serve timed rounds of face3d's pipeline; failures go back as ``{"error": ...}``."""
    try:
        start = time.perf_counter()
        pipeline = Face3dPipeline(Path(directory), Path(model_path), size)
        rng = np.random.default_rng(seed)
        for _ in range(3):  # warm-up
            pipeline.render(rng)
        conn.send({"pid": os.getpid(), "start_s": time.perf_counter() - start})
        while (message := conn.recv()) is not None:
            _, images = message
            began, cpu = time.perf_counter(), time.process_time()
            for _ in range(images):
                pipeline.render(rng)
            conn.send(
                {
                    "seconds": time.perf_counter() - began,
                    "cpu_seconds": time.process_time() - cpu,
                    "images": images,
                }
            )
    except Exception:
        conn.send({"error": traceback.format_exc()})
