"""The pyrender backend: OpenGL through EGL (GPU servers, or Mesa's llvmpipe) or OSMesa.

Two passes per image over one mesh whose GL buffers are updated in place:

1. colour: pyrender's ``FLAT`` render of the per-vertex colours (shading is already in
   ``Frame.colors``), multisampled 4x, so alpha is the silhouette coverage. Colours go
   through the 8-bit framebuffer sRGB-encoded, which keeps sRGB 8-bit precision in the
   darks; they are decoded back to linear here.
2. labels: a small shader of ours draws the same vertex array without multisampling
   into an integer target holding ``gl_PrimitiveID`` (the triangle index, exact: no
   blending) and a float target holding the perspective-correct depth ``-Z`` (float32
   at any distance, unlike the 24-bit depth buffer that pyrender linearises).
   Attribute weights come from intersecting each pixel centre's ray with its triangle.
3. texture (``Frame.texture``): the colour is multiplied per pixel by the texture looked
   up bilinearly at those weights (``textures.lookup``, the same code as the ``cpu``
   backend's, so the two agree on textures as on vertex colours).

The passes disagree on a few silhouette pixels (the colour pass samples 4 points, the
label pass the pixel centre). They are reconciled so that the face is exactly
``alpha >= 0.5``: a face pixel whose centre missed the mesh takes the nearest front-most
neighbouring triangle (its depth is that triangle's plane's), and a pixel
with ``alpha < 0.5`` is background in every output.

``PYOPENGL_PLATFORM`` is set here, when the backend is built, never on import: PyOpenGL
fixes its platform at its first import, so one process can use one platform only.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from morphgen.errors import MorphgenError
from morphgen.render import gl_probe
from morphgen.render.backend import Frame, Raster, interpolate
from morphgen.render.compose import linear_to_srgb, srgb_to_linear
from morphgen.render.textures.lookup import apply_texture

_ID_VERTEX_SHADER = """#version 330 core
layout(location = 0) in vec3 position;
uniform mat4 projection;
out float eye_depth;
void main() {
    gl_Position = projection * vec4(position, 1.0);
    eye_depth = -position.z;
}
"""
_ID_FRAGMENT_SHADER = """#version 330 core
in float eye_depth;
layout(location = 0) out int triangle;
layout(location = 1) out float depth;
void main() {
    triangle = gl_PrimitiveID;
    depth = eye_depth;
}
"""


def _use_platform(platform: str) -> None:
    """Select PyOpenGL's platform for this process, refusing to switch once chosen."""
    current = os.environ.get("PYOPENGL_PLATFORM")
    if "OpenGL" in sys.modules and current != platform:
        raise MorphgenError(
            f"render backend {platform!r}: this process already loaded OpenGL for platform "
            f"{current or 'default'!r}; PyOpenGL cannot switch platforms within a process"
        )
    os.environ["PYOPENGL_PLATFORM"] = platform


WORKER_ORDINAL_VAR = "MORPHGEN_WORKER_ORDINAL"  # set by the executors in each worker process


def spread_device(ordinal: int | None, count: int) -> int | None:
    """Worker ``ordinal``'s GPU when workers are spread round-robin over ``count`` GPUs."""
    if ordinal is None or count < 2:
        return None
    return ordinal % count


def _worker_device() -> int | None:
    """This worker's round-robin EGL device, unless the user chose one (EGL_DEVICE_ID)."""
    ordinal = os.environ.get(WORKER_ORDINAL_VAR)
    if "EGL_DEVICE_ID" in os.environ or ordinal is None:
        return None
    from pyrender.platforms import egl

    return spread_device(int(ordinal), len(egl.query_devices()))


def _select_egl_device(device: int) -> None:
    """Point pyrender at EGL device ``device`` (pyrender reads ``EGL_DEVICE_ID``)."""
    from pyrender.platforms import egl

    count = len(egl.query_devices())
    if not 0 <= device < count:
        raise MorphgenError(
            f"render device {device}: EGL lists {count} device(s) (0..{count - 1}) on this machine"
        )
    os.environ["EGL_DEVICE_ID"] = str(device)


class PyrenderBackend:
    """``Backend`` on pyrender; one instance per process, reused for every image."""

    _open = 0  # backends alive in this process

    def __init__(self, platform: str = "egl", device: int | None = None) -> None:
        if platform not in gl_probe.PLATFORMS:
            raise MorphgenError(
                f"render backend {platform!r}: expected one of {', '.join(gl_probe.PLATFORMS)}"
            )
        if device is not None and platform != "egl":
            raise MorphgenError(f"render device {device}: choosing a GPU needs the egl backend")
        _fail_if_missing(platform)
        _use_platform(platform)
        # numpy 2 removed np.infty; pyrender 0.1.45 still uses it (Mesh.bounds, shadows).
        np.infty = np.inf  # type: ignore[attr-defined]
        try:
            import pyrender

            if device is None and platform == "egl":
                device = _worker_device()
            if device is not None:
                _select_egl_device(device)
            self._pyrender = pyrender
            self._offscreen = pyrender.OffscreenRenderer(64, 64)
        except MorphgenError:
            raise
        except Exception as exc:
            raise _not_working(platform, exc) from exc
        if platform == "osmesa":
            # pyrender renders into OSMesa's own buffer, which has no multisampling; its
            # framebuffer path (4x MSAA) works under OSMesa too (test_osmesa_matches_egl).
            self._offscreen._platform.supports_framebuffers = lambda: True
        self.name = platform
        self.device = device
        self._camera = pyrender.IntrinsicsCamera(1.0, 1.0, 0.0, 0.0)
        self._scene = pyrender.Scene(bg_color=(0.0, 0.0, 0.0, 0.0), ambient_light=(0, 0, 0))
        self._scene.add(self._camera, pose=np.eye(4))
        self._node = None
        self._primitive = None
        self._triangles: np.ndarray | None = None
        self._ids = _IdPass()
        PyrenderBackend._open += 1
        self.gl_info = self._driver_strings()

    def _driver_strings(self) -> gl_probe.GLInfo:
        from OpenGL import GL

        self._offscreen._platform.make_current()
        names = (GL.GL_VENDOR, GL.GL_RENDERER, GL.GL_VERSION)
        strings = [GL.glGetString(name).decode() for name in names]
        self._offscreen._platform.make_uncurrent()
        return gl_probe.GLInfo(self.name, True, *strings)

    def draw(self, frame: Frame) -> Raster:
        """Rasterise one frame: colour + coverage, exact triangle ids, labels and depth."""
        if self._offscreen is None:
            raise RuntimeError("PyrenderBackend.draw after close()")
        vertex_data = _vertex_data(frame)
        self._set_camera(frame)
        platform = self._offscreen._platform
        if self._same_mesh(frame):
            platform.make_current()
            self._upload(vertex_data)
        else:
            self._new_mesh(frame, vertex_data)
        rgba, _ = self._offscreen.render(
            self._scene, flags=self._pyrender.RenderFlags.FLAT | self._pyrender.RenderFlags.RGBA
        )
        platform.make_current()
        projection = self._camera.get_projection_matrix(frame.width, frame.height)
        triangle_id, depth = self._ids.draw(self._primitive, projection, frame)
        platform.make_uncurrent()
        return _assemble(frame, rgba, triangle_id, depth)

    def _set_camera(self, frame: Frame) -> None:
        cam = self._camera
        cam.fx, cam.fy, cam.cx, cam.cy = frame.fx, frame.fy, frame.cx, frame.cy
        cam.znear, cam.zfar = frame.near, frame.far
        self._offscreen.viewport_width = frame.width
        self._offscreen.viewport_height = frame.height

    def _same_mesh(self, frame: Frame) -> bool:
        tris = self._triangles
        if tris is None or len(frame.vertices) != len(self._primitive.positions):
            return False
        return np.array_equal(frame.triangles, tris)

    def _new_mesh(self, frame: Frame, vertex_data: np.ndarray) -> None:
        """Replace the scene's mesh (a new topology); pyrender uploads it on the next render."""
        pyrender = self._pyrender
        if self._node is not None:
            self._scene.remove_node(self._node)
        material = pyrender.MetallicRoughnessMaterial(baseColorFactor=(1.0, 1.0, 1.0, 1.0))
        self._primitive = pyrender.Primitive(
            positions=vertex_data[:, :3],
            color_0=vertex_data[:, 3:],
            indices=np.ascontiguousarray(frame.triangles, dtype=np.uint32),
            material=material,
        )
        self._node = self._scene.add(pyrender.Mesh([self._primitive]))
        self._triangles = np.array(frame.triangles, copy=True)

    def _upload(self, vertex_data: np.ndarray) -> None:
        """Overwrite positions and colours in the existing interleaved vertex buffer."""
        from OpenGL import GL

        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self._primitive._buffers[0])
        GL.glBufferSubData(GL.GL_ARRAY_BUFFER, 0, vertex_data.nbytes, vertex_data)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def close(self) -> None:
        """Free the GL context and everything in it."""
        if self._offscreen is None:
            return
        platform = self._offscreen._platform
        PyrenderBackend._open -= 1
        if self.name == "egl" and PyrenderBackend._open > 0:
            # Contexts share one EGL display, and pyrender's delete_context terminates
            # it, which would break the backends still open: destroy the context only.
            platform.delete_context = lambda: _destroy_egl_context(platform)
        platform.make_current()
        self._ids.delete()
        self._offscreen.delete()
        self._offscreen = None


def _destroy_egl_context(platform) -> None:
    """pyrender's ``EGLPlatform.delete_context`` without its ``eglTerminate``."""
    from OpenGL.EGL import eglDestroyContext

    eglDestroyContext(platform._egl_display, platform._egl_context)
    platform._egl_context = platform._egl_display = None


def _vertex_data(frame: Frame) -> np.ndarray:
    """The interleaved (N, 7) float32 buffer pyrender lays out: xyz, sRGB-encoded rgba."""
    n = len(frame.vertices)
    data = np.empty((n, 7), dtype=np.float32)
    data[:, :3] = frame.vertices
    data[:, 3:6] = linear_to_srgb(frame.colors)
    data[:, 6] = 1.0
    return data


class _IdPass:
    """The non-multisampled pass: triangle index and depth at each pixel centre."""

    def __init__(self) -> None:
        self._program = None
        self._fbo = None
        self._buffers: list[int] = []
        self._size = (0, 0)

    def draw(self, primitive, projection: np.ndarray, frame: Frame):
        from OpenGL import GL

        if self._program is None:
            from OpenGL.GL import shaders

            self._program = shaders.compileProgram(
                shaders.compileShader(_ID_VERTEX_SHADER, GL.GL_VERTEX_SHADER),
                shaders.compileShader(_ID_FRAGMENT_SHADER, GL.GL_FRAGMENT_SHADER),
            )
        w, h = frame.width, frame.height
        if self._size != (w, h):
            self._make_framebuffer(w, h)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self._fbo)
        GL.glDrawBuffers(2, [GL.GL_COLOR_ATTACHMENT0, GL.GL_COLOR_ATTACHMENT1])
        GL.glViewport(0, 0, w, h)
        GL.glDisable(GL.GL_MULTISAMPLE)
        GL.glDisable(GL.GL_BLEND)
        GL.glEnable(GL.GL_DEPTH_TEST)
        GL.glDepthFunc(GL.GL_LESS)
        GL.glDepthMask(GL.GL_TRUE)
        GL.glEnable(GL.GL_CULL_FACE)  # as pyrender's colour pass (single-sided material)
        GL.glCullFace(GL.GL_BACK)
        GL.glPolygonMode(GL.GL_FRONT_AND_BACK, GL.GL_FILL)
        GL.glClearBufferiv(GL.GL_COLOR, 0, np.array([-1, 0, 0, 0], dtype=np.int32))
        GL.glClearBufferfv(GL.GL_COLOR, 1, np.zeros(4, dtype=np.float32))
        GL.glClearBufferfv(GL.GL_DEPTH, 0, np.ones(1, dtype=np.float32))
        GL.glUseProgram(self._program)
        location = GL.glGetUniformLocation(self._program, "projection")
        GL.glUniformMatrix4fv(location, 1, GL.GL_TRUE, projection.astype(np.float32))
        primitive._bind()
        GL.glDrawElements(GL.GL_TRIANGLES, primitive.indices.size, GL.GL_UNSIGNED_INT, None)
        primitive._unbind()
        GL.glUseProgram(0)
        GL.glReadBuffer(GL.GL_COLOR_ATTACHMENT0)
        ids = GL.glReadPixels(0, 0, w, h, GL.GL_RED_INTEGER, GL.GL_INT)
        GL.glReadBuffer(GL.GL_COLOR_ATTACHMENT1)
        depth = GL.glReadPixels(0, 0, w, h, GL.GL_RED, GL.GL_FLOAT)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        ids = np.frombuffer(ids, dtype=np.int32).reshape(h, w)[::-1]
        depth = np.frombuffer(depth, dtype=np.float32).reshape(h, w)[::-1]
        return ids.copy(), depth.copy()

    def _make_framebuffer(self, w: int, h: int) -> None:
        from OpenGL import GL

        self.delete_framebuffer()
        self._buffers = list(GL.glGenRenderbuffers(3))
        formats = (GL.GL_R32I, GL.GL_R32F, GL.GL_DEPTH_COMPONENT24)
        attachments = (GL.GL_COLOR_ATTACHMENT0, GL.GL_COLOR_ATTACHMENT1, GL.GL_DEPTH_ATTACHMENT)
        self._fbo = GL.glGenFramebuffers(1)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self._fbo)
        for buf, fmt, attachment in zip(self._buffers, formats, attachments, strict=True):
            GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, buf)
            GL.glRenderbufferStorage(GL.GL_RENDERBUFFER, fmt, w, h)
            GL.glFramebufferRenderbuffer(GL.GL_FRAMEBUFFER, attachment, GL.GL_RENDERBUFFER, buf)
        status = GL.glCheckFramebufferStatus(GL.GL_FRAMEBUFFER)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        if status != GL.GL_FRAMEBUFFER_COMPLETE:
            raise RuntimeError(f"label framebuffer incomplete (status {status:#x})")
        self._size = (w, h)

    def delete_framebuffer(self) -> None:
        from OpenGL import GL

        if self._fbo is not None:
            GL.glDeleteFramebuffers(1, [self._fbo])
            GL.glDeleteRenderbuffers(len(self._buffers), self._buffers)
        self._fbo, self._buffers, self._size = None, [], (0, 0)

    def delete(self) -> None:
        from OpenGL import GL

        self.delete_framebuffer()
        if self._program is not None:
            GL.glDeleteProgram(self._program)
            self._program = None


def _assemble(frame: Frame, rgba: np.ndarray, triangle_id: np.ndarray, depth: np.ndarray) -> Raster:
    """Reconcile the two passes into a ``Raster`` whose face is exactly ``alpha >= 0.5``."""
    h, w = triangle_id.shape
    alpha = rgba[..., 3].astype(np.float32) / 255.0
    face = alpha >= 0.5
    triangle_id[~face] = -1
    depth[~face] = 0.0
    weights = np.zeros((h, w, 3), dtype=np.float32)
    if frame.attributes or frame.texture is not None:
        rows, cols = np.nonzero(triangle_id >= 0)
        _surface(frame, triangle_id, rows, cols, weights, depth)
    holes = face & (triangle_id < 0)
    if holes.any():
        _fill_from_neighbours(frame, triangle_id, holes, weights, depth)
        lost = face & (triangle_id < 0)  # sub-pixel specks with no centre sample nearby
        alpha[lost] = 0.0
        face &= ~lost
    mask = np.zeros((h, w), dtype=np.uint8)
    mask[face] = frame.triangle_labels[triangle_id[face]]
    color = _decode_colour(rgba)
    attributes = {
        name: interpolate(values, frame.triangles, triangle_id, weights)
        for name, values in frame.attributes.items()
    }
    if frame.texture is not None:
        albedo = attributes.get("albedo")
        apply_texture(frame.texture, frame.uv, color, mask, triangle_id, weights, albedo)
    return Raster(color, alpha, mask, depth, triangle_id, attributes)


_DECODE_LUT = srgb_to_linear(np.arange(256, dtype=np.float32) / 255.0)


def _decode_colour(rgba: np.ndarray) -> np.ndarray:
    """Linear, un-premultiplied colour from the resolved sRGB-encoded RGBA (0 where alpha is 0)."""
    h, w, _ = rgba.shape
    flat = rgba.reshape(-1, 4)
    seen = np.flatnonzero(flat[:, 3])
    pixels = flat[seen]
    color = _DECODE_LUT.take(pixels[:, :3])
    partial = pixels[:, 3] < 255  # the resolve premultiplied these by their coverage
    encoded = pixels[partial, :3] / pixels[partial, 3:].astype(np.float32)
    color[partial] = srgb_to_linear(np.minimum(encoded, 1.0))
    out = np.zeros((h * w, 3), dtype=np.float32)
    out[seen] = color
    return out.reshape(h, w, 3)


def _fill_from_neighbours(
    frame: Frame,
    triangle_id: np.ndarray,
    holes: np.ndarray,
    weights: np.ndarray,
    depth: np.ndarray,
) -> None:
    """Give each hole the front-most triangle among its 8 neighbours, growing inwards."""
    h, w = holes.shape
    offsets = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx]
    for _ in range(4):
        rows, cols = np.nonzero(holes)
        if rows.size == 0:
            return
        best_depth = np.full(rows.size, np.inf, dtype=np.float32)
        best_id = np.full(rows.size, -1, dtype=np.int32)
        for dy, dx in offsets:
            r, c = np.clip(rows + dy, 0, h - 1), np.clip(cols + dx, 0, w - 1)
            cand, cand_depth = triangle_id[r, c], depth[r, c]
            better = (cand >= 0) & (cand_depth < best_depth)
            best_id[better], best_depth[better] = cand[better], cand_depth[better]
        found = best_id >= 0
        rows, cols = rows[found], cols[found]
        triangle_id[rows, cols] = best_id[found]
        _surface(frame, triangle_id, rows, cols, weights, depth)
        holes[rows, cols] = False


def _surface(
    frame: Frame,
    triangle_id: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
    depth: np.ndarray,
) -> None:
    """Where each pixel centre's ray meets its triangle's plane: weights and -Z, in place."""
    corners = frame.vertices[frame.triangles[triangle_id[rows, cols]]].astype(np.float64)
    ax, ay, az = corners[:, 0].T
    e1x, e1y, e1z = (corners[:, 1] - corners[:, 0]).T
    e2x, e2y, e2z = (corners[:, 2] - corners[:, 0]).T
    rx = (cols + 0.5 - frame.cx) / frame.fx  # the ray is (rx, ry, -1): -Z = its parameter
    ry = (rows + 0.5 - frame.cy) / -frame.fy
    # Cramer's rule for a + b1 e1 + b2 e2 = t ray, with p = ray x e2 and q = (-a) x e1
    px, py, pz = ry * e2z + e2y, -e2x - rx * e2z, rx * e2y - ry * e2x
    det = e1x * px + e1y * py + e1z * pz
    inv = 1.0 / np.where(np.abs(det) < 1e-30, 1e-30, det)
    qx, qy, qz = az * e1y - ay * e1z, ax * e1z - az * e1x, ay * e1x - ax * e1y
    b1 = -(ax * px + ay * py + az * pz) * inv
    b2 = (rx * qx + ry * qy - qz) * inv
    depth[rows, cols] = (e2x * qx + e2y * qy + e2z * qz) * inv
    weights[rows, cols] = np.stack([1.0 - b1 - b2, b1, b2], axis=1)


def _fail_if_missing(platform: str) -> None:
    missing = gl_probe.missing_requirements(platform)
    if missing:
        raise MorphgenError(
            f"render backend {platform!r} cannot start: missing {'; '.join(missing)}. "
            f"Install with: {gl_probe.install_hint(platform)}"
        )


def _not_working(platform: str, exc: Exception) -> MorphgenError:
    return MorphgenError(
        f"render backend {platform!r} cannot open an OpenGL context "
        f"({type(exc).__name__}: {exc}). It needs {gl_probe.install_hint(platform)}; "
        "on a GPU server also the vendor's EGL driver. Or use --backend cpu."
    )
