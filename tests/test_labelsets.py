"""Label sets: every morphgen label lands on a valid class, left/right follows each set's side."""

import numpy as np
import pytest

from morphgen.cli import main
from morphgen.labels import LABELS, label_id
from morphgen.labelsets import (
    LABEL_SETS,
    SETS,
    absent_classes,
    label_set,
    palette,
    remap_table,
)

REFERENCE_ORDERS = {  # REFERENCE.md section 3, written out independently of the module
    "celebamask": "background skin nose eye_g l_eye r_eye l_brow r_brow l_ear r_ear mouth "
    "u_lip l_lip hair hat ear_r neck_l neck cloth",
    "celebamask_bisenet": "background skin l_brow r_brow l_eye r_eye eye_g l_ear r_ear ear_r "
    "nose mouth u_lip l_lip neck neck_l cloth hair hat",
}


@pytest.mark.parametrize("name", list(SETS))
def test_every_morphgen_label_maps_to_a_class_of_the_set(name):
    table = remap_table(name)
    assert table.dtype == np.uint8 and table.shape == (256,)
    ids = {cid for cid, _ in label_set(name)}
    for label in LABELS:
        assert int(table[label.id]) in ids
    # nothing morphgen produces lands on a class the set declares absent
    names = dict(label_set(name))
    produced = {names[int(table[label.id])] for label in LABELS}
    assert not produced & set(absent_classes(name))
    assert set(absent_classes(name)) <= set(names.values())


@pytest.mark.parametrize("name", list(SETS))
def test_face_parts_stay_distinct_and_background_stays_background(name):
    table = remap_table(name)
    assert table[0] == 0
    parts = ["left_eye", "right_eye", "left_brow", "right_brow", "upper_lip", "lower_lip", "nose"]
    mapped = [int(table[label_id(p)]) for p in parts]
    assert len(set(mapped)) == len(parts)
    assert 0 not in mapped


def test_orders_match_the_reference():
    for name, order in REFERENCE_ORDERS.items():
        assert [n for _, n in LABEL_SETS[name]] == order.split()
        assert [i for i, _ in LABEL_SETS[name]] == list(range(19))
    assert LABEL_SETS["facesynthetics"][-1] == (255, "ignore")
    assert LABEL_SETS["lapa"] == LABEL_SETS["helen"]


@pytest.mark.parametrize("name", list(SETS))
def test_left_and_right_follow_the_sets_convention(name):
    s = SETS[name]
    names = dict(s.classes)
    table = remap_table(name)
    for side in ("left", "right"):
        target = names[int(table[label_id(f"{side}_eye")])]
        other = "right" if side == "left" else "left"
        expected = side if s.side == "subject" else other
        assert target.startswith((expected, expected[0] + "_")), (name, side, target)


def test_the_same_table_serves_both_celebamask_orders():
    original = dict(LABEL_SETS["celebamask"])
    bisenet = dict(LABEL_SETS["celebamask_bisenet"])
    a, b = remap_table("celebamask"), remap_table("celebamask_bisenet")
    for label in LABELS:
        assert original[int(a[label.id])] == bisenet[int(b[label.id])]


def test_remap_applies_to_a_mask_and_palette_covers_every_class():
    mask = np.array([[label_id("left_eye"), label_id("teeth")], [0, label_id("neck")]], np.uint8)
    out = remap_table("lapa")[mask]
    names = dict(LABEL_SETS["lapa"])
    assert [names[int(v)] for v in out.ravel()] == [
        "right_eye",
        "inner_mouth",
        "background",
        "background",
    ]
    pal = palette("facesynthetics")
    assert len(pal) == 768 and pal[3 * 255 : 3 * 256] != [0, 0, 0]


def test_unknown_set_is_a_clear_error(capsys):
    assert main(["labels", "--set", "nope"]) == 2
    assert "celebamask" in capsys.readouterr().err


def test_labels_command_prints_every_set(capsys):
    assert main(["labels"]) == 0
    out = capsys.readouterr().out
    for name in SETS:
        assert name in out
    assert main(["labels", "--set", "lapa"]) == 0
    assert "inner_mouth, teeth" in capsys.readouterr().out


def test_a_rendered_frontal_face_names_its_eyes_by_each_sets_convention():
    """The eye on the image's right is the subject's left: 'left' for subject-side sets,
    'right' for image-side ones."""
    from morphgen.model.synthetic import synthetic_model
    from morphgen.render.renderer import Renderer
    from morphgen.scene import CameraParams, SceneParams

    model = synthetic_model(n_lat=40, n_lon=80, components=(2, 2, 2))
    zeros = np.zeros(2, np.float32)
    params = SceneParams(0, 0, zeros, zeros, zeros, np.zeros(0, np.float32))
    params.camera = CameraParams(width=64, height=64)
    renderer = Renderer(model, "cpu")
    mask = renderer.render(params).mask
    renderer.close()
    eyes = np.isin(mask, [label_id("left_eye"), label_id("right_eye")])
    cols = np.nonzero(eyes)[1]
    assert cols.size and cols.min() < 32 < cols.max()  # one eye on each side
    for name, s in SETS.items():
        names = dict(s.classes)
        remapped = remap_table(name)[mask]
        image_right = names[int(np.bincount(remapped[:, 32:][eyes[:, 32:]]).argmax())]
        image_left = names[int(np.bincount(remapped[:, :32][eyes[:, :32]]).argmax())]
        subject_left_word = "left" if s.side == "subject" else "right"
        assert image_right.startswith((subject_left_word, subject_left_word[0] + "_")), name
        assert image_left != image_right
