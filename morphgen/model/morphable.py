"""The MorphableModel: PCA components for shape, colour and expression over one mesh.

Conventions (see README, "Conventions"): model space is in millimetres, right-handed,
y up, z towards the camera when the face looks straight ahead, x towards the subject's
left. A component is ``mean (3N,)``, ``basis (3N, k)`` with orthonormal columns and
``variance (k,)``; an instance is ``mean + basis @ (c * sqrt(variance))`` with
``c ~ N(0, 1)``. Colour is linear RGB in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from morphgen.errors import ModelFormatError
from morphgen.labels import REGIONS


def valid_region_ids() -> str:
    """The label ids a vertex region may hold (a surface's labels, ``labels.REGIONS``), as text."""
    return ", ".join(str(label.id) for label in REGIONS)


def unknown_region_ids(regions: np.ndarray) -> list[int]:
    """The values of ``regions`` that no surface label has (background and layers included)."""
    valid = {label.id for label in REGIONS}
    return sorted(set(np.unique(np.asarray(regions)).tolist()) - valid)


@dataclass
class PCAComponent:
    """A mean plus an orthonormal basis with per-column variances."""

    mean: np.ndarray  # (3N,) float32
    basis: np.ndarray  # (3N, k) float32, orthonormal columns
    variance: np.ndarray  # (k,) float32

    def __post_init__(self) -> None:
        self.mean = np.ascontiguousarray(self.mean, dtype=np.float32).reshape(-1)
        self.basis = np.asarray(self.basis, dtype=np.float32)
        self.variance = np.asarray(self.variance, dtype=np.float32).reshape(-1)
        if self.basis.ndim != 2 or self.basis.shape[0] != self.mean.shape[0]:
            raise ModelFormatError(
                f"basis has shape {self.basis.shape}, expected ({self.mean.shape[0]}, k) "
                "to match the mean"
            )
        if self.variance.shape[0] != self.basis.shape[1]:
            raise ModelFormatError(
                f"variance has {self.variance.shape[0]} entries, expected "
                f"{self.basis.shape[1]} (one per basis column)"
            )

    @property
    def n_components(self) -> int:
        return int(self.basis.shape[1])

    @property
    def scaled_basis(self) -> np.ndarray:
        """``basis * sqrt(variance)``: maps standard-normal coefficients to offsets."""
        return self.basis * np.sqrt(np.maximum(self.variance, 0.0))[None, :]

    def truncated(self, k: int) -> PCAComponent:
        """The first ``k`` components (views, no copy)."""
        k = max(0, min(int(k), self.n_components))
        return PCAComponent(self.mean, self.basis[:, :k], self.variance[:k])

    def offsets(self, coeffs: np.ndarray) -> np.ndarray:
        """Offsets from the mean for a batch of coefficient vectors.

        ``coeffs`` is ``(B, k')`` or ``(k',)`` with ``k' <= k`` standard-normal
        coefficients; the first ``k'`` components are used. Returns ``(B, 3N)`` or
        ``(3N,)`` float32.
        """
        c = np.asarray(coeffs, dtype=np.float32)
        single = c.ndim == 1
        c2 = np.atleast_2d(c)
        k = c2.shape[1]
        if k > self.n_components:
            raise ValueError(f"{k} coefficients given, the component has {self.n_components}")
        if k == 0:
            out = np.zeros((c2.shape[0], self.mean.shape[0]), dtype=np.float32)
        else:
            scaled = c2 * np.sqrt(np.maximum(self.variance[:k], 0.0))[None, :]
            out = scaled @ self.basis[:, :k].T
        return out[0] if single else out

    def instance(self, coeffs: np.ndarray) -> np.ndarray:
        """``mean + offsets(coeffs)``, flat ``(B, 3N)`` or ``(3N,)``."""
        return self.mean + self.offsets(coeffs)


@dataclass
class Blendshapes:
    """Named expression blendshapes: non-negative activations times per-vertex deltas."""

    names: list[str]
    deltas: np.ndarray  # (3N, K) float32; column j is shape j minus the neutral

    def __post_init__(self) -> None:
        self.deltas = np.asarray(self.deltas, dtype=np.float32)
        if self.deltas.ndim != 2 or self.deltas.shape[1] != len(self.names):
            raise ModelFormatError(
                f"blendshape deltas have shape {self.deltas.shape}, "
                f"expected (3N, {len(self.names)})"
            )

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"no blendshape named {name!r}") from None

    def offsets(self, weights: np.ndarray) -> np.ndarray:
        """Offsets for ``(B, K)`` or ``(K,)`` activation weights."""
        w = np.asarray(weights, dtype=np.float32)
        return w @ self.deltas.T


@dataclass
class MorphableModel:
    """A statistical face model: shape, colour and expression over one triangle mesh."""

    shape: PCAComponent
    color: PCAComponent
    triangles: np.ndarray  # (M, 3) int32, 0-based, counter-clockwise seen from outside
    expression: PCAComponent | None = None
    blendshapes: Blendshapes | None = None
    landmarks: dict[str, int] = field(default_factory=dict)  # name -> vertex index
    regions: np.ndarray | None = None  # (N,) uint8 morphgen label ids, never 0
    name: str = "model"
    source: str = ""  # path the model was loaded from
    units: str = "mm"
    # (M, 3, 2) float32 texture coordinates per triangle corner in [0, 1]^2 (u right, v down
    # the texture's rows), or None: the model is coloured per vertex only
    uv: np.ndarray | None = None
    # (N,) int64 for a reduced model (``model.reduce``): each vertex's index in the model it
    # was reduced from; None for a model's own mesh
    vertex_ids: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.triangles = np.ascontiguousarray(self.triangles, dtype=np.int32)
        if self.vertex_ids is not None:
            self.vertex_ids = np.asarray(self.vertex_ids, dtype=np.int64).reshape(-1)
            if self.vertex_ids.shape[0] != self.n_vertices:
                raise ModelFormatError(
                    f"vertex_ids have {self.vertex_ids.shape[0]} entries, expected "
                    f"{self.n_vertices} (one per vertex)"
                )
        if self.uv is not None:
            self.uv = np.ascontiguousarray(self.uv, dtype=np.float32)
            if self.uv.shape != (self.triangles.shape[0], 3, 2):
                raise ModelFormatError(
                    f"uv has shape {self.uv.shape}, expected ({self.triangles.shape[0]}, 3, 2) "
                    "(u, v per triangle corner)"
                )
        n = self.n_vertices
        if self.shape.mean.shape[0] % 3:
            raise ModelFormatError(f"shape mean has {self.shape.mean.shape[0]} values, not 3N")
        for part, comp in (("color", self.color), ("expression", self.expression)):
            if comp is not None and comp.mean.shape[0] != 3 * n:
                raise ModelFormatError(
                    f"{part} mean has {comp.mean.shape[0]} values, expected {3 * n} (3 x vertices)"
                )
        if self.blendshapes is not None and self.blendshapes.deltas.shape[0] != 3 * n:
            raise ModelFormatError(
                f"blendshapes have {self.blendshapes.deltas.shape[0]} rows, expected {3 * n}"
            )
        if self.triangles.ndim != 2 or self.triangles.shape[1] != 3:
            raise ModelFormatError(f"triangles have shape {self.triangles.shape}, expected (M, 3)")
        if self.triangles.shape[0] == 0:
            raise ModelFormatError("the mesh has no triangles; a model needs at least one")
        if self.triangles.size and (self.triangles.min() < 0 or self.triangles.max() >= n):
            raise ModelFormatError(
                f"triangle indices range {self.triangles.min()}..{self.triangles.max()}, "
                f"expected 0..{n - 1}"
            )
        for name, idx in self.landmarks.items():
            if not 0 <= idx < n:
                raise ModelFormatError(f"landmark {name!r} has vertex {idx}, expected 0..{n - 1}")
        if self.regions is not None:
            bad = unknown_region_ids(self.regions)
            if bad:
                raise ModelFormatError(
                    f"regions hold unknown label ids {bad}; valid ids {valid_region_ids()}"
                )
            self.regions = np.asarray(self.regions, dtype=np.uint8).reshape(-1)
            if self.regions.shape[0] != n:
                raise ModelFormatError(
                    f"regions have {self.regions.shape[0]} entries, expected {n} (one per vertex)"
                )

    @property
    def n_vertices(self) -> int:
        return self.shape.mean.shape[0] // 3

    @property
    def n_triangles(self) -> int:
        return int(self.triangles.shape[0])

    def mean_vertices(self) -> np.ndarray:
        """The mean shape as ``(N, 3)``."""
        return self.shape.mean.reshape(-1, 3)

    def shape_instance(self, coeffs: np.ndarray) -> np.ndarray:
        """Vertices ``(B, N, 3)`` (or ``(N, 3)``) for standard-normal shape coefficients."""
        flat = self.shape.instance(coeffs)
        return flat.reshape(*flat.shape[:-1], -1, 3)

    def color_instance(self, coeffs: np.ndarray) -> np.ndarray:
        """Per-vertex linear RGB ``(B, N, 3)`` (or ``(N, 3)``), clipped to [0, 1]."""
        flat = np.clip(self.color.instance(coeffs), 0.0, 1.0)
        return flat.reshape(*flat.shape[:-1], -1, 3)

    def expression_offsets(
        self, coeffs: np.ndarray | None = None, weights: np.ndarray | None = None
    ) -> np.ndarray:
        """Vertex offsets ``(B, N, 3)`` from PCA coefficients and/or blendshape weights.

        The PCA expression mean is added too (normally ~0), as Basel's models do.
        """
        parts = []
        if coeffs is not None and self.expression is not None:
            parts.append(np.atleast_2d(self.expression.instance(coeffs)))
        if weights is not None and self.blendshapes is not None:
            parts.append(np.atleast_2d(self.blendshapes.offsets(weights)))
        if not parts:
            return np.zeros((1, self.n_vertices, 3), dtype=np.float32)
        total = parts[0] if len(parts) == 1 else parts[0] + parts[1]
        return total.reshape(total.shape[0], -1, 3)

    def triangle_regions(self) -> np.ndarray:
        """One label per triangle: the region most of its vertices carry (ties: first vertex)."""
        if self.regions is None:
            return np.ones(self.n_triangles, dtype=np.uint8)
        r = self.regions[self.triangles]
        a, b, c = r[:, 0], r[:, 1], r[:, 2]
        return np.where((b == c) & (a != b), b, a).astype(np.uint8)

    def truncated(
        self, shape: int | None = None, color: int | None = None, expression: int | None = None
    ) -> MorphableModel:
        """A model using only the first k components of each part (None keeps all)."""

        def cut(comp: PCAComponent | None, k: int | None) -> PCAComponent | None:
            return comp if comp is None or k is None else comp.truncated(k)

        return MorphableModel(
            shape=cut(self.shape, shape),
            color=cut(self.color, color),
            triangles=self.triangles,
            expression=cut(self.expression, expression),
            blendshapes=self.blendshapes,
            landmarks=dict(self.landmarks),
            regions=self.regions,
            name=self.name,
            source=self.source,
            units=self.units,
            uv=self.uv,
            vertex_ids=self.vertex_ids,
        )

    def ibug68(self) -> np.ndarray | None:
        """Vertex indices of the 68 iBUG landmarks (``ibug01``..``ibug68``), if all present."""
        names = [f"ibug{i:02d}" for i in range(1, 69)]
        if all(n in self.landmarks for n in names):
            return np.array([self.landmarks[n] for n in names], dtype=np.int64)
        return None
