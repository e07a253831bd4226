"""Amodal labels: the parsing mask as if hair, glasses, headwear and clothing were removed.

``amodal``: the head drawn alone (a second label pass over the same posed frame, without
the layers' triangles), so a pixel under a fringe or a lens rim carries the face class it
hides. ``occluders``: one bit per layer class (hair 1, glasses 2, headwear 4, clothing 8)
where that layer, drawn alone, covers at least half of the pixel in front of the head (or
where the head is absent). Both are exact like the mask and cost one extra pass each for
the head and for every layer class present.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from morphgen.labels import LABEL_IDS
from morphgen.render.backend import Backend, Frame

LABEL_EXTRAS = ("amodal", "occluders")
OCCLUDER_BITS = {"hair": 1, "glasses": 2, "headwear": 4, "clothing": 8}


def _subset(frame: Frame, keep: np.ndarray, textured: bool) -> Frame:
    """The frame's ``keep`` triangles; ``textured`` only for the head, whose triangles keep
    their indices (the texture's UVs are the head's, by triangle index)."""
    windows = None if frame.triangle_windows is None else frame.triangle_windows[keep]
    return replace(
        frame, triangles=frame.triangles[keep], triangle_labels=frame.triangle_labels[keep],
        attributes={}, triangle_windows=windows,
        texture=frame.texture if textured else None, uv=frame.uv if textured else None,
    )  # fmt: skip


def amodal_images(
    backend: Backend, frame: Frame, n_head: int, mask: np.ndarray, wanted: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """The ``wanted`` label extras of ``frame`` whose first ``n_head`` triangles are the head;
    ``mask`` is the visible mask (morphgen ids), the amodal one when there are no layers."""
    out: dict[str, np.ndarray] = {}
    labels = frame.triangle_labels
    if len(labels) == n_head:  # nothing in front of the head
        out = {"amodal": mask, "occluders": np.zeros_like(mask)}
        return {name: out[name] for name in wanted}
    is_head = np.arange(len(labels)) < n_head
    head = backend.draw(_subset(frame, is_head, textured=True))
    out["amodal"] = head.mask
    if "occluders" in wanted:
        bits = np.zeros(mask.shape, dtype=np.uint8)
        for name, bit in OCCLUDER_BITS.items():
            mine = ~is_head & (labels == LABEL_IDS[name])
            if not mine.any():
                continue
            layer = backend.draw(_subset(frame, mine, textured=False))
            front = (layer.mask > 0) & ((head.depth == 0) | (layer.depth < head.depth))
            bits[front] |= bit
        out["occluders"] = bits
    return {name: out[name] for name in wanted}
