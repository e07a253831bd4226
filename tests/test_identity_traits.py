"""Identity traits drawn together: one hair colour per identity, sex-linked factors, and the
data-driven masculinity direction of the face shape."""

from __future__ import annotations

import numpy as np
import pytest

from morphgen.colour import GREY_HAIR, hair_albedo
from morphgen.config import parse_config
from morphgen.errors import ConfigError
from morphgen.model.load import load_model
from morphgen.sampling.sampler import Sampler
from morphgen.sampling.sex import _measurements, masculinity_direction
from morphgen.scene import SceneParams


@pytest.fixture(scope="module")
def model():
    return load_model()


def _scenes(model, n: int, **config) -> list[SceneParams]:
    sampler = Sampler(parse_config({"identities": {"count": n}, **config}), model)
    return [sampler.scene(i, 0) for i in range(n)]


def _luma(rgb) -> float:
    return float(np.asarray(rgb) @ np.array([0.2126, 0.7152, 0.0722]))


def test_brows_and_beard_take_the_scalp_hair_colour(model):
    scenes = _scenes(model, 60)
    for s in scenes:
        a, h = s.appearance, s.hair
        scalp = (1 - h.grey) * hair_albedo(h.eumelanin, h.pheomelanin) + h.grey * GREY_HAIR
        # lightness is at most 1.1 and brows grey less than the scalp: never lighter than
        # the greyed scalp colour by more than that factor, and dark hair gives dark brows
        assert _luma(a.hair_rgb) <= 1.1 * max(_luma(scalp), _luma(GREY_HAIR)) + 1e-6
    dark = [s for s in scenes if s.hair.eumelanin > 0.8 and s.hair.grey == 0]
    fair = [s for s in scenes if s.hair.eumelanin < 0.3 and s.hair.grey == 0]
    assert dark and fair
    assert max(_luma(s.appearance.hair_rgb) for s in dark) < min(
        _luma(s.appearance.hair_rgb) for s in fair
    )
    assert {s.appearance.hair_colour for s in dark} == {"black"}
    assert all(s.appearance.hair_colour == "grey" for s in scenes if s.hair.grey >= 0.5)


def test_hair_greys_with_age(model):
    scenes = _scenes(model, 80, hair={"colour": {"grey_probability": 0.0}})
    old = [s.hair.grey for s in scenes if s.appearance.age > 0.9]
    young = [s.hair.grey for s in scenes if s.appearance.age < 0.6]
    assert old and young
    assert min(old) > 0.5 and max(young) == 0.0


def test_sex_ties_beard_hair_and_lips(model):
    scenes = _scenes(model, 120)
    women = [s for s in scenes if s.sex == "female"]
    men = [s for s in scenes if s.sex == "male"]
    assert abs(len(women) - 60) < 4 * np.sqrt(30)
    assert all(s.appearance.beard == "none" for s in women)
    assert any(s.appearance.beard != "none" for s in men)
    assert all(s.hair.style != "none" and s.hair.recession_mm == 0 for s in women)
    long = ("long", "ponytail", "bun")
    assert np.mean([s.hair.style in long for s in women]) > np.mean(
        [s.hair.style in long for s in men]
    )
    assert min(s.appearance.lip_tint for s in women) >= 0.4
    assert max(s.appearance.lip_tint for s in men) <= 0.7
    everyone = _scenes(model, 20, identities={"count": 20, "sex": {"male_probability": 1.0}})
    assert {s.sex for s in everyone} == {"male"}
    assert SceneParams.from_dict(scenes[0].to_dict()).sex == scenes[0].sex


def test_masculinity_direction_moves_the_measurements_it_is_made_of(model):
    k = model.shape.n_components
    d = masculinity_direction(model, k)
    assert d.shape == (k,) and np.isclose(np.linalg.norm(d), 1.0)
    ibug = model.ibug68()

    def measure(z):
        v = model.shape_instance(z.astype(np.float32))[ibug]
        return _measurements(v[None])[0]

    up, down = measure(2 * d), measure(-2 * d)
    signs = np.sign(up - down)
    np.testing.assert_array_equal(signs, [1, 1, 1, 1, -1, -1, 1])


def test_masculine_and_feminine_faces_differ_along_the_direction(model):
    def along(shift: float) -> tuple[list[float], list[float]]:
        sampler = Sampler(parse_config({"identities": {"sex": {"shape": shift}}}), model)
        spread = sampler.config.identities.shape.scale
        d = masculinity_direction(model, len(sampler.identity(0)[0]), spread)
        proj = {"female": [], "male": []}
        for i in range(40):
            proj[sampler.sex(i)].append(float(sampler.identity(i)[0] @ d))
        return proj["female"], proj["male"]

    women, men = along(1.5)
    assert np.mean(men) - np.mean(women) > 2.0
    women0, men0 = along(0.0)
    assert abs(np.mean(men0) - np.mean(women0)) < 1.5


def test_bad_trait_config_names_the_key():
    with pytest.raises(ConfigError, match="identities.sex.male_probability"):
        parse_config({"identities": {"sex": {"male_probability": 1.5}}})
    with pytest.raises(ConfigError, match="hair.styles.female"):
        parse_config({"hair": {"styles": {"female": {"mohawk": 1.0}}}})
    flat = parse_config({"hair": {"styles": {"short": 1.0}}}).hair.styles
    assert flat.female == flat.male == {"short": 1.0}


def test_the_resting_face_is_an_identity_trait_under_every_image(model):
    names = model.blendshapes.names
    left, right = names.index("eyeBlink_L"), names.index("eyeBlink_R")
    smile, frown = names.index("mouthSmile_L"), names.index("mouthFrown_L")
    cfg = {"identities": {"count": 8, "images_per_identity": 4}}
    neutral = {"neutral_probability": 1.0}
    mouth = {"rest": {"mouth": {"dist": "uniform", "low": -0.25, "high": 0.25}}}
    sampler = Sampler(parse_config({**cfg, "appearance": mouth, "expression": neutral}), model)
    rests, corners = [], []
    for i in range(8):
        weights = [sampler.scene(i, j).blendshapes for j in range(4)]
        assert all(np.array_equal(w, weights[0]) for w in weights)  # neutral: the rest only
        assert weights[0][left] == weights[0][right]
        assert weights[0][smile] == 0 or weights[0][frown] == 0  # one of a signed pair
        rests.append(float(weights[0][left]))
        corners.append(float(weights[0][smile] - weights[0][frown]))
    assert 0.0 <= min(rests) < max(rests) <= 0.3
    assert -0.25 <= min(corners) < 0 < max(corners) <= 0.25
    blink = {
        "neutral_probability": 0.0,
        "presets": {"probability": 1.0, "weights": {"blink": 1}, "strength": 1.0},
    }
    sampler = Sampler(parse_config({**cfg, "expression": blink}), model)
    assert all(sampler.scene(i, 0).blendshapes[left] == 1.0 for i in range(8))
    wide = {"neutral_probability": 0.0, "blendshapes": {"probability": 0.5}}
    sampler = Sampler(parse_config({**cfg, "expression": wide}), model)
    weights = np.stack([sampler.scene(i, j).blendshapes for i in range(8) for j in range(4)])
    opened = weights[:, names.index("eyeWide_L")] > 0
    assert opened.any() and not np.any(opened & (weights[:, left] > 0))  # wide eyes lift lids
    off = {name: 0 for name in ("lids", "squint", "cheeks", "brows", "mouth", "press")}
    plain = parse_config({**cfg, "appearance": {"rest": off}, "expression": neutral})
    assert not np.any(Sampler(plain, model).scene(0, 0).blendshapes)


def test_hair_on_darker_skin_is_dark(model):
    from morphgen.config.layers import HairColour
    from morphgen.sampling.hair import DARK_SKIN_EUMELANIN, skin_eumelanin_floor

    cfg = HairColour()
    floors = [skin_eumelanin_floor(cfg, light) for light in np.linspace(20, 80, 61)]
    assert floors[0] == DARK_SKIN_EUMELANIN and floors[-1] == 0.0
    assert (np.diff(floors) <= 0).all()  # darker skin, darker hair at least
    assert skin_eumelanin_floor(cfg, None) == 0.0
    assert skin_eumelanin_floor(HairColour(dark_skin=None), 20.0) == 0.0
    fair = {"blond", "light_brown", "red"}
    scenes = _scenes(model, 400)
    dark = [s for s in scenes if s.appearance.skin_tone < 45.0]
    light = [s for s in scenes if s.appearance.skin_tone > 65.0]
    assert len(dark) > 20 and len(light) > 50
    assert all(s.hair.eumelanin >= DARK_SKIN_EUMELANIN for s in dark)
    assert not any(s.appearance.hair_colour in fair for s in dark)
    assert sum(s.appearance.hair_colour in fair for s in light) > 0.2 * len(light)
    free = _scenes(model, 400, hair={"colour": {"dark_skin": None}})
    assert any(s.appearance.hair_colour in fair for s in free if s.appearance.skin_tone < 45.0)
    with pytest.raises(ConfigError, match="hair.colour"):
        parse_config({"hair": {"colour": {"dark_skin": [70, 50]}}})
