"""The head fit: what is found once per model on its mean shape serves every identity."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import grey_dilation
from scipy.spatial import cKDTree

from morphgen.labels import LABEL_IDS
from morphgen.model.load import load_model
from morphgen.render.hair.head import PHI_BINS, THETA_BINS, HeadFit, build_head
from morphgen.render.hair.search import k_nearest, nearest_of
from morphgen.render.instance import pca_instances
from morphgen.render.normals import vertex_normals


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def fit(model):
    return HeadFit.of(model.mean_vertices(), model.triangles, model.regions)


def _identity(model, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return pca_instances(model.shape, rng.standard_normal((1, model.shape.basis.shape[1])))[0]


def test_k_nearest_and_nearest_of_agree_with_a_kd_tree() -> None:
    rng = np.random.default_rng(1)
    points, queries = rng.normal(size=(500, 3)), rng.normal(size=(200, 3))
    index, distance = k_nearest(queries, points, 5)
    d_tree, i_tree = cKDTree(points).query(queries, k=5)
    assert (index == i_tree).all() and np.allclose(distance, d_tree)
    # the nearest of each row of candidates: here the 5 nearest, so the nearest of all
    best, d = nearest_of(queries, points, index[:, ::-1].copy())
    assert (best == i_tree[:, 0]).all() and np.allclose(d, d_tree[:, 0])
    assert k_nearest(queries, points[:3], 5)[0].shape == (200, 3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_identitys_head_matches_exact_searches_on_its_own_shape(model, fit, seed) -> None:
    """Per identity only candidates found on the mean are measured; the results match
    k-d tree searches over every rim vertex, every scalp direction and every vertex."""
    v = _identity(model, seed)
    head = build_head(fit, v, vertex_normals(v, model.triangles))
    scalp = model.regions == LABEL_IDS["scalp"]
    assert scalp.sum() == len(fit.scalp)
    # hairline distance: to the nearest of every rim vertex
    rim = np.unique(fit.rim)
    exact = cKDTree(v[rim]).query(v[scalp])[0]
    error = np.abs(head.front_mm[scalp] - exact)
    assert np.percentile(error, 99) < 0.5 and error.max() < 5.0
    assert (head.front_mm[~scalp] == 1e6).all()
    # the direction map: front_mm of the scalp vertex nearest each bin's ray
    rel = v[scalp] - head.centre
    rel /= np.linalg.norm(rel, axis=1, keepdims=True)
    theta = (np.arange(THETA_BINS) + 0.5) / THETA_BINS * np.pi
    phi = (np.arange(PHI_BINS) + 0.5) / PHI_BINS * 2 * np.pi - np.pi
    t, f = np.meshgrid(theta, phi, indexing="ij")
    rays = np.stack([np.sin(t) * np.sin(f), np.cos(t), np.sin(t) * np.cos(f)], axis=-1)
    nearest = cKDTree(rel).query(rays.reshape(-1, 3))[1]
    exact_map = head.front_mm[scalp][nearest].reshape(THETA_BINS, PHI_BINS)
    assert (np.abs(exact_map - head.front_map) > 1.0).mean() < 0.005
    # the collision map: the farthest solid vertex above the chin per bin, 3x3 dilated
    solid = v[fit.solid]
    solid = solid[solid[:, 1] > head.chin_y]
    ti, pi, r = head.bins(solid)
    direct = np.zeros((THETA_BINS, PHI_BINS))
    np.maximum.at(direct, (ti, pi), r)
    grown = grey_dilation(direct, size=(3, 3), mode="wrap")
    filled = grown > 0
    assert filled.mean() > 0.3
    assert np.allclose(head.radius[filled], grown[filled])
    assert (head.radius > 0).all()  # and the holes are filled


def test_the_rim_is_the_front_of_the_scalp(model, fit) -> None:
    """The rim lies at the forehead: in front of the head centre, bordering the skin."""
    mean = model.mean_vertices()
    rim = np.unique(fit.rim)
    centre = (mean[fit.scalp].min(axis=0) + mean[fit.scalp].max(axis=0)) / 2
    assert 0.05 * len(fit.scalp) < len(rim) < 0.1 * len(fit.scalp)
    assert (mean[rim, 2] > centre[2]).all()
    assert np.isin(rim, fit.scalp).all()


def test_a_model_without_a_scalp_has_no_fit(model) -> None:
    regions = np.where(model.regions == LABEL_IDS["scalp"], LABEL_IDS["skin"], model.regions)
    assert HeadFit.of(model.mean_vertices(), model.triangles, regions) is None


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_the_hair_shell_follows_the_scalp(model, fit, seed) -> None:
    """The shell under the strands sits a few mm above the scalp everywhere: no vertex is
    thrown out along a ray that meets the ear or jaw further out (it used to make a sliver
    from behind the ear down to the shoulder, 77 mm long on a buzz cut)."""
    from morphgen.render.hair.grow import PROFILES
    from morphgen.render.hair.mesh import SHELL_PUSH_MM, _shell
    from morphgen.scene import HairParams

    vertices = _identity(model, seed)
    head = build_head(fit, vertices, vertex_normals(vertices, model.triangles))
    for style in ("buzz", "short", "medium"):
        p = HairParams(style=style, length_mm=60.0, volume_mm=10.0, seed=seed)
        layer = _shell(head, p, PROFILES[style], np.ones(3))
        used = np.unique(head.scalp_triangles)
        lift = max(p.volume_mm * PROFILES[style].shell, 1.5) + 0.6
        nearest = cKDTree(head.vertices[used]).query(layer.vertices)[0]
        assert nearest.max() < lift + SHELL_PUSH_MM
