"""dlib's face pipeline, trained on real photos, for ``morphgen realism``.

Three parts: the HOG frontal face detector (``dlib.get_frontal_face_detector``), the
68-point shape predictor (iBUG 300-W order) and the ResNet face recognition model
(``dlib.face_recognition_model_v1``, 128-d descriptors; dlib's own rule: two faces are one
person when their distance is below 0.6). The two model files ship inside the
``face-recognition-models`` package; nothing is downloaded at run time.

The packages are the optional extra ``eval``: without them :func:`load_pipeline` raises
a :class:`MorphgenError` that says what to install.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from morphgen.errors import MorphgenError

INSTALL = "pip install 'morphgen[eval]'  (or: pip install dlib-bin face-recognition-models)"
SHAPE_MODEL = "shape_predictor_68_face_landmarks.dat"
RECOGNITION_MODEL = "dlib_face_recognition_resnet_model_v1.dat"
SAME_PERSON_THRESHOLD = 0.6  # dlib's documented decision threshold for its descriptors

Box = tuple[float, float, float, float]  # left, top, right, bottom in pixels


def _missing(what: str) -> MorphgenError:
    return MorphgenError(
        f"the realism report needs the optional face pipeline ({what} is not installed); "
        f"install it with: {INSTALL}"
    )


def model_files() -> tuple[Path, Path]:
    """The shape predictor and recognition model files inside ``face_recognition_models``.

    Found through the package's location rather than its ``*_location()`` helpers, which
    import ``pkg_resources`` (deprecated, and absent from recent setuptools); same files.
    """
    try:
        spec = importlib.util.find_spec("face_recognition_models")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise _missing("face-recognition-models")
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    files = (models / SHAPE_MODEL, models / RECOGNITION_MODEL)
    for f in files:
        if not f.is_file():
            raise MorphgenError(f"{f}: missing from face-recognition-models; reinstall: {INSTALL}")
    return files


def import_dlib() -> Any:
    """The ``dlib`` module (from ``dlib-bin``), or a MorphgenError saying how to install it."""
    try:
        return importlib.import_module("dlib")
    except ImportError:
        raise _missing("dlib") from None


def require() -> None:
    """Fail early, before any work, when the extra is not installed (loads no model)."""
    import_dlib()
    model_files()


class FacePipeline:
    """Detect, align (68 points) and describe faces with dlib's models (CPU, ~0.2 s/face)."""

    def __init__(self, upsample: int = 1):
        dlib = import_dlib()
        shape_file, recognition_file = model_files()
        self._dlib = dlib
        self.upsample = int(upsample)
        self._detector = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(str(shape_file))
        self._recognition = dlib.face_recognition_model_v1(str(recognition_file))

    def detect(self, rgb: np.ndarray) -> list[tuple[Box, float]]:
        """HOG detections (box, score), the image upsampled ``upsample`` times first."""
        boxes, scores, _ = self._detector.run(_image(rgb), self.upsample, 0.0)
        return [
            ((float(b.left()), float(b.top()), float(b.right()), float(b.bottom())), float(s))
            for b, s in zip(boxes, scores, strict=True)
        ]

    def analyse(self, rgb: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
        """dlib's 68 landmarks ``(68, 2)`` in ``box`` and the 128-d descriptor they align."""
        image = _image(rgb)
        left, top, right, bottom = (int(round(v)) for v in box)
        shape = self._shape(image, self._dlib.rectangle(left, top, right, bottom))
        points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
        descriptor = np.array(self._recognition.compute_face_descriptor(image, shape))
        return points, descriptor


def _image(rgb: np.ndarray) -> np.ndarray:
    image = np.asarray(rgb)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return np.ascontiguousarray(image[..., :3], dtype=np.uint8)


def load_pipeline(upsample: int = 1) -> FacePipeline:
    """The loaded pipeline (a few seconds: the shape model is 100 MB)."""
    return FacePipeline(upsample)
