"""Window clipping (render/windows): the mouth interior is drawn only inside its window.

A "teeth" square in front of a "skin" square, clipped to a concave window polygon: each
pixel centre must show teeth exactly where it lies inside the polygon (even-odd rule, as
``model.outlines.inside_polygon``) and the skin behind elsewhere, in image and mask, on
both backends. Then the default model's windows, closed lids, and the blink gains that
close them.
"""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.labels import LABEL_IDS
from morphgen.model.calibration import LID_OVERLAP_MM, LIDS, LidClosure
from morphgen.model.load import load_model
from morphgen.model.outlines import inside_polygon
from morphgen.render.backend import Frame
from morphgen.render.camera import Intrinsics
from morphgen.render.cpu_backend import CpuBackend
from morphgen.render.renderer import Renderer
from morphgen.render.windows import model_windows
from morphgen.scene import CameraParams, SceneParams
from tests.gl_helpers import egl_or_skip

W, H, F = 80, 64, 90.0
TEETH, SKIN = LABEL_IDS["teeth"], LABEL_IDS["skin"]
# a concave window (an arrow head), pixel coordinates
WINDOW = np.array([[10.3, 8.2], [70.1, 20.7], [30.4, 30.1], [66.2, 55.6], [12.9, 50.3]], np.float32)


def square(depth: float) -> np.ndarray:
    """Corners of a fronto-parallel square at ``depth`` covering the whole image."""
    half = depth * 0.8  # well beyond the image edges at F = 90
    return np.array([[-half, -half, -depth], [half, -half, -depth], [half, half, -depth],
                     [-half, half, -depth]], dtype=np.float32)  # fmt: skip


def frame() -> Frame:
    vertices = np.concatenate([square(500.0), square(600.0)])  # teeth in front of skin
    triangles = np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7]], dtype=np.int32)
    colors = np.array([[0.9, 0.9, 0.9]] * 4 + [[0.6, 0.3, 0.2]] * 4, dtype=np.float32)
    labels = np.array([TEETH, TEETH, SKIN, SKIN], dtype=np.uint8)
    f = Frame(vertices, triangles, colors, labels, Intrinsics(W, H, F, F, W / 2, H / 2))
    f.triangle_windows = np.array([1, 1, 0, 0], dtype=np.uint8)
    f.windows = (WINDOW,)
    return f


def centres() -> np.ndarray:
    j, i = np.meshgrid(np.arange(W) + 0.5, np.arange(H) + 0.5)
    return np.c_[j.reshape(-1), i.reshape(-1)]


def edge_distance(points: np.ndarray) -> np.ndarray:
    a, b = WINDOW.astype(np.float64), np.roll(WINDOW, -1, axis=0).astype(np.float64)
    ab = b - a
    p = points[:, None, :]
    t = np.clip(((p - a) * ab).sum(-1) / (ab * ab).sum(-1), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[..., None] * ab), axis=-1).min(axis=1).reshape(H, W)


def check(raster, exact: bool) -> None:
    inside = inside_polygon(centres(), WINDOW).reshape(H, W)
    clear = edge_distance(centres()) > (0.01 if not exact else 0.0)
    expected = np.where(inside, TEETH, SKIN)
    assert np.array_equal(raster.mask[clear], expected[clear])
    far = edge_distance(centres()) > 1.0  # colour: whole pixels on one side
    red = raster.color[..., 0]
    assert np.allclose(red[far & inside], 0.9, atol=0.01)
    assert np.allclose(red[far & ~inside], 0.6, atol=0.01)
    assert np.all(raster.alpha == 1.0)  # the skin behind fills every clipped pixel


def check_empty_window(backend) -> None:
    """An empty window (no corners) hides its triangles everywhere."""
    f = frame()
    f.windows = (np.zeros((0, 2), dtype=np.float32),)
    raster = backend.draw(f)
    assert np.all(raster.mask == SKIN)
    assert np.allclose(raster.color[..., 0], 0.6, atol=0.01)


@pytest.mark.parametrize("supersample", [None, 2, 3])
def test_cpu_backend_draws_windowed_triangles_only_inside_their_window(supersample):
    backend = CpuBackend(supersample)
    check(backend.draw(frame()), exact=True)  # the pixel centre decides for every sample
    check_empty_window(backend)


def test_pyrender_backend_draws_windowed_triangles_only_inside_their_window():
    egl_or_skip()
    from morphgen.render.pyrender_backend import PyrenderBackend

    backend = PyrenderBackend("egl")
    try:
        check(backend.draw(frame()), exact=False)
        check_empty_window(backend)
    finally:
        backend.close()


def test_default_model_windows_its_mouth_interior_by_the_outer_lip_contour():
    model = load_model()
    labels = model.triangle_regions()
    windows = model_windows(labels, model.landmarks, model.mean_vertices())
    assert windows is not None
    assert windows.contours == (tuple(f"ibug{n}" for n in range(49, 61)),)
    interior = np.isin(labels, [LABEL_IDS["inner_mouth"], TEETH])
    assert np.array_equal(windows.bits == 1, interior)
    assert np.array_equal(windows.bits == 2, labels == LABEL_IDS["right_eye"])
    assert np.array_equal(windows.bits == 4, labels == LABEL_IDS["left_eye"])
    assert windows.eyes == tuple(tuple(f"ibug{n}" for n in range(k, k + 6)) for k in (37, 43))
    assert model_windows(labels, {}, model.mean_vertices()) is None  # no landmarks, no window
    shut = model.mean_vertices().copy()
    shut[:, 1] *= -1  # upside down: the "lids" are not open on this mean face
    assert model_windows(labels, model.landmarks, shut).eyes == ()


def _blink(model, renderer: Renderer, identity: int | None, weight: float, yaw: float):
    """A face (mean or random identity) with both eyes' blink at ``weight``, 256 px."""
    names = model.blendshapes.names
    shape = np.zeros(model.shape.n_components, dtype=np.float32)
    if identity is not None:
        shape = np.random.default_rng(identity).standard_normal(len(shape)).astype(np.float32)
    blink = np.zeros(len(names), dtype=np.float32)
    blink[[names.index("eyeBlink_L"), names.index("eyeBlink_R")]] = weight
    scene = SceneParams(
        0, 0, shape, np.zeros(model.color.n_components, np.float32),
        np.zeros(0, np.float32), blink, yaw=yaw, camera=CameraParams(256, 256),
    )  # fmt: skip
    return renderer.render(scene)


EYES = (LABEL_IDS["left_eye"], LABEL_IDS["right_eye"])


@pytest.mark.parametrize("identity", [None, 6])  # 6: an eyeball that pokes through the lid
def test_a_closed_lid_hides_the_whole_eye(identity):
    """Blink at full weight: no eye pixel; half closed: the eye shows (cpu, 256 px)."""
    model = load_model()
    renderer = Renderer(model, CpuBackend(), outputs=frozenset({"mask"}))
    shown = [
        int(np.isin(_blink(model, renderer, identity, weight, 20.0).mask, EYES).sum())
        for weight in (1.0, 0.5)
    ]
    assert shown[0] == 0 and shown[1] > 50


@pytest.mark.parametrize("weight", [0.5, 0.7, 0.85])
def test_a_half_closed_lid_hides_a_bulging_eyeball(weight):
    """Identity 6's eyeball pokes through its lids as they close: each eye pixel still lies
    between the lids, the polylines through the upper (37-40 / 43-46) and lower (40-42, 37 /
    46-48, 43) lid landmarks, give or take 2 px for the curve of the lid margins (without
    the eye windows iris pixels showed 5-9 px above the upper lid)."""
    model = load_model()
    renderer = Renderer(model, CpuBackend(), outputs=frozenset({"mask"}))
    sample = _blink(model, renderer, 6, weight, 0.0)
    lm = dict(zip(sample.landmark_names, sample.landmarks, strict=True))
    for label, first in (("right_eye", 37), ("left_eye", 43)):
        ys, xs = np.nonzero(sample.mask == LABEL_IDS[label])
        assert len(xs) > 0
        x, y = xs + 0.5, ys + 0.5
        lids = []
        for numbers in ((0, 1, 2, 3), (3, 4, 5, 0)):
            points = np.array([lm[f"ibug{first + n}"] for n in numbers])
            points = points[np.argsort(points[:, 0])]
            lids.append(np.interp(x, points[:, 0], points[:, 1]))
        assert np.all(y >= lids[0] - 2.0) and np.all(y <= lids[1] + 2.0)


def test_an_open_eye_keeps_its_pixels():
    """The open eye's window lies beyond its lid margins: the mean face's open eyes lose no
    more than a few pixels to it (no holes where the margin curves past the landmarks)."""
    model = load_model()
    renderer = Renderer(model, CpuBackend(), outputs=frozenset({"mask"}))
    clipped = np.isin(_blink(model, renderer, None, 0.0, 20.0).mask, EYES).sum()
    renderer._windows = None  # nothing clipped: not the mouth interior, not the eyes
    unclipped = np.isin(_blink(model, renderer, None, 0.0, 20.0).mask, EYES).sum()
    assert unclipped > 100 and clipped >= 0.98 * unclipped


@pytest.mark.parametrize("identity", [None, 6])
def test_blink_gain_closes_each_faces_lids(identity):
    """At eyeBlink 1 times its gain, a face's last lid pair to close overlaps by the target."""
    model = load_model()
    if identity is None:
        face = model.mean_vertices()
    else:
        coeffs = np.random.default_rng(identity).standard_normal(model.shape.n_components)
        face = model.shape.instance(coeffs.astype(np.float32)).reshape(-1, 3)
    gains = LidClosure.of(model).gains(face)
    names = model.blendshapes.names
    for name, pairs in LIDS.items():
        k = names.index(name)
        closed = face + gains[k] * model.blendshapes.deltas[:, k].reshape(-1, 3)
        gaps = [
            closed[model.landmarks[f"ibug{u}"], 1] - closed[model.landmarks[f"ibug{lo}"], 1]
            for u, lo in pairs
        ]
        assert gains[k] > 1.0
        assert max(gaps) == pytest.approx(-LID_OVERLAP_MM, abs=1e-3)
    others = [k for k, n in enumerate(names) if n not in LIDS]
    assert np.all(gains[others] == 1.0)
