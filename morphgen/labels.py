"""morphgen's own parsing label set, declared once.

Left and right are always the *subject's* left and right. Id 0 is background and is
never a model region. Remapping to other datasets' orders lives in ``labelsets``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    id: int
    name: str
    color: tuple[int, int, int]


LABELS: tuple[Label, ...] = (
    Label(0, "background", (0, 0, 0)),
    Label(1, "skin", (204, 153, 128)),
    Label(2, "nose", (255, 128, 0)),
    Label(3, "left_eye", (0, 128, 255)),
    Label(4, "right_eye", (0, 255, 255)),
    Label(5, "left_brow", (128, 64, 0)),
    Label(6, "right_brow", (192, 128, 64)),
    Label(7, "upper_lip", (255, 0, 128)),
    Label(8, "lower_lip", (192, 0, 64)),
    Label(9, "inner_mouth", (96, 0, 0)),
    Label(10, "teeth", (255, 255, 255)),
    Label(11, "left_ear", (0, 192, 0)),
    Label(12, "right_ear", (128, 255, 128)),
    Label(13, "neck", (128, 0, 255)),
    Label(14, "scalp", (96, 96, 160)),
    Label(15, "beard", (96, 64, 32)),
    Label(16, "hair", (64, 32, 16)),
    Label(17, "glasses", (255, 215, 0)),
    Label(18, "headwear", (0, 96, 160)),
    Label(19, "clothing", (0, 160, 96)),
)

LABEL_IDS: dict[str, int] = {label.name: label.id for label in LABELS}
# Classes of geometry drawn around the head (``render.layers``), never of a model's surface.
LAYER_LABELS = frozenset({"hair", "glasses", "headwear", "clothing"})
# The labels a model's vertices may carry (its regions).
REGIONS: tuple[Label, ...] = tuple(
    label for label in LABELS if label.id != 0 and label.name not in LAYER_LABELS
)
NUM_LABELS = max(label.id for label in LABELS) + 1  # ids lie in 0..NUM_LABELS-1 (some unused)


def label_id(name: str) -> int:
    """Id of a label by name; raises KeyError naming the known labels."""
    try:
        return LABEL_IDS[name]
    except KeyError:
        raise KeyError(f"unknown label {name!r}; known: {', '.join(LABEL_IDS)}") from None
