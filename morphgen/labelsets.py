"""Target label sets and the one table that remaps morphgen's labels onto each of them.

morphgen's own labels (``morphgen.labels``) always use the *subject's* left and right.
Each target set states which convention its annotations follow (``side``):

- ``subject``: "left eye" is the subject's left eye (on the image's right in a frontal view).
- ``image``: "left eye" is the eye on the image's left (the subject's right eye). A fixed
  table can only honour this for faces that look towards the camera (|yaw| < 90 and
  |roll| < 90 degrees), which is where such annotations are defined anyway.

The label orders come from the datasets' own documentation (see REFERENCE.md section 3;
CelebAMask-HQ: github.com/switchablenorms/CelebAMask-HQ; its second order is the one
face-parsing.PyTorch / BiSeNet trains with; LaPa: github.com/JDAI-CV/lapa-dataset;
FaceSynthetics: github.com/microsoft/FaceSynthetics). No set's authors state its side
convention in words; ``evidence`` says what each choice rests on, and a set whose choice
rests on no public evidence is marked ``side_verified=False`` ("(assumed)").
"""

from __future__ import annotations

import colorsys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from morphgen.config.schema import LABEL_SETS as SET_NAMES
from morphgen.errors import MorphgenError
from morphgen.labels import LABELS

Colour = tuple[int, int, int]

# The CelebAMask-HQ palette (its Data_preprocessing/g_color.py), keyed by class name so that
# both index orders draw a class in the same colour.
_CELEBAMASK_COLOURS: dict[str, Colour] = {
    "background": (0, 0, 0),
    "skin": (204, 0, 0),
    "nose": (76, 153, 0),
    "eye_g": (204, 204, 0),
    "l_eye": (51, 51, 255),
    "r_eye": (204, 0, 204),
    "l_brow": (0, 255, 255),
    "r_brow": (255, 204, 204),
    "l_ear": (102, 51, 0),
    "r_ear": (255, 0, 0),
    "mouth": (102, 204, 0),
    "u_lip": (255, 255, 0),
    "l_lip": (0, 0, 153),
    "hair": (0, 0, 204),
    "hat": (255, 51, 153),
    "ear_r": (0, 204, 204),
    "neck_l": (0, 51, 0),
    "neck": (255, 153, 51),
    "cloth": (0, 204, 0),
}


@dataclass(frozen=True)
class LabelSet:
    """One target label set: its classes in index order and how morphgen maps onto it."""

    name: str
    title: str
    classes: tuple[tuple[int, str], ...]
    side: str  # "subject" or "image": whose left "left" means
    side_verified: bool
    remap: dict[str, str]  # morphgen label name -> target class name (every morphgen label)
    absent: tuple[str, ...]  # target classes morphgen's heads never produce
    colours: dict[str, Colour]
    notes: str = ""
    evidence: str = ""  # why ``side`` is what it is

    def class_id(self, name: str) -> int:
        """Index of a class of this set by name."""
        for cid, cname in self.classes:
            if cname == name:
                return cid
        raise KeyError(f"label set {self.name!r} has no class {name!r}")


def _numbered(names: list[str]) -> tuple[tuple[int, str], ...]:
    return tuple(enumerate(names))


def _hue_palette(names: tuple[tuple[int, str], ...]) -> dict[str, Colour]:
    """Distinct colours for a set without a palette of its own: background black, hues spread."""
    out: dict[str, Colour] = {}
    for k, (cid, name) in enumerate(names):
        if cid == 0:
            out[name] = (0, 0, 0)
        elif cid == 255:
            out[name] = (255, 255, 255)
        else:
            hue = (k * 0.618034) % 1.0  # golden-ratio steps keep neighbours apart
            out[name] = _hsv(hue, 0.75, 0.95)
    return out


def _hsv(h: float, s: float, v: float) -> Colour:
    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return (round(r * 255), round(g * 255), round(b * 255))


_MORPHGEN = tuple((label.id, label.name) for label in LABELS)

_CELEBAMASK_ORIGINAL = _numbered(
    "background skin nose eye_g l_eye r_eye l_brow r_brow l_ear r_ear mouth u_lip l_lip "
    "hair hat ear_r neck_l neck cloth".split()
)
_CELEBAMASK_BISENET = _numbered(
    "background skin l_brow r_brow l_eye r_eye eye_g l_ear r_ear ear_r nose mouth u_lip l_lip "
    "neck neck_l cloth hair hat".split()
)
_LAPA = _numbered(
    "background skin left_eyebrow right_eyebrow left_eye right_eye nose upper_lip inner_mouth "
    "lower_lip hair".split()
)
_FACESYNTHETICS = _numbered(
    "background skin nose right_eye left_eye right_brow left_brow right_ear left_ear "
    "mouth_interior top_lip bottom_lip neck hair beard clothing glasses headwear facewear".split()
) + ((255, "ignore"),)

# THE remap table: morphgen label -> target class, per set. Decisions where the sets differ:
# - teeth: CelebAMask-HQ's "mouth" and LaPa's "inner mouth" cover the whole mouth opening,
#   teeth included; FaceSynthetics' mouth_interior likewise.
# - scalp: bare scalp skin (shaved heads, receding hairlines) is skin in these sets.
# - hair, glasses, headwear, clothing: their own classes where a set has them. LaPa and Helen
#   have no glasses, hat or cloth class: frames sit on skin (their annotators labelled the
#   face under thin frames), hats and clothes are background.
# - beard: FaceSynthetics has a beard class; CelebAMask-HQ and LaPa annotate beards as skin.
# - neck: LaPa and Helen annotate the face only; their necks are background.
# - left/right: subject-side sets keep morphgen's sides; image-side sets swap them (the
#   subject's left eye appears on the image's right).
_CELEBAMASK_REMAP = {
    "background": "background",
    "skin": "skin",
    "nose": "nose",
    "left_eye": "l_eye",
    "right_eye": "r_eye",
    "left_brow": "l_brow",
    "right_brow": "r_brow",
    "upper_lip": "u_lip",
    "lower_lip": "l_lip",
    "inner_mouth": "mouth",
    "teeth": "mouth",
    "left_ear": "l_ear",
    "right_ear": "r_ear",
    "neck": "neck",
    "scalp": "skin",
    "hair": "hair",
    "glasses": "eye_g",
    "headwear": "hat",
    "clothing": "cloth",
    "beard": "skin",
}
_LAPA_REMAP = {
    "background": "background",
    "skin": "skin",
    "nose": "nose",
    "left_eye": "right_eye",
    "right_eye": "left_eye",
    "left_brow": "right_eyebrow",
    "right_brow": "left_eyebrow",
    "upper_lip": "upper_lip",
    "lower_lip": "lower_lip",
    "inner_mouth": "inner_mouth",
    "teeth": "inner_mouth",
    "left_ear": "skin",
    "right_ear": "skin",
    "neck": "background",
    "scalp": "skin",
    "hair": "hair",
    "glasses": "skin",
    "headwear": "background",
    "clothing": "background",
    "beard": "skin",
}
_FACESYNTHETICS_REMAP = {
    "background": "background",
    "skin": "skin",
    "nose": "nose",
    "left_eye": "left_eye",
    "right_eye": "right_eye",
    "left_brow": "left_brow",
    "right_brow": "right_brow",
    "upper_lip": "top_lip",
    "lower_lip": "bottom_lip",
    "inner_mouth": "mouth_interior",
    "teeth": "mouth_interior",
    "left_ear": "left_ear",
    "right_ear": "right_ear",
    "neck": "neck",
    "scalp": "skin",
    "hair": "hair",
    "glasses": "glasses",
    "headwear": "headwear",
    "clothing": "clothing",
    "beard": "beard",
}

_CELEBAMASK_ABSENT = ("ear_r", "neck_l")
_CELEBAMASK_EVIDENCE = (
    "Subject-side: a CelebAMask-HQ-trained parser (FaRL, through the facer library's "
    "face-parsing notebook) puts the class it reads from *_l_eye.png on the image-right eye "
    "of a real photo, and the masks of CelebAMask-HQ's own MaskGAN demo samples put l_eye at "
    "x ~ 320 of 512 (image right)."
)
_LAPA_NOTES = "No ear or neck class: ears count as skin (assumed), the neck as background."
_LAPA_EVIDENCE = (
    "Image-side (assumed): LaPa copies Helen's class list and does not document its side; "
    "Helen's relabelled README says 'left brow (viewer side)', and LaPa's own sample.png has "
    "its 'left' brow and eye at smaller x than its 'right' ones."
)
_HELEN_EVIDENCE = "Image-side: the relabelled Helen's README says 'left brow (viewer side)'."

SETS: dict[str, LabelSet] = {
    s.name: s
    for s in (
        LabelSet(
            "morphgen",
            "morphgen's own labels",
            _MORPHGEN,
            side="subject",
            side_verified=True,
            remap={label.name: label.name for label in LABELS},
            absent=(),
            colours={label.name: label.color for label in LABELS},
            evidence="Subject-side by construction: the labels come from the model's regions.",
        ),
        LabelSet(
            "celebamask",
            "CelebAMask-HQ, original order (19)",
            _CELEBAMASK_ORIGINAL,
            side="subject",
            side_verified=True,
            remap=_CELEBAMASK_REMAP,
            absent=_CELEBAMASK_ABSENT,
            colours=_CELEBAMASK_COLOURS,
            evidence=_CELEBAMASK_EVIDENCE,
        ),
        LabelSet(
            "lapa",
            "LaPa (11)",
            _LAPA,
            side="image",
            side_verified=False,
            remap=_LAPA_REMAP,
            absent=(),
            colours=_hue_palette(_LAPA),
            notes=_LAPA_NOTES,
            evidence=_LAPA_EVIDENCE,
        ),
        LabelSet(
            "facesynthetics",
            "FaceSynthetics (19 + ignore)",
            _FACESYNTHETICS,
            side="subject",
            side_verified=False,
            remap=_FACESYNTHETICS_REMAP,
            absent=("facewear",),
            colours=_hue_palette(_FACESYNTHETICS),
            notes="255 'ignore' is never produced.",
            evidence="Subject-side (assumed): rendered from a 3D model, whose sides are the "
            "subject's; its docs do not say.",
        ),
    )
}

# Same classes and mapping as a set above, in another order or under another name.
SETS["celebamask_bisenet"] = replace(
    SETS["celebamask"],
    name="celebamask_bisenet",
    title="CelebAMask-HQ, face-parsing.PyTorch / BiSeNet order (19)",
    classes=_CELEBAMASK_BISENET,
)
SETS["helen"] = replace(
    SETS["lapa"],
    name="helen",
    title="Helen (11, LaPa's order)",
    side_verified=True,
    evidence=_HELEN_EVIDENCE,
)
SETS = {name: SETS[name] for name in SET_NAMES}  # the schema's names, in its order

LABEL_SETS: dict[str, list[tuple[int, str]]] = {name: list(s.classes) for name, s in SETS.items()}


def get_set(target: str) -> LabelSet:
    """The label set called ``target``; a MorphgenError names the known sets otherwise."""
    try:
        return SETS[target]
    except KeyError:
        raise MorphgenError(
            f"unknown label set {target!r}; expected one of: {', '.join(SETS)}"
        ) from None


def label_set(target: str) -> list[tuple[int, str]]:
    """The classes of ``target`` as (id, name) in index order."""
    return list(get_set(target).classes)


def remap_table(target: str) -> np.ndarray:
    """A (256,) uint8 lookup table: ``table[morphgen_mask]`` is the mask in ``target``'s ids.

    Ids morphgen never produces map to 0 (background).
    """
    s = get_set(target)
    table = np.zeros(256, dtype=np.uint8)
    for label in LABELS:
        table[label.id] = s.class_id(s.remap[label.name])
    return table


def absent_classes(target: str) -> list[str]:
    """Classes of ``target`` that the model cannot produce (the label gap that remains)."""
    return list(get_set(target).absent)


def flat_palette(colours: Iterable[tuple[int, Sequence[int]]]) -> list[int]:
    """A flat 768-entry PIL palette from (class id, RGB) pairs; unlisted ids are black."""
    flat = [0] * 768
    for cid, colour in colours:
        flat[3 * cid : 3 * cid + 3] = list(colour)
    return flat


def palette(target: str) -> list[int]:
    """The PIL palette that colours every class id of label set ``target``."""
    s = get_set(target)
    return flat_palette((cid, s.colours[name]) for cid, name in s.classes)
