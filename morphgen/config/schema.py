"""The YAML config schema: one pydantic model per section, every default declared here only.

Scalar factors are distributions (``morphgen.config.distributions``): a plain number
is a constant, a mapping with ``dist:`` is anything else. Unknown keys are errors.
Relative paths are resolved against the config file's directory and must exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from morphgen.config.distributions import Choice, Dist, Grid, Mixture, TruncNormal, resolve_path
from morphgen.config.distributions import constant as const
from morphgen.config.distributions import uniform as unif
from morphgen.config.layers import Accessories, Hair
from morphgen.config.presets import PRESETS
from morphgen.scene import CameraParams

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]


# Every name list of the config, declared once; argparse choices and checks elsewhere use these.
BACKENDS = ("auto", "cpu", "egl", "osmesa")
CENTRING = ("none", "facebox", "landmarks")
BACKGROUND_KINDS = ("gradient", "texture", "clutter", "solid", "noise")
DEFOCUSED_KINDS = ("texture", "clutter", "noise")  # blurred by background.defocus
FORMATS = ("webdataset", "hdf5", "folders")
IMAGE_FORMATS = ("png", "jpg")
DEPTH_MODES = ("none", "png16", "npy")
# amodal: the mask without hair/glasses/headwear/clothing; occluders: their bits
EXTRAS = ("normals", "albedo", "illumination", "correspondence", "amodal", "occluders")
LABEL_SETS = ("morphgen", "celebamask", "celebamask_bisenet", "lapa", "helen", "facesynthetics")


def _path_check(kind: str):
    def check(value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else resolve_path(value, info, kind)

    return AfterValidator(check)


ExistingFile = Annotated[Path, _path_check("file")]
ExistingDir = Annotated[Path, _path_check("dir")]


def _tnorm(mean: float, std: float, low: float, high: float) -> TruncNormal:
    return TruncNormal(dist="truncnormal", mean=mean, std=std, low=low, high=high)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --------------------------------------------------------------------------- model
class ModelSection(Section):
    """Which morphable model: ``path`` (BFM .mat/.h5; null = the embedded default)."""

    path: ExistingFile | None = None
    regions: ExistingFile | None = None  # per-vertex region labels overriding the model's
    landmarks: ExistingFile | None = None  # landmark definitions overriding the model's


# ---------------------------------------------------------------------- identities
class Coefficients(Section):
    """How many PCA components to draw (null = all) and a scale on their std."""

    components: Annotated[int, Field(ge=0)] | None = None
    scale: Annotated[float, Field(ge=0.0)] = 1.0


# what the bounds of ``ColorCoefficients`` are measured in (for their error messages)
_RANGE_UNITS = {
    "lightness": "CIE L*, 0-100",
    "hue": "CIELAB hue, degrees",
    "chroma": "CIELAB chroma, 0-150",
}


class ColorCoefficients(Coefficients):
    """Colour components, and bounds on the mean skin albedo of each draw (``sampling.
    skin_tone``). ``lightness``: its CIE L* range; a draw outside is moved towards the mean
    colour onto the nearest bound (real skin spans about L* 25-80; a Gaussian draw's tails
    reach black). The default's upper bound, 90, leaves light models alone (the BFM-sized
    test model's mean is L* 79). ``hue`` and ``chroma``: its CIELAB hue (degrees) and
    chroma ranges; a draw outside is moved, at the same L*, onto the nearest bounds (a
    linear model's redness swings dark skin to mauve or green-grey, and leaves it greyer
    than real skin). ``tone``: a distribution of L* to draw each
    identity's skin tone from (moved along the luminance gradient onto it, within
    ``lightness``) instead of the model's own. Null: no bound / the model's tones."""

    lightness: tuple[Annotated[float, Field(ge=0.0, le=100.0)], ...] | None = (25.0, 90.0)
    hue: tuple[Annotated[float, Field(ge=-180.0, le=180.0)], ...] | None = (45.0, 70.0)
    chroma: tuple[Annotated[float, Field(ge=0.0, le=150.0)], ...] | None = (16.0, 40.0)
    tone: Dist | None = None

    @field_validator("lightness", "hue", "chroma")
    @classmethod
    def _range(
        cls, value: tuple[float, ...] | None, info: ValidationInfo
    ) -> tuple[float, ...] | None:
        if value is not None and (len(value) != 2 or value[0] >= value[1]):
            unit = _RANGE_UNITS[info.field_name]
            raise ValueError(f"expected [low, high] with low < high ({unit})")
        return value

    @field_validator("tone")
    @classmethod
    def _no_grid(cls, value: Any) -> Any:
        if getattr(value, "is_grid", False):
            raise ValueError("a grid is for scene factors, not identity ones")
        return value


class MinDistance(Section):
    """Reject identities closer than ``distance`` to any lower-index identity.

    ``space``: ``shape_rms_mm`` is the RMS per-vertex distance of the shapes in mm
    (exact from the coefficients, as the basis is orthonormal); ``coefficients`` is the
    Euclidean distance of the standard-normal shape+colour coefficient vectors.
    """

    distance: Positive
    space: Literal["shape_rms_mm", "coefficients"] = "shape_rms_mm"
    max_tries: Annotated[int, Field(ge=1)] = 100


MIN_IMAGE_SIZE, MAX_IMAGE_SIZE = 8, 8192  # pixels, each of camera.width and camera.height
# The shard plan lists every (identity, sample) pair in memory (about 80 bytes each, plan
# and shards measured with tracemalloc), so the number of identities is bounded: 10 million
# at 8 images each plan in about 6.4 GB.
MAX_IDENTITIES = 10_000_000
# Default shape spread: 1.6 x the model's own (ICT's sampler) standard deviations. Measured
# with dlib (`morphgen realism`, README "Realism report"): 1.4 took different-identity pairs
# closer than 0.6 from 64 % to 50 % on the first textured build; 1.5 with noses at 1.3x
# (``Features``) lowered them again on each of four draws (0.5-1.6 points) for 0.006-0.013
# of detection; with the ambient occlusion, 1.6 lowered them on each of five draws (0.4-1.1
# points) with detection unchanged and NME up by 0.001-0.003; heads still look plausible.
SHAPE_SPREAD = 1.6


SEXES = ("female", "male")


class Sex(Section):
    """Each identity is feminine or masculine (drawn once per identity).

    Real faces differ most between the sexes, and a recogniser keys on it, so the factors
    that differ with sex are drawn together: hairstyle (``hair.styles``), balding, beard
    (masculine only), brow shape and lip colour (``appearance``), and the face shape:
    ``shape`` standard deviations along the model's masculinity direction, towards it for
    masculine identities and away for feminine ones (``sampling/sex.py``; 0: off).
    """

    male_probability: Probability = 0.5
    shape: Annotated[float, Field(ge=0.0, le=5.0)] = 1.5


class Features(Section):
    """Extra shape spread along the directions that move one facial feature more than the
    rest of the head (``sampling/detail.py``), within components ``first`` (0-based) on:
    each feature's spread multiplies the shape spread along its directions (1: off).
    ``face`` is the inner face (skin, nose, eyes, brows: not the mouth, ears, neck, scalp).
    By default only the nose, at 1.3x: a pair's nose-shape difference follows dlib's
    descriptor distance most closely of the regions; ``nose: 2`` raised NME past its 0.07
    target (README "Realism report")."""

    face: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    nose: Annotated[float, Field(ge=0.0, le=5.0)] = 1.3
    eyes: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    first: Annotated[int, Field(ge=0)] = 0

    def spreads(self) -> dict[str, float]:
        """The spread of each feature by name."""
        return {name: getattr(self, name) for name in type(self).model_fields if name != "first"}


class Identities(Section):
    count: Annotated[int, Field(ge=1, le=MAX_IDENTITIES)] = 10
    # a distribution (rounded, at least 1) or the word ``grid``: one image per grid point
    images_per_identity: Annotated[
        Union[Literal["grid"], Dist],  # noqa: UP007
        Field(union_mode="left_to_right"),
    ] = const(8)
    shape: Coefficients = Coefficients(scale=SHAPE_SPREAD)
    color: ColorCoefficients = ColorCoefficients()
    features: Features = Features()
    min_distance: MinDistance | None = None
    sex: Sex = Sex()

    @field_validator("images_per_identity")
    @classmethod
    def _no_grid_dist(cls, value: Any) -> Any:
        if getattr(value, "is_grid", False):
            raise ValueError("a grid distribution is for scene factors; use `grid` instead")
        return value


# ---------------------------------------------------------------------- expression
class BlendshapeActivations(Section):
    """Random sparse blendshape activations: each one active with ``probability``.

    Of two antagonists (``config.presets.ANTAGONISTS``, e.g. jawLeft and jawRight) only the
    stronger stays, and at most ``max_active`` (the strongest) stay active. The eyes' gaze
    always moves both eyes together (``config.presets.CONJUGATE_GAZE``); with ``symmetry``'s
    probability an image's expression is bilateral: one side, chosen at random, is drawn and
    the other side's twins copy it, each weight times one ``twin_ratio`` per image.
    """

    probability: Probability = 0.05
    weight: Dist = unif(0.0, 0.7)
    max_active: Annotated[int, Field(ge=0)] | None = 4
    symmetry: Probability = 0.8
    twin_ratio: Dist = unif(0.75, 1.0)


def _known_presets(value: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(value) - set(PRESETS))
    if unknown:
        raise ValueError(f"unknown preset(s) {unknown}; known: {', '.join(PRESETS)}")
    return value


class Presets(Section):
    """Named expressions (need a model with ARKit-named blendshapes, e.g. the default)."""

    probability: Probability = 0.0
    weights: Annotated[dict[str, Positive], AfterValidator(_known_presets)] = Field(
        default_factory=lambda: {name: 1.0 for name in PRESETS}
    )
    strength: Dist = unif(0.4, 1.0)


class Expression(Section):
    neutral_probability: Probability = 0.2
    components: Annotated[int, Field(ge=0)] | None = 30  # PCA expression components used
    scale: Annotated[float, Field(ge=0.0)] = 1.0
    # PCA draws: the coefficient vector is shrunk onto this Mahalanobis radius when longer
    # (None: no limit); the draw is then multiplied by ``scale``
    max_radius: Annotated[float, Field(gt=0.0)] | None = 2.0
    blendshapes: BlendshapeActivations = BlendshapeActivations()
    presets: Presets = Presets()


# --------------------------------------------------------------------- pose, camera
class Translation(Section):
    """Face translation in mm (camera space), added to the camera distance."""

    x: Dist = const(0.0)
    y: Dist = const(0.0)
    z: Dist = const(0.0)


class Pose(Section):
    """Head rotation in degrees (yaw about y, pitch about x, roll about z)."""

    yaw: Dist = _tnorm(0.0, 30.0, -90.0, 90.0)
    pitch: Dist = _tnorm(0.0, 10.0, -30.0, 30.0)
    roll: Dist = _tnorm(0.0, 5.0, -20.0, 20.0)
    translation: Translation = Translation()


class Exposure(Section):
    """Face-priority exposure: each image's light is scaled by ``(target / lit) ** strength``
    within ``[low, high]``, ``lit`` being the luminance of the identity's mean skin albedo
    lit head-on by that light. The default only brightens (``low`` 1): dim light on dark
    skin comes up as a camera metering on the face would, bright light stays."""

    target: Annotated[float, Field(gt=0.0, le=1.0)] = 0.2  # relative luminance, about L* 52
    strength: Probability = 0.5  # 0: no exposure, 1: every face lit to the target
    low: Annotated[float, Field(gt=0.0)] = 1.0
    high: Annotated[float, Field(gt=0.0)] = 2.0

    @model_validator(mode="after")
    def _range(self) -> Exposure:
        if self.low > self.high:
            raise ValueError("`low` must not exceed `high`")
        return self


class Camera(Section):
    """Pinhole camera; ``fov_deg`` (horizontal), when set, overrides focal/sensor."""

    width: Annotated[int, Field(ge=MIN_IMAGE_SIZE, le=MAX_IMAGE_SIZE)] = CameraParams.width
    height: Annotated[int, Field(ge=MIN_IMAGE_SIZE, le=MAX_IMAGE_SIZE)] = CameraParams.height
    focal_mm: Dist = const(CameraParams.focal_mm)
    sensor_mm: Positive = CameraParams.sensor_mm
    fov_deg: Dist | None = None
    distance_mm: Dist = const(CameraParams.distance_mm)
    centring: Literal[CENTRING] = CameraParams.centring
    shift_x: Dist = const(0.0)  # fraction of the image width, after centring
    shift_y: Dist = const(0.0)  # fraction of the image height
    scale: Dist = unif(0.95, 1.05)  # focal length multiplier (zoom)
    exposure: Exposure = Exposure()


# -------------------------------------------------------------------- illumination
class _Light(Section):
    kind: str
    grey: bool = False  # drop colour: every channel gets the channels' mean
    fix_energy: Positive | None = None  # rescale so the sum of squared SH coefficients is this


class ParametricLight(_Light):
    """Ambient plus ``lights`` directional lights of random colour temperature, as SH."""

    kind: Literal["parametric"] = "parametric"
    ambient: Dist = unif(0.25, 0.6)
    ambient_temperature_k: Dist = const(6500.0)
    lights: Dist = Choice(dist="choice", values=[1.0, 2.0], weights=[0.6, 0.4])
    intensity: Dist = unif(0.3, 0.8)
    azimuth_deg: Dist = unif(-90.0, 90.0)  # 0 = from the camera, positive = from camera right
    elevation_deg: Dist = unif(-20.0, 60.0)  # positive = from above
    temperature_k: Dist = unif(3000.0, 8000.0)


class NormalLight(_Light):
    """A multivariate normal over the 27 SH numbers: ``mean``/``cov`` or fitted to ``directory``."""

    kind: Literal["normal"]
    mean: list[list[float]] | None = None  # 9 x 3
    cov: list[list[float]] | None = None  # 27 x 27, flattened (coefficient, channel) order
    directory: ExistingDir | None = None  # .rps files (Basel Illumination Prior) to fit

    @model_validator(mode="after")
    def _source(self) -> NormalLight:
        if (self.directory is None) == (self.mean is None):
            raise ValueError("give either `directory` or `mean` (and optionally `cov`)")
        if self.mean is not None and (len(self.mean) != 9 or any(len(r) != 3 for r in self.mean)):
            raise ValueError("`mean` must be 9 rows of 3 numbers (SH coefficient x RGB)")
        if self.cov is not None and (len(self.cov) != 27 or any(len(r) != 27 for r in self.cov)):
            raise ValueError("`cov` must be a 27 x 27 matrix")
        return self


class EmpiricalLight(_Light):
    """Pick one light from a directory of Basel Illumination Prior ``.rps`` files."""

    kind: Literal["empirical"]
    directory: ExistingDir


class FrontalLight(_Light):
    """Basel's static frontal light: ambient plus a diffuse light from the camera."""

    kind: Literal["frontal"]
    ambient: Annotated[float, Field(ge=0.0)] = 0.8
    diffuse: Annotated[float, Field(ge=0.0)] = 0.2


def _light_kind(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("kind", "parametric")
    return getattr(value, "kind", "parametric")


Illumination = Annotated[
    Union[  # noqa: UP007
        Annotated[ParametricLight, Tag("parametric")],
        Annotated[NormalLight, Tag("normal")],
        Annotated[EmpiricalLight, Tag("empirical")],
        Annotated[FrontalLight, Tag("frontal")],
    ],
    Discriminator(
        _light_kind,
        custom_error_type="light_kind",
        custom_error_message="`kind` must be one of parametric, normal, empirical, frontal",
    ),
]


# ---------------------------------------------------------------- appearance, bg
class _IdentityFactors(Section):
    """Factors drawn once per identity: a grid (iterated per image) makes no sense here."""

    @model_validator(mode="after")
    def _no_grids(self) -> _IdentityFactors:
        for name in type(self).model_fields:
            if getattr(getattr(self, name), "is_grid", False):
                raise ValueError(f"`{name}`: a grid is for scene factors, not identity ones")
        return self


def _weights(*pairs: tuple[str, float]):
    return Field(default_factory=lambda: dict(pairs))


def _some_weight(value: dict[str, float]) -> dict[str, float]:
    if not value:
        raise ValueError("give at least one name with a positive weight")
    return value


NamedWeights = AfterValidator(_some_weight)


def _named(names: tuple[str, ...]):
    """Weights by name, each name one of ``names``, at least one positive."""
    return Annotated[dict[Literal[names], Positive], NamedWeights]  # type: ignore[valid-type]


HAIR_COLOURS = ("black", "dark_brown", "brown", "light_brown", "blond", "red", "grey")
IRIS_COLOURS = ("brown", "hazel", "green", "blue", "grey")
BEARD_TYPES = ("none", "stubble", "moustache", "goatee", "full")


class Skin(_IdentityFactors):
    """Skin detail over the colour model: each factor in [0, 1] unless stated."""

    age: Dist = unif(0.0, 1.0)  # wrinkle depth (forehead, crow's feet, folds) and greying
    pores: Dist = unif(0.3, 1.0)  # pores and fine texture
    freckles: Dist = Mixture(
        dist="mixture",
        components=[
            {"weight": 0.7, "dist": "constant", "value": 0.0},
            {"weight": 0.3, "dist": "uniform", "low": 0.2, "high": 1.0},
        ],
    )
    moles: Dist = Choice(dist="choice", values=[0, 1, 2, 3, 4], weights=[3, 3, 2, 1, 1])
    redness: Dist = unif(0.0, 1.0)  # around the nose and on the cheeks
    lip_tint: Dist = unif(0.0, 1.0)  # pale to deep red lips
    crease: Dist = Mixture(
        dist="mixture",
        components=[
            {"weight": 0.25, "dist": "constant", "value": 0.0},
            {"weight": 0.75, "dist": "uniform", "low": 3.0, "high": 8.0},
        ],
    )  # mm: height of the upper-lid crease above the lid margin; 0 a lid without one


class HairColour(_IdentityFactors):
    """Brows, lashes and beard take the scalp hair's colour (``hair.colour``: one hair
    colour per identity, named by its melanin), greying with age; ``lightness`` multiplies
    it (brows a little darker or lighter than the scalp)."""

    lightness: Dist = unif(0.8, 1.1)


class Brows(_IdentityFactors):
    """Eyebrows drawn as strands; shape relative to the model's brow landmarks."""

    thickness: Dist = unif(0.6, 1.4)  # times a typical brow height (about 7 mm)
    arch: Dist = unif(-1.0, 3.0)  # mm the middle of the brow is lifted
    length: Dist = unif(0.85, 1.1)  # fraction of the landmark brow's length
    gap: Dist = unif(-2.0, 3.0)  # mm added to the gap between the brows
    density: Dist = unif(0.45, 1.0)  # sparse to dense


class Eyes(_IdentityFactors):
    """Iris colour (weights by name), pupil size and eyelash length."""

    iris: Annotated[dict[Literal[IRIS_COLOURS], Positive], NamedWeights] = _weights(  # type: ignore[valid-type]
        ("brown", 5.0), ("hazel", 1.5), ("green", 1.0), ("blue", 1.7), ("grey", 0.8)
    )
    pupil: Dist = unif(0.3, 0.5)  # pupil radius as a fraction of the iris radius
    lashes: Dist = unif(0.7, 1.3)  # eyelash length multiplier


class RestingFace(_IdentityFactors):
    """An identity's resting face: blendshape weights under every image of it (models with
    ARKit-named blendshapes, like the default). Each applies to both sides (``_L``/``_R``)
    as ``rest + (1 - rest) * w`` over the image's own weight ``w``; a signed factor picks
    its blendshape by sign (see ``RESTING_BLENDSHAPES``)."""

    lids: Dist = unif(0.0, 0.3)  # eyeBlink: upper lids lower (0: the model's wide stare)
    squint: Dist = const(0.0)  # eyeSquint: lower lids higher
    cheeks: Dist = const(0.0)  # cheekSquint: fuller cheeks under the eyes
    brows: Dist = const(0.0)  # + browInnerUp (worried), - browDown (stern)
    mouth: Dist = const(0.0)  # + mouthSmile (corners up), - mouthFrown (down)
    press: Dist = const(0.0)  # mouthPress: thinner, pressed lips


# resting factor -> (blendshape for positive values, blendshape for negative ones)
RESTING_BLENDSHAPES = {
    "lids": ("eyeBlink", None),
    "squint": ("eyeSquint", None),
    "cheeks": ("cheekSquint", None),
    "brows": ("browInnerUp", "browDown"),
    "mouth": ("mouthSmile", "mouthFrown"),
    "press": ("mouthPress", None),
}


class Beard(_IdentityFactors):
    """Facial hair of masculine identities: a type (weights by name) and its density; the
    clean-shaven (``none``) show a beard shadow of strength ``shadow``."""

    types: Annotated[dict[Literal[BEARD_TYPES], Positive], NamedWeights] = _weights(  # type: ignore[valid-type]
        ("none", 5.0), ("stubble", 2.5), ("moustache", 0.6), ("goatee", 0.8), ("full", 1.5)
    )
    density: Dist = unif(0.5, 1.0)
    shadow: Dist = unif(0.0, 0.5)  # clean-shaven men: the shaved beard under the skin


LIPSTICK_COLOURS = ("red", "pink", "nude", "berry", "coral")
EYE_SHADOW_COLOURS = ("brown", "taupe", "bronze", "plum", "grey", "charcoal")


class Makeup(_IdentityFactors):
    """Cosmetics, per identity: worn with a probability by sex, then each item's strength
    in [0, 1] (0: not worn) and colour (weights by name).

    Defaults near real face photos: CelebA labels 47 % of its images "wearing lipstick" and
    38 % "heavy makeup", with 58 % of them female, so about 80 % and 65 % of women's images.
    """

    female_probability: Probability = 0.75
    male_probability: Probability = 0.0
    lipstick: Dist = unif(0.3, 1.0)
    lipstick_colours: _named(LIPSTICK_COLOURS) = _weights(  # type: ignore[valid-type]
        ("red", 1.0), ("pink", 1.0), ("nude", 1.5), ("berry", 0.7), ("coral", 0.5)
    )
    eye_shadow: Dist = unif(0.0, 1.0)
    eye_shadow_colours: _named(EYE_SHADOW_COLOURS) = _weights(  # type: ignore[valid-type]
        ("brown", 2.0), ("taupe", 1.5), ("bronze", 1.0), ("plum", 0.7), ("grey", 0.7),
        ("charcoal", 0.5),
    )  # fmt: skip
    eyeliner: Dist = unif(0.0, 1.0)
    mascara: Dist = unif(0.3, 1.0)  # darker, longer lashes
    blush: Dist = unif(0.0, 0.5)


class Appearance(Section):
    """Surface: specular term, Basel's colour transform and per-identity textures.

    The transform is ``gain * (c * contrast + luminance * (1 - contrast)) + offset``.
    ``textures`` draws skin, brows, lashes, eyes and beard into one texture per identity
    (models with UVs only, like the default; others keep per-vertex colour). ``occlusion``
    scales the ambient occlusion of the model's head and ``shadows`` the shadows it casts
    on itself from the dominant light (``render.occlusion``): 0 none, 1 full.
    """

    specular_strength: Dist = unif(0.0, 0.15)
    specular_shininess: Dist = unif(10.0, 40.0)
    gain: Dist = const(1.0)
    contrast: Dist = const(1.0)
    offset: Dist = const(0.0)
    per_channel: bool = False  # draw gain and offset separately for R, G and B
    occlusion: Dist = const(1.0)
    shadows: Dist = const(0.0)  # off: see README, "Light and shadow"
    textures: bool = True
    texture_size: Literal[128, 256, 512, 1024, 2048] = 512
    skin: Skin = Skin()
    hair: HairColour = HairColour()
    brows: Brows = Brows()
    eyes: Eyes = Eyes()
    beard: Beard = Beard()
    makeup: Makeup = Makeup()
    rest: RestingFace = RestingFace()


class Background(Section):
    """Images from ``directory`` (with ``image_probability``) or procedural ``kinds``."""

    directory: ExistingDir | None = None
    image_probability: Probability = 1.0
    kinds: dict[Literal[BACKGROUND_KINDS], Positive] = Field(
        default_factory=lambda: {kind: 1.0 for kind in BACKGROUND_KINDS}
    )
    # Gaussian blur sigma of the DEFOCUSED_KINDS (texture, clutter, noise), in
    # pixels per 256 px of the frame's larger side: a wall out of focus behind the face
    defocus: Dist = unif(1.5, 4.0)

    @field_validator("kinds")
    @classmethod
    def _some_kind(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("give at least one procedural kind with a positive weight")
        return value


# -------------------------------------------------------------------- augmentation
class _Aug(Section):
    probability: Probability = 0.0


class Blur(_Aug):
    sigma: Dist = unif(0.5, 2.0)  # Gaussian sigma in pixels


class Noise(_Aug):
    std: Dist = unif(0.005, 0.03)  # Gaussian noise std, in [0, 1] intensity units


class ColorJitter(_Aug):
    brightness: Dist = unif(0.8, 1.2)  # multiplier
    contrast: Dist = unif(0.8, 1.2)  # multiplier about the mean grey
    saturation: Dist = unif(0.7, 1.3)  # multiplier of the distance from grey
    hue: Dist = unif(-0.03, 0.03)  # shift, in turns of the colour wheel


class Jpeg(_Aug):
    quality: Dist = unif(30.0, 90.0)


class Resample(_Aug):
    factor: Dist = unif(0.3, 0.8)  # down to this fraction of the size, then back up


class Augment(Section):
    """Image augmentations after rendering, applied in this order; labels are unaffected."""

    blur: Blur = Blur()
    resample: Resample = Resample()
    color_jitter: ColorJitter = ColorJitter()
    noise: Noise = Noise()
    jpeg: Jpeg = Jpeg()


# ------------------------------------------------------------------ render, output
class Render(Section):
    backend: Literal[BACKENDS] = "auto"
    device: Annotated[int, Field(ge=0)] | None = None  # GPU index for egl
    # auto: a model without texture coordinates is drawn over fewer triangles where its
    # mesh is far finer than the image (model.reduce); full: always its whole mesh
    detail: Literal["auto", "full"] = "auto"


class Output(Section):
    format: Literal[FORMATS] = "webdataset"
    image_format: Literal[IMAGE_FORMATS] = "png"
    jpeg_quality: Annotated[int, Field(ge=1, le=100)] = 95
    samples_per_shard: Annotated[int, Field(ge=1)] = 1000
    mask: bool = True
    depth: Literal[DEPTH_MODES] = "png16"
    landmarks: bool = True
    extras: list[Literal[EXTRAS]] = Field(default_factory=list)
    labels: Literal[LABEL_SETS] = "morphgen"


# --------------------------------------------------------------------------- root
class Config(Section):
    """A whole morphgen config."""

    seed: Annotated[int, Field(ge=0)] = 0
    model: ModelSection = ModelSection()
    identities: Identities = Identities()
    expression: Expression = Expression()
    pose: Pose = Pose()
    camera: Camera = Camera()
    illumination: Illumination = ParametricLight()
    appearance: Appearance = Appearance()
    background: Background = Background()
    hair: Hair = Hair()
    accessories: Accessories = Accessories()
    augment: Augment = Augment()
    render: Render = Render()
    output: Output = Output()

    def to_dict(self) -> dict[str, Any]:
        """The fully defaulted config as plain data (paths absolute)."""
        return self.model_dump(mode="json")

    def dump_yaml(self) -> str:
        """The fully defaulted config as YAML text that ``load_config`` accepts again."""
        import yaml

        return yaml.safe_dump(self.to_dict(), sort_keys=False, default_flow_style=None)

    def scene_grids(self) -> list[tuple[str, Grid]]:
        """The grid distributions of scene factors as (key path, grid), in config order."""
        found: list[tuple[str, Grid]] = []

        def walk(obj: Any, path: str) -> None:
            if isinstance(obj, Grid):
                found.append((path, obj))
            elif isinstance(obj, BaseModel) and not isinstance(obj, _IdentityFactors):
                for name in type(obj).model_fields:
                    walk(getattr(obj, name), f"{path}.{name}" if path else name)
            elif isinstance(obj, list):
                for k, item in enumerate(obj):
                    walk(item, f"{path}.{k}")

        for section in (
            "expression",
            "pose",
            "camera",
            "illumination",
            "appearance",
            "background",
            "augment",
        ):
            walk(getattr(self, section), section)
        return found
