"""The pyrender backend: OpenGL through EGL (GPU servers, or Mesa's llvmpipe) or OSMesa.

Two passes per image over one mesh whose GL buffers are updated in place:

1. colour: the per-vertex colours (shading is already in ``Frame.colors``) drawn flat,
   multisampled 4x, so alpha is the silhouette coverage. Colours go through the 8-bit
   framebuffer sRGB-encoded, which keeps sRGB 8-bit precision in the darks; they are
   decoded back to linear here.
2. labels: the same vertex array without multisampling into an integer target holding
   ``gl_PrimitiveID`` (the triangle index, exact: no blending) and a float target holding
   the perspective-correct depth ``-Z`` (float32 at any distance, unlike a 24-bit depth
   buffer). Attribute weights come from intersecting each pixel centre's ray with its
   triangle.

Both passes are small shaders of ours over pyrender's vertex array (pyrender provides the
context and the buffers); their fragment shader drops a windowed triangle's fragment
whose pixel centre lies outside its window (``render/windows``), with the cpu backend's
even-odd test.
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
from morphgen.render.backend import WORKER_ORDINAL_VAR, Frame, Raster, finish_raster
from morphgen.render.compose import linear_to_srgb, srgb_to_linear

_VERTEX_SHADER = """#version 330 core
layout(location = 0) in vec3 position;
layout(location = 1) in vec4 color;
uniform mat4 projection;
out float eye_depth;
out vec4 vertex_color;
void main() {
    gl_Position = projection * vec4(position, 1.0);
    eye_depth = -position.z;
    vertex_color = color;
}
"""
# Window clipping shared by both passes: corners[] holds the windows' polygons one after
# another, window_end[k] the end of window k's corners (pixel coordinates, y down).
_WINDOW_TEST = """
uniform usamplerBuffer triangle_windows;
uniform int window_count;
uniform int window_end[8];
uniform vec2 corners[64];
uniform float image_height;
bool inside(int k, vec2 p) {
    int start = k == 0 ? 0 : window_end[k - 1];
    int end = window_end[k];
    bool odd = false;
    for (int i = start; i < end; ++i) {
        vec2 a = corners[i];
        vec2 b = corners[i + 1 < end ? i + 1 : start];
        if ((a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y)) {
            odd = !odd;
        }
    }
    return odd;
}
bool clipped() {
    if (window_count == 0) return false;
    uint need = texelFetch(triangle_windows, gl_PrimitiveID).r;
    if (need == 0u) return false;
    vec2 p = vec2(gl_FragCoord.x, image_height - gl_FragCoord.y);
    for (int k = 0; k < window_count; ++k) {
        if ((need & (1u << uint(k))) != 0u && inside(k, p)) return false;
    }
    return true;
}
"""
_ID_FRAGMENT_SHADER = (
    """#version 330 core
in float eye_depth;
in vec4 vertex_color;
layout(location = 0) out int triangle;
layout(location = 1) out float depth;
"""
    + _WINDOW_TEST
    + """
void main() {
    if (clipped()) discard;
    triangle = gl_PrimitiveID;
    depth = eye_depth;
}
"""
)
_COLOUR_FRAGMENT_SHADER = (
    """#version 330 core
in float eye_depth;
in vec4 vertex_color;
layout(location = 0) out vec4 colour;
"""
    + _WINDOW_TEST
    + """
void main() {
    if (clipped()) discard;
    colour = vec4(clamp(vertex_color.rgb, 0.0, 1.0), 1.0);
}
"""
)
MAX_WINDOW_CORNERS = 64


def _use_platform(platform: str) -> None:
    """Select PyOpenGL's platform for this process, refusing to switch once chosen."""
    current = os.environ.get("PYOPENGL_PLATFORM")
    if "OpenGL" in sys.modules and current != platform:
        raise MorphgenError(
            f"render backend {platform!r}: this process already loaded OpenGL for platform "
            f"{current or 'default'!r}; PyOpenGL cannot switch platforms within a process"
        )
    os.environ["PYOPENGL_PLATFORM"] = platform


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
        self._primitive = None
        self._triangles: np.ndarray | None = None
        self._ids = _Passes()
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
        platform.make_current()
        if self._same_mesh(frame):
            self._upload(vertex_data)
        else:
            self._new_mesh(frame, vertex_data)
        projection = self._camera.get_projection_matrix(frame.width, frame.height)
        rgba, triangle_id, depth = self._ids.draw(self._primitive, projection, frame)
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
        """Replace the mesh (a new topology): pyrender's buffers for it, in the current context."""
        if self._primitive is not None:
            self._primitive._remove_from_context()
        self._primitive = self._pyrender.Primitive(
            positions=vertex_data[:, :3],
            color_0=vertex_data[:, 3:],
            indices=np.ascontiguousarray(frame.triangles, dtype=np.uint32),
        )
        self._primitive._add_to_context()  # vertex attributes 0: position, 1: colour
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
        if self._primitive is not None:
            self._primitive._remove_from_context()
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


class _Passes:
    """The colour pass (4x multisampled, resolved) and the label pass (triangle id, depth)."""

    def __init__(self) -> None:
        self._programs: dict[str, int] = {}
        self._fbos: list[int] = []
        self._renderbuffers: list[int] = []
        self._size = (0, 0)
        self._windows_buffer: int | None = None
        self._windows_texture: int | None = None
        self._windows_bits: np.ndarray | None = None

    def _program(self, name: str) -> int:
        from OpenGL import GL
        from OpenGL.GL import shaders

        if name not in self._programs:
            fragment = _COLOUR_FRAGMENT_SHADER if name == "colour" else _ID_FRAGMENT_SHADER
            self._programs[name] = shaders.compileProgram(
                shaders.compileShader(_VERTEX_SHADER, GL.GL_VERTEX_SHADER),
                shaders.compileShader(fragment, GL.GL_FRAGMENT_SHADER),
            )
        return self._programs[name]

    def draw(self, primitive, projection: np.ndarray, frame: Frame):
        """``(rgba uint8, triangle ids, depth)``, top row first."""
        from OpenGL import GL

        w, h = frame.width, frame.height
        if self._size != (w, h):
            self._make_framebuffers(w, h)
        colour_fbo, resolve_fbo, id_fbo = self._fbos
        GL.glViewport(0, 0, w, h)
        GL.glDisable(GL.GL_BLEND)
        GL.glEnable(GL.GL_DEPTH_TEST)
        GL.glDepthFunc(GL.GL_LESS)
        GL.glDepthMask(GL.GL_TRUE)
        GL.glEnable(GL.GL_CULL_FACE)  # single-sided, as the cpu backend
        GL.glCullFace(GL.GL_BACK)
        GL.glPolygonMode(GL.GL_FRONT_AND_BACK, GL.GL_FILL)
        # colour, multisampled
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, colour_fbo)
        GL.glEnable(GL.GL_MULTISAMPLE)
        GL.glClearBufferfv(GL.GL_COLOR, 0, np.zeros(4, dtype=np.float32))
        GL.glClearBufferfv(GL.GL_DEPTH, 0, np.ones(1, dtype=np.float32))
        self._draw_mesh(self._program("colour"), primitive, projection, frame)
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, colour_fbo)
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, resolve_fbo)
        GL.glBlitFramebuffer(0, 0, w, h, 0, 0, w, h, GL.GL_COLOR_BUFFER_BIT, GL.GL_LINEAR)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, resolve_fbo)
        GL.glReadBuffer(GL.GL_COLOR_ATTACHMENT0)
        rgba = GL.glReadPixels(0, 0, w, h, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE)
        # labels: one sample at each pixel centre
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, id_fbo)
        GL.glDisable(GL.GL_MULTISAMPLE)
        GL.glDrawBuffers(2, [GL.GL_COLOR_ATTACHMENT0, GL.GL_COLOR_ATTACHMENT1])
        GL.glClearBufferiv(GL.GL_COLOR, 0, np.array([-1, 0, 0, 0], dtype=np.int32))
        GL.glClearBufferfv(GL.GL_COLOR, 1, np.zeros(4, dtype=np.float32))
        GL.glClearBufferfv(GL.GL_DEPTH, 0, np.ones(1, dtype=np.float32))
        self._draw_mesh(self._program("labels"), primitive, projection, frame)
        GL.glReadBuffer(GL.GL_COLOR_ATTACHMENT0)
        ids = GL.glReadPixels(0, 0, w, h, GL.GL_RED_INTEGER, GL.GL_INT)
        GL.glReadBuffer(GL.GL_COLOR_ATTACHMENT1)
        depth = GL.glReadPixels(0, 0, w, h, GL.GL_RED, GL.GL_FLOAT)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        rgba = np.frombuffer(rgba, dtype=np.uint8).reshape(h, w, 4)[::-1]
        ids = np.frombuffer(ids, dtype=np.int32).reshape(h, w)[::-1]
        depth = np.frombuffer(depth, dtype=np.float32).reshape(h, w)[::-1]
        return rgba.copy(), ids.copy(), depth.copy()

    def _draw_mesh(self, program: int, primitive, projection: np.ndarray, frame: Frame) -> None:
        from OpenGL import GL

        GL.glUseProgram(program)
        location = GL.glGetUniformLocation(program, "projection")
        GL.glUniformMatrix4fv(location, 1, GL.GL_TRUE, projection.astype(np.float32))
        self._set_windows(program, frame)
        GL.glBindVertexArray(primitive._vaid)
        GL.glDrawElements(GL.GL_TRIANGLES, primitive.indices.size, GL.GL_UNSIGNED_INT, None)
        GL.glBindVertexArray(0)
        GL.glUseProgram(0)

    def _set_windows(self, program: int, frame: Frame) -> None:
        """The window uniforms of ``program`` and the per-triangle bits (a texture buffer)."""
        from OpenGL import GL

        polygons = [np.asarray(p, dtype=np.float32).reshape(-1, 2) for p in frame.windows]
        count = len(polygons) if frame.triangle_windows is not None else 0
        corners = np.concatenate(polygons) if count else np.zeros((0, 2), np.float32)
        if len(corners) > MAX_WINDOW_CORNERS or count > 8:
            raise MorphgenError(
                f"{count} windows with {len(corners)} corners: the egl/osmesa backends take "
                f"at most 8 windows and {MAX_WINDOW_CORNERS} corners"
            )
        GL.glUniform1i(GL.glGetUniformLocation(program, "window_count"), count)
        if not count:
            return
        self._upload_bits(frame.triangle_windows)
        ends = np.cumsum([len(p) for p in polygons]).astype(np.int32)
        GL.glUniform1iv(GL.glGetUniformLocation(program, "window_end"), len(ends), ends)
        GL.glUniform2fv(GL.glGetUniformLocation(program, "corners"), len(corners), corners)
        GL.glUniform1f(GL.glGetUniformLocation(program, "image_height"), float(frame.height))
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glBindTexture(GL.GL_TEXTURE_BUFFER, self._windows_texture)
        GL.glUniform1i(GL.glGetUniformLocation(program, "triangle_windows"), 0)

    def _upload_bits(self, bits: np.ndarray) -> None:
        """Upload the per-triangle window bits when they changed."""
        from OpenGL import GL

        bits = np.ascontiguousarray(bits, dtype=np.uint8)
        if self._windows_bits is not None and np.array_equal(self._windows_bits, bits):
            return
        if self._windows_buffer is None:
            self._windows_buffer = GL.glGenBuffers(1)
            self._windows_texture = GL.glGenTextures(1)
        GL.glBindBuffer(GL.GL_TEXTURE_BUFFER, self._windows_buffer)
        GL.glBufferData(GL.GL_TEXTURE_BUFFER, bits.nbytes, bits, GL.GL_STATIC_DRAW)
        GL.glBindTexture(GL.GL_TEXTURE_BUFFER, self._windows_texture)
        GL.glTexBuffer(GL.GL_TEXTURE_BUFFER, GL.GL_R8UI, self._windows_buffer)
        GL.glBindBuffer(GL.GL_TEXTURE_BUFFER, 0)
        self._windows_bits = bits.copy()

    def _make_framebuffers(self, w: int, h: int) -> None:
        """Multisampled colour + depth, its resolve target, and the label targets."""
        from OpenGL import GL

        self.delete_framebuffers()
        layouts = (
            (
                (GL.GL_RGBA8, GL.GL_COLOR_ATTACHMENT0),
                (GL.GL_DEPTH_COMPONENT24, GL.GL_DEPTH_ATTACHMENT),
            ),
            ((GL.GL_RGBA8, GL.GL_COLOR_ATTACHMENT0),),
            (
                (GL.GL_R32I, GL.GL_COLOR_ATTACHMENT0),
                (GL.GL_R32F, GL.GL_COLOR_ATTACHMENT1),
                (GL.GL_DEPTH_COMPONENT24, GL.GL_DEPTH_ATTACHMENT),
            ),
        )
        for k, layout in enumerate(layouts):
            fbo = GL.glGenFramebuffers(1)
            self._fbos.append(fbo)
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, fbo)
            for fmt, attachment in layout:
                buf = GL.glGenRenderbuffers(1)
                self._renderbuffers.append(buf)
                GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, buf)
                if k == 0:
                    GL.glRenderbufferStorageMultisample(GL.GL_RENDERBUFFER, 4, fmt, w, h)
                else:
                    GL.glRenderbufferStorage(GL.GL_RENDERBUFFER, fmt, w, h)
                GL.glFramebufferRenderbuffer(GL.GL_FRAMEBUFFER, attachment, GL.GL_RENDERBUFFER, buf)
            status = GL.glCheckFramebufferStatus(GL.GL_FRAMEBUFFER)
            if status != GL.GL_FRAMEBUFFER_COMPLETE:
                GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
                raise RuntimeError(f"framebuffer {k} incomplete (status {status:#x})")
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        self._size = (w, h)

    def delete_framebuffers(self) -> None:
        from OpenGL import GL

        if self._fbos:
            GL.glDeleteFramebuffers(len(self._fbos), self._fbos)
            GL.glDeleteRenderbuffers(len(self._renderbuffers), self._renderbuffers)
        self._fbos, self._renderbuffers, self._size = [], [], (0, 0)

    def delete(self) -> None:
        from OpenGL import GL

        self.delete_framebuffers()
        for program in self._programs.values():
            GL.glDeleteProgram(program)
        self._programs = {}
        if self._windows_buffer is not None:
            GL.glDeleteTextures([self._windows_texture])
            GL.glDeleteBuffers(1, [self._windows_buffer])
            self._windows_buffer = self._windows_texture = self._windows_bits = None


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
    return finish_raster(frame, color, alpha, mask, depth, triangle_id, weights)


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
