"""Published iBUG-68 landmark vertex indices for Basel models, keyed by vertex count.

BFM 2009 (``01_MorphableModel.mat``, 53,490 vertices), 0-based, iBUG order. Source:
sicxu/Deep3DFaceRecon_pytorch (MIT licence), ``BFM/facemodel_info.mat`` ``keypoints``
(1-based, into its 35,709-vertex front model), mapped to the full model through the same
repository's ``BFM/BFM_front_idx.mat`` ``idx`` (front model -> 53,215-vertex trimmed model)
and ``BFM/BFM_exp_idx.mat`` ``trimIndex`` (trimmed model -> 53,490 vertices), the chain
its ``util/load_mats.py`` uses. Cross-check against the 18 points that patrikhuber/eos
(``share/ibug_to_bfm.txt``, Apache-2.0) maps independently: ibug52 and ibug58 are the same
vertex, the nose and mid-lip points (31, 34, 63, 67) differ by 1-2 in index, the eye corners
and brows by 30-185 and the mouth corners by 516-644, with mirror-symmetric offsets (the two
annotations place those points differently). Not checked on the mesh: no Basel data here.

BFM 2017 ``bfm_nomouth`` has no complete published 68-point map that we could verify (eos
maps the inner points but not the jaw contour); supply one with ``--landmarks``.
"""

from __future__ import annotations

BFM2009_IBUG68 = (
    22148, 22424, 21928, 21311, 43511, 45193, 46441, 47410, 48189, 48970, 49942, 51199,
    52888, 33953, 33280, 32744, 32984, 38970, 39667, 40057, 40262, 40429, 41168, 41334,
    41542, 41936, 42642, 8290, 8306, 8316, 8321, 6525, 7300, 8333, 9364, 10137, 2215,
    3886, 4920, 5828, 4801, 3640, 10730, 11628, 12658, 14341, 12928, 11767, 5522, 6025,
    7570, 8344, 9118, 10669, 11070, 9792, 9019, 8374, 7729, 6954, 5909, 7450, 8352, 9256,
    10812, 9012, 8367, 7722,
)  # fmt: skip

_BY_VERTEX_COUNT = {53490: BFM2009_IBUG68}


def known_ibug68(n_vertices: int) -> dict[str, int] | None:
    """``ibug01``..``ibug68`` for a model with this many vertices, if a map is known."""
    indices = _BY_VERTEX_COUNT.get(n_vertices)
    if indices is None:
        return None
    return {f"ibug{i:02d}": v for i, v in enumerate(indices, 1)}
