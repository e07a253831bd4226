"""Build morphgen's default model from ICT-FaceKit's ICT Face Model Light.

Facts about the source (REFERENCE section 9; ICT-FaceKit README, MIT licence, Copyright (c)
2020 USC Institute for Creative Technologies): every OBJ in ``FaceXModel/`` shares one
topology (26,719 vertices, mostly quads), coordinates are in centimetres with y up, +z towards
the viewer and +x towards the subject's left; ``identityNNN.obj`` minus the neutral mesh is
identity mode NNN, and ICT's own sampler draws the mode weights from N(0, 1).

The model built here keeps the head, mouth, teeth and scleras, drops the parts that need
special shaders and the hidden iris shell, turns the identity modes into an orthonormal PCA
basis with the same distribution, keeps the named expression blendshapes, and adds a
procedural colour model (``colour_model``), regions and landmarks (``ict_regions``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from morphgen.errors import MorphgenError
from morphgen.model.build.colour_model import build_colour_model
from morphgen.model.build.ict_regions import EyeGeometry, eye_geometry, ict_landmarks, ict_regions
from morphgen.model.build.ict_uv import pack_atlas, read_obj_corner_uvs
from morphgen.model.morphable import Blendshapes, MorphableModel, PCAComponent

NEUTRAL_FILE = "generic_neutral_mesh.obj"
INDEX_FILE = "vertex_indices.json"
CM_TO_MM = 10.0

# Part kinds: which vertices are kept and how they are labelled and painted.
KEPT_KINDS = ("skin", "mouth_socket", "eye_socket", "gums", "teeth", "sclera")
DROPPED_KINDS = ("iris", "drop")


@dataclass(frozen=True)
class Part:
    """A contiguous, inclusive vertex range of the source mesh."""

    name: str
    first: int
    last: int
    kind: str  # one of KEPT_KINDS or DROPPED_KINDS


@dataclass(frozen=True)
class ICTLayout:
    """The part layout of an ICT-style model folder and how many identity files it has."""

    parts: tuple[Part, ...]
    n_identities: int

    @property
    def n_vertices(self) -> int:
        return self.parts[-1].last + 1

    def kinds(self) -> np.ndarray:
        """The part kind of every source vertex."""
        kinds = np.empty(self.n_vertices, dtype=object)
        for part in self.parts:
            kinds[part.first : part.last + 1] = part.kind
        return kinds


# ICT Face Model Light's vertex ranges (ICT-FaceKit README, "Face Model Topology" and
# "Eyeball Details"); lacrimal fluid, eye blend, eye occlusion and eyelashes need special
# shaders, and the iris is an inner shell behind the sclera (REFERENCE section 9).
ICT_FACE_MODEL_LIGHT = ICTLayout(
    parts=(
        Part("face", 0, 9408, "skin"),
        Part("head_and_neck", 9409, 11247, "skin"),
        Part("mouth_socket", 11248, 13293, "mouth_socket"),
        Part("eye_socket_left", 13294, 13677, "eye_socket"),
        Part("eye_socket_right", 13678, 14061, "eye_socket"),
        Part("gums_and_tongue", 14062, 17038, "gums"),
        Part("teeth", 17039, 21450, "teeth"),
        Part("sclera_left", 21451, 22220, "sclera"),
        Part("iris_left", 22221, 23020, "iris"),
        Part("sclera_right", 23021, 23790, "sclera"),
        Part("iris_right", 23791, 24590, "iris"),
        Part("lacrimal_fluid", 24591, 24998, "drop"),
        Part("eye_blend", 24999, 25046, "drop"),
        Part("eye_occlusion", 25047, 25350, "drop"),
        Part("eyelashes", 25351, 26718, "drop"),
    ),
    n_identities=100,
)


@dataclass
class ICTSource:
    """The meshes of an ICT-style folder, in millimetres, full source indexing."""

    neutral: np.ndarray  # (N, 3) float64
    identities: np.ndarray  # (n_identities, N, 3) float64
    expression_names: list[str]
    expressions: np.ndarray  # (K, N, 3) float64, whole meshes
    triangles: np.ndarray  # (M, 3) int64
    landmarks: list[int]  # iBUG-68 vertex indices, or empty
    uv: np.ndarray | None = None  # (M, 3, 2) OBJ texture coordinates per triangle corner


def _split_obj(path: Path) -> tuple[list[bytes], list[bytes]]:
    """The ``v`` and ``f`` lines of an OBJ file (without their keyword)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MorphgenError(f"{path}: missing (expected an ICT-FaceKit OBJ file)") from None
    except OSError as exc:
        raise MorphgenError(f"{path}: cannot read ({exc.strerror})") from None
    verts, faces = [], []
    for line in data.split(b"\n"):
        if line.startswith(b"v "):
            verts.append(line[2:])
        elif line.startswith(b"f "):
            faces.append(line[2:])
    return verts, faces


def read_obj_vertices(path: Path, n_vertices: int) -> tuple[np.ndarray, str]:
    """Vertices ``(n_vertices, 3)`` in millimetres and a digest of the face lines."""
    verts, faces = _split_obj(path)
    try:
        xyz = np.array(b" ".join(line.strip() for line in verts).split(), dtype=np.float64)
        xyz = xyz.reshape(len(verts), 3)
    except ValueError:
        raise MorphgenError(
            f"{path}: unparsable vertex lines (expected 'v x y z' with three numbers)"
        ) from None
    if len(verts) != n_vertices:
        raise MorphgenError(
            f"{path}: {len(verts)} vertices, expected {n_vertices} (the same topology as "
            f"{NEUTRAL_FILE})"
        )
    if not np.isfinite(xyz).all():
        raise MorphgenError(f"{path}: non-finite vertex coordinates")
    digest = hashlib.sha1(b"\n".join(faces)).hexdigest()
    return xyz * CM_TO_MM, digest


def read_obj_triangles(path: Path, n_vertices: int) -> np.ndarray:
    """The polygons of an OBJ file as triangles ``(M, 3)``, 0-based, winding kept.

    A polygon ``v0 v1 ... vk`` becomes the fan ``(v0, vi, vi+1)``: for a quad ``abcd``,
    ``abc`` and ``acd``, so every file of one topology is split the same way.
    """
    _, faces = _split_obj(path)
    tris: list[tuple[int, int, int]] = []
    try:
        for line in faces:
            idx = [int(tok.split(b"/")[0]) - 1 for tok in line.split()]
            if len(idx) < 3:
                raise ValueError
            tris.extend((idx[0], idx[i], idx[i + 1]) for i in range(1, len(idx) - 1))
    except ValueError:
        raise MorphgenError(
            f"{path}: unparsable face line (expected 'f i j k ...' with 1-based indices)"
        ) from None
    out = np.array(tris, dtype=np.int64).reshape(-1, 3)
    if out.size == 0 or out.min() < 0 or out.max() >= n_vertices:
        raise MorphgenError(f"{path}: face indices outside 1..{n_vertices} (or no faces at all)")
    return out


def _model_dir(folder: Path) -> Path:
    """Accept a checkout of ICT-FaceKit or its ``FaceXModel`` folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MorphgenError(f"{folder}: not a folder (expected an ICT-FaceKit checkout)")
    sub = folder / "FaceXModel"
    return sub if sub.is_dir() else folder


def read_index_file(model_dir: Path) -> dict:
    """``vertex_indices.json``: needs ``expressions`` (names) and may hold landmarks."""
    path = model_dir / INDEX_FILE
    try:
        index = json.loads(path.read_text())
    except FileNotFoundError:
        raise MorphgenError(
            f"{path}: missing (expected ICT-FaceKit's FaceXModel/{INDEX_FILE})"
        ) from None
    except (OSError, ValueError) as exc:
        raise MorphgenError(f"{path}: not readable JSON ({exc})") from None
    names = index.get("expressions") if isinstance(index, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise MorphgenError(f"{path}: expected a list of names under 'expressions'")
    return index


def read_ict_folder(folder: Path, layout: ICTLayout = ICT_FACE_MODEL_LIGHT) -> ICTSource:
    """Read and check every OBJ of an ICT-style folder (same topology everywhere)."""
    model_dir = _model_dir(folder)
    index = read_index_file(model_dir)
    n = layout.n_vertices
    neutral_path = model_dir / NEUTRAL_FILE
    neutral, digest = read_obj_vertices(neutral_path, n)
    triangles = read_obj_triangles(neutral_path, n)

    def load(name: str) -> np.ndarray:
        path = model_dir / name
        xyz, other = read_obj_vertices(path, n)
        if other != digest:
            raise MorphgenError(
                f"{path}: its faces differ from {NEUTRAL_FILE} (same topology expected)"
            )
        return xyz

    identities = np.stack([load(f"identity{i:03d}.obj") for i in range(layout.n_identities)])
    names = list(index["expressions"])
    expressions = (
        np.stack([load(f"{name}.obj") for name in names]) if names else np.zeros((0, n, 3))
    )
    landmarks = [int(i) for i in index.get("idx_to_landmark_verts", [])]
    if landmarks and (len(landmarks) != 68 or min(landmarks) < 0 or max(landmarks) >= n):
        raise MorphgenError(
            f"{model_dir / INDEX_FILE}: 'idx_to_landmark_verts' must hold 68 vertex indices "
            f"in 0..{n - 1}"
        )
    uv = read_obj_corner_uvs(neutral_path)
    return ICTSource(neutral, identities, names, expressions, triangles, landmarks, uv)


def orient_subject_left(source: ICTSource) -> bool:
    """Make +x the subject's left (checked with the ``_L`` blendshapes); True if mirrored.

    Mirroring x also reverses every triangle so front faces stay counter-clockwise.
    """
    side = 0.0
    for k, name in enumerate(source.expression_names):
        if name.endswith(("_L", "_R")):
            moved = np.linalg.norm(source.expressions[k] - source.neutral, axis=1)
            if moved.max() > 0:
                x = np.average(source.neutral[:, 0], weights=moved)
                side += x if name.endswith("_L") else -x
    if side >= 0:
        return False
    for arr in (source.neutral, source.identities, source.expressions):
        arr[..., 0] *= -1.0
    source.triangles = source.triangles[:, [0, 2, 1]]
    if source.uv is not None:
        source.uv = source.uv[:, [0, 2, 1]]
    return True


def pca_from_modes(modes: np.ndarray, retained: float, max_components: int | None) -> tuple:
    """Orthonormal basis and variances with the distribution of ``modes @ w``, w ~ N(0, I).

    ``modes`` is ``(3N, m)``. The covariance ``modes @ modes.T`` is ``U S^2 U^T``, so the basis
    is ``U`` and the variances ``S^2``; components are kept until ``retained`` of the total
    variance is reached (at most ``max_components``). Returns ``(basis, variance, fraction)``.
    """
    u, s, _ = np.linalg.svd(modes, full_matrices=False)
    variance = s**2
    total = variance.sum()
    if total <= 0:
        return u[:, :0], variance[:0], 1.0
    cum = np.cumsum(variance) / total
    k = int(np.searchsorted(cum, retained - 1e-12) + 1)
    k = min(k, int((variance > total * 1e-12).sum()))
    if max_components is not None:
        k = min(k, max_components)
    # A sign convention makes the build deterministic across LAPACK builds.
    signs = np.sign(u[np.abs(u[:, :k]).argmax(axis=0), np.arange(k)])
    basis = u[:, :k] * np.where(signs == 0, 1.0, signs)[None, :]
    return basis, variance[:k], float(cum[k - 1]) if k else 0.0


# Expression PCA prior: each blendshape active with probability 1/4, activation uniform in
# [0, 1] when active. The PCA keeps the second moment E[a a^T] = diag(p / 3) around the neutral
# face (mean 0), so c = 0 is the neutral expression, as in Basel's expression models.
EXPRESSION_ACTIVE_PROBABILITY = 0.25


@dataclass
class BuildReport:
    """What the build measured, for the README and the script's output."""

    mirrored: bool
    n_vertices: int
    n_triangles: int
    shape_components: int
    shape_retained: float
    shape_rms_mm: float
    expression_components: int
    colour_components: int


def _keep_map(layout: ICTLayout) -> tuple[np.ndarray, np.ndarray]:
    """Kept source vertex indices and the source -> kept index map (-1 if dropped)."""
    kinds = layout.kinds()
    keep = np.flatnonzero(np.isin(kinds, KEPT_KINDS))
    remap = np.full(layout.n_vertices, -1, dtype=np.int64)
    remap[keep] = np.arange(keep.size)
    return keep, remap


def build_default_model(
    folder: Path,
    layout: ICTLayout = ICT_FACE_MODEL_LIGHT,
    *,
    shape_retained: float = 0.995,
    max_shape_components: int | None = None,
    expression_retained: float = 0.999,
    mantissa_bits: int | None = 16,
    seed: int = 0,
) -> tuple[MorphableModel, BuildReport]:
    """Build the default model from an ICT-style folder (see the module docstring).

    ``shape_retained`` / ``expression_retained``: fraction of variance the PCA keeps.
    ``mantissa_bits``: round bases and blendshape deltas to this many float32 mantissa bits
    (relative error <= 2**-(bits+1)) so that gzip compresses them; None keeps them exact.
    """
    src = read_ict_folder(folder, layout)
    mirrored = orient_subject_left(src)
    keep, remap = _keep_map(layout)
    kinds = layout.kinds()
    eyes = [eye_geometry(src.neutral, sclera, iris) for sclera, iris in _eye_parts(layout)]
    tri_keep = (remap[src.triangles] >= 0).all(axis=1)
    triangles = remap[src.triangles[tri_keep]].astype(np.int32)

    neutral = src.neutral[keep]
    modes = (src.identities[:, keep] - neutral[None]).reshape(layout.n_identities, -1).T
    basis, variance, fraction = pca_from_modes(modes, shape_retained, max_shape_components)
    shape = PCAComponent(neutral.reshape(-1), basis, variance)

    deltas = (src.expressions[:, keep] - neutral[None]).reshape(len(src.expression_names), -1).T
    blendshapes = Blendshapes(list(src.expression_names), deltas)
    second_moment = EXPRESSION_ACTIVE_PROBABILITY / 3.0
    e_basis, e_var, _ = pca_from_modes(deltas * np.sqrt(second_moment), expression_retained, None)
    expression = PCAComponent(np.zeros(deltas.shape[0]), e_basis, e_var)

    kept_eyes = [EyeGeometry(e.centre, e.axis, remap[e.vertices]) for e in eyes]
    landmarks = ict_landmarks([int(remap[i]) for i in src.landmarks], kept_eyes, neutral)
    jaw = _named_delta(src, "jawOpen")
    regions = ict_regions(
        neutral,
        kinds[keep],
        landmarks,
        kept_eyes,
        None if jaw is None else jaw[keep],
        triangles,
    )
    colour = build_colour_model(neutral, kinds[keep], regions, landmarks, kept_eyes, seed=seed)
    uv = None
    if src.uv is not None:
        first = triangles[:, 0]
        uv = pack_atlas(src.uv[tri_keep], kinds[keep][first], np.sign(neutral[first, 0]))
    if mantissa_bits is not None:
        for comp in (shape, expression, colour):
            comp.basis = round_mantissa(comp.basis, mantissa_bits)
        blendshapes.deltas = round_mantissa(blendshapes.deltas, mantissa_bits)
    model = MorphableModel(
        shape=shape,
        color=colour,
        triangles=triangles,
        expression=expression,
        blendshapes=blendshapes,
        landmarks=landmarks,
        regions=regions,
        name="ICT Face Model Light (ICT-FaceKit, MIT) + morphgen procedural colour",
        units="mm",
        uv=uv,
    )
    report = BuildReport(
        mirrored=mirrored,
        n_vertices=model.n_vertices,
        n_triangles=model.n_triangles,
        shape_components=shape.n_components,
        shape_retained=fraction,
        shape_rms_mm=float(np.sqrt(variance.sum() / model.n_vertices)),
        expression_components=expression.n_components,
        colour_components=colour.n_components,
    )
    return model, report


def round_mantissa(values: np.ndarray, bits: int) -> np.ndarray:
    """float32 ``values`` rounded to ``bits`` mantissa bits (round half up on the magnitude)."""
    raw = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)
    drop = 23 - bits
    if drop <= 0:
        return raw.view(np.float32)
    half = np.uint32(1 << (drop - 1))
    keep = np.uint32((0xFFFFFFFF << drop) & 0xFFFFFFFF)
    return ((raw + half) & keep).view(np.float32)


def _named_delta(src: ICTSource, name: str) -> np.ndarray | None:
    if name not in src.expression_names:
        return None
    return src.expressions[src.expression_names.index(name)] - src.neutral


def _eye_parts(layout: ICTLayout) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per eyeball, the sclera's and the iris shell's source vertices (the iris may be empty).

    A sclera pairs with the iris part that directly follows it in the layout.
    """
    out = []
    for i, part in enumerate(layout.parts):
        if part.kind != "sclera":
            continue
        nxt = layout.parts[i + 1] if i + 1 < len(layout.parts) else None
        has_iris = nxt is not None and nxt.kind == "iris"
        iris = np.arange(nxt.first, nxt.last + 1) if has_iris else np.zeros(0, dtype=np.int64)
        out.append((np.arange(part.first, part.last + 1), iris))
    return out
