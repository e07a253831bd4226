"""Which side of the nose each set's left/right classes land on, on rendered frontal faces.

The expected conventions are written out here from the public evidence (issue 18; shown
by `morphgen labels`), independently of ``labelsets``: CelebAMask-HQ's l_ is the
subject's left; Helen's is the viewer's (image) left and LaPa copies Helen.
"""

import numpy as np
import pytest

from morphgen.labels import label_id
from morphgen.labelsets import SETS, remap_table

EXPECTED_SIDE = {
    "morphgen": "subject",
    "celebamask": "subject",
    "celebamask_bisenet": "subject",
    "lapa": "image",
    "helen": "image",
    "facesynthetics": "subject",
}
# lateral classes per set as (class name, "left" or "right"); l_lip is the lower lip
LATERAL = {
    "morphgen": [(f"{s}_{p}", s) for s in ("left", "right") for p in ("eye", "brow", "ear")],
    "celebamask": [(f"{s[0]}_{p}", s) for s in ("left", "right") for p in ("eye", "brow", "ear")],
    "lapa": [(f"{s}_{p}", s) for s in ("left", "right") for p in ("eye", "eyebrow")],
    "facesynthetics": [(f"{s}_{p}", s) for s in ("left", "right") for p in ("eye", "brow", "ear")],
}
LATERAL["celebamask_bisenet"] = LATERAL["celebamask"]
LATERAL["helen"] = LATERAL["lapa"]


@pytest.fixture(scope="module")
def frontal_masks() -> list[np.ndarray]:
    """morphgen-label masks of two frontal faces (mean face, and one other identity)."""
    from morphgen.model.load import load_model
    from morphgen.render.renderer import Renderer
    from morphgen.scene import CameraParams, SceneParams

    model = load_model()
    renderer = Renderer(model, "cpu")
    masks = []
    for n, shape in enumerate((np.zeros(10), np.linspace(-1.5, 1.5, 10))):
        params = SceneParams(
            n, 0, shape.astype(np.float32), np.zeros(10, np.float32),
            np.zeros(0, np.float32), np.zeros(0, np.float32),
        )  # fmt: skip
        params.camera = CameraParams(width=128, height=128)
        masks.append(renderer.render(params).mask)
    renderer.close()
    return masks


def _column(mask: np.ndarray, ids: int) -> float:
    cols = np.nonzero(mask == ids)[1]
    assert cols.size > 0
    return float(cols.mean())


def test_every_set_is_covered():
    assert set(EXPECTED_SIDE) == set(SETS) == set(LATERAL)


@pytest.mark.parametrize("name", list(SETS))
def test_lateral_classes_land_on_their_sets_side_of_the_nose(frontal_masks, name):
    s = SETS[name]
    assert s.side == EXPECTED_SIDE[name]
    ids = dict((cname, cid) for cid, cname in s.classes)
    for mask in frontal_masks:
        nose = _column(mask, label_id("nose"))
        remapped = remap_table(name)[mask]
        for cname, side in LATERAL[name]:
            # the subject's left is on the image's right in a frontal view
            image_right = (side == "left") == (EXPECTED_SIDE[name] == "subject")
            col = _column(remapped, ids[cname])
            assert (col > nose) == image_right, (name, cname, col, nose)
