"""SceneParams: everything needed to render one image, as pure data.

The sampler produces one ``SceneParams`` per image; the renderer consumes it. It is
JSON-serialisable through ``to_dict``/``from_dict`` so that every output sample carries
enough metadata to be re-rendered exactly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

NEAR_MM = 10.0  # default clipping planes of every camera
FAR_MM = 100000.0


def _floats(values: Any) -> list[float]:
    return np.asarray(values, dtype=np.float64).reshape(-1).tolist()


@dataclass
class CameraParams:
    """Pinhole camera. Focal length and sensor in mm (Basel: 50 mm, 15 mm sensor) or a fov.

    ``fov_deg``, when set, is the horizontal field of view and overrides focal/sensor.
    The principal point is the image centre plus ``principal_offset`` pixels.
    ``centring`` places the face in the frame: ``none`` (the pose alone decides),
    ``facebox`` (the projected face region's box centred) or ``landmarks`` (the
    projected iBUG-68 landmarks' box centred). ``shift`` moves the face by a fraction
    of the image size after centring; ``scale`` multiplies the focal length (zoom).
    """

    width: int = 256
    height: int = 256
    focal_mm: float = 50.0
    sensor_mm: float = 15.0  # sensor width; height follows the image aspect ratio
    fov_deg: float | None = None
    distance_mm: float = 1000.0
    principal_offset: tuple[float, float] = (0.0, 0.0)
    centring: str = "facebox"
    shift: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0
    near_mm: float = NEAR_MM
    far_mm: float = FAR_MM


@dataclass
class Illumination:
    """Spherical-harmonics light: 9 coefficients (bands l <= 2) per RGB channel.

    Coefficient order: (l,m) = (0,0), (1,-1), (1,0), (1,1), (2,-2), (2,-1), (2,0), (2,1),
    (2,2), real orthonormal SH, evaluated on unit normals in camera space. ``occlusion``
    scales the model's ambient occlusion and ``shadows`` the head's own shadows from the
    dominant light (``render.occlusion``; 0: none, 1: full).
    """

    sh: np.ndarray = field(default_factory=lambda: np.zeros((9, 3), dtype=np.float32))
    specular_strength: float = 0.0
    specular_shininess: float = 20.0
    # colour transform as Basel: gain * (c * contrast + luminance * (1 - contrast)) + offset
    gain: tuple[float, float, float] = (1.0, 1.0, 1.0)
    contrast: float = 1.0
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    occlusion: float = 0.0
    shadows: float = 0.0


@dataclass
class HairParams:
    """An identity's hairstyle and colour (geometry: ``morphgen.render.hair``).

    ``style``: none (bald), shaved, buzz, short, medium, long, curly, afro, ponytail, bun.
    Lengths in mm. ``parting`` places the parting from -1 (over the subject's right eye)
    to 1 (left eye); 0 combs the top straight back. ``recession_mm`` pushes the front
    hairline back (more at the temples with ``temples``), ``crown_mm`` is the radius of a
    bald crown, ``fringe`` the share of front hair that falls over the forehead. Colour is
    melanin-style: ``eumelanin`` (dark) and ``pheomelanin`` (red) concentrations in [0, 1],
    ``grey`` the share of unpigmented strands. ``seed`` drives root placement and jitter.
    """

    style: str = "none"
    length_mm: float = 0.0
    volume_mm: float = 0.0
    curl: float = 0.0
    parting: float = 0.0
    recession_mm: float = 0.0
    temples: float = 0.0
    crown_mm: float = 0.0
    fringe: float = 0.0
    density: float = 1.0
    eumelanin: float = 0.5
    pheomelanin: float = 0.1
    grey: float = 0.0
    seed: int = 0


@dataclass
class AppearanceParams:
    """An identity's texture factors (config ``appearance``); the texture is a pure function
    of these and the identity's colour. Colours are linear RGB."""

    seed: int = 0  # the texture's own noise stream
    texture_size: int = 512  # texels per side of the identity's texture
    age: float = 0.3
    pores: float = 0.6
    freckles: float = 0.0
    moles: int = 0
    redness: float = 0.3
    crease_mm: float = 0.0  # upper-lid crease height above the lid margin (0: none)
    lip_tint: float = 0.5
    skin_tone: float = 0.0  # CIE L* of the mean face-skin albedo (derived; for statistics)
    hair_colour: str = "dark_brown"
    hair_rgb: tuple[float, float, float] = (0.05, 0.03, 0.02)
    hair_grey: float = 0.0  # share of white hairs among brows, lashes and beard (hair_rgb: mean)
    brow_thickness: float = 1.0
    brow_arch: float = 1.0
    brow_length: float = 1.0
    brow_gap: float = 0.0
    brow_density: float = 0.8
    iris_colour: str = "brown"
    iris_rgb: tuple[float, float, float] = (0.12, 0.06, 0.03)
    pupil: float = 0.4
    lashes: float = 1.0
    beard: str = "none"
    beard_density: float = 0.0
    beard_shadow: float = 0.0  # clean-shaven faces: stubble under the skin, 0 to 1
    # cosmetics (``appearance.makeup``): strengths in [0, 1], 0 where none is worn
    makeup: bool = False
    lipstick: float = 0.0
    lipstick_colour: str = "none"
    lipstick_rgb: tuple[float, float, float] = (0.0, 0.0, 0.0)
    eye_shadow: float = 0.0
    eye_shadow_colour: str = "none"
    eye_shadow_rgb: tuple[float, float, float] = (0.0, 0.0, 0.0)
    eyeliner: float = 0.0
    mascara: float = 0.0
    blush: float = 0.0

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AppearanceParams:
        d = dict(d)
        for key in ("hair_rgb", "iris_rgb", "lipstick_rgb", "eye_shadow_rgb"):
            if key in d:
                d[key] = tuple(float(v) for v in d[key])
        return cls(**d)


@dataclass
class SceneParams:
    """The parameters of one image (identity ``identity``, sample ``sample``)."""

    identity: int
    sample: int
    shape: np.ndarray  # (ks,) standard-normal shape coefficients
    color: np.ndarray  # (kc,) standard-normal colour coefficients
    expression: np.ndarray  # (ke,) standard-normal PCA expression coefficients (may be empty)
    blendshapes: np.ndarray  # (K,) non-negative blendshape weights (may be empty)
    yaw: float = 0.0  # degrees; positive turns the face towards the subject's left
    pitch: float = 0.0  # degrees
    roll: float = 0.0  # degrees
    translation: tuple[float, float, float] = (0.0, 0.0, 0.0)  # mm, camera space
    camera: CameraParams = field(default_factory=CameraParams)
    illumination: Illumination = field(default_factory=Illumination)
    background: dict[str, Any] = field(default_factory=lambda: {"kind": "gradient", "seed": 0})
    augment: list[dict[str, Any]] = field(default_factory=list)
    hair: HairParams = field(default_factory=HairParams)
    # accessories of this image: {"kind": ..., ...} mappings (``morphgen.render.accessories``)
    glasses: dict[str, Any] | None = None
    headwear: dict[str, Any] | None = None
    clothing: dict[str, Any] | None = None
    appearance: AppearanceParams | None = None  # None: per-vertex colour only
    sex: str | None = None  # the identity's sex, female or male (``identities.sex``)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (arrays become lists)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                out[f.name] = _floats(value)
            elif f.name == "hair" or (f.name in ("camera", "appearance") and value is not None):
                out[f.name] = asdict(value)
            elif f.name == "illumination":
                d = asdict(value)
                d["sh"] = np.asarray(value.sh, dtype=np.float64).round(8).tolist()
                out[f.name] = d
            elif isinstance(value, tuple):
                out[f.name] = [float(v) for v in value]
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SceneParams:
        """Inverse of ``to_dict``."""
        cam = dict(d.get("camera", {}))
        for key in ("principal_offset", "shift"):
            if key in cam:
                cam[key] = tuple(cam[key])
        ill = dict(d.get("illumination", {}))
        if "sh" in ill:
            ill["sh"] = np.asarray(ill["sh"], dtype=np.float32).reshape(9, 3)
        for key in ("gain", "offset"):
            if key in ill:
                ill[key] = tuple(ill[key])
        return cls(
            identity=int(d["identity"]),
            sample=int(d["sample"]),
            shape=np.asarray(d.get("shape", []), dtype=np.float32),
            color=np.asarray(d.get("color", []), dtype=np.float32),
            expression=np.asarray(d.get("expression", []), dtype=np.float32),
            blendshapes=np.asarray(d.get("blendshapes", []), dtype=np.float32),
            yaw=float(d.get("yaw", 0.0)),
            pitch=float(d.get("pitch", 0.0)),
            roll=float(d.get("roll", 0.0)),
            translation=tuple(d.get("translation", (0.0, 0.0, 0.0))),
            camera=CameraParams(**cam),
            illumination=Illumination(**ill),
            background=dict(d.get("background", {})),
            augment=list(d.get("augment", [])),
            hair=HairParams(**d.get("hair", {})),
            glasses=d.get("glasses"),
            headwear=d.get("headwear"),
            clothing=d.get("clothing"),
            appearance=(
                None if d.get("appearance") is None else AppearanceParams.from_dict(d["appearance"])
            ),
            sex=d.get("sex"),
        )
