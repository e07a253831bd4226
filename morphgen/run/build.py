"""The configured model and renderer: one way to build them, for generate, render and bench."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from morphgen.config.schema import Config
from morphgen.hashing import sha256_file
from morphgen.model.load import DEFAULT_MODEL
from morphgen.model.load import load_model as load_model_file
from morphgen.model.morphable import MorphableModel
from morphgen.model.reduce import VERSION as REDUCTION
from morphgen.model.reduce import auto_triangles, reduced
from morphgen.model.shared import shared_model
from morphgen.render.renderer import Renderer


@dataclass(frozen=True)
class ConfiguredModel:
    """The model a config names, with the file it came from and that file's sha256."""

    model: MorphableModel
    path: Path
    sha256: str


def model_file(config: Config) -> Path:
    """The model file ``config`` renders (the embedded default model without ``model.path``)."""
    return Path(config.model.path or DEFAULT_MODEL)


def load_model(
    config: Config, path: str | Path | None = None, sha256: str | None = None
) -> ConfiguredModel:
    """``config.model`` (or ``path`` instead of its file), mapped from this machine's cache.

    The cache key covers the user's region and landmark files, which change the model.
    ``sha256`` is the model file's digest when the caller has it (workers get the parent's,
    so that none of them reads the whole file again to hash it).
    """
    section = config.model
    model_path = Path(path) if path else model_file(config)
    overrides = [Path(p) for p in (section.regions, section.landmarks) if p]
    digest = sha256 or sha256_file(model_path)
    key = hashlib.sha256("".join([digest, *(sha256_file(p) for p in overrides)]).encode())
    model = shared_model(
        key.hexdigest(),
        lambda: load_model_file(model_path, section.regions, section.landmarks),
    )
    model.sha256 = digest  # into every sample's metadata (a cached copy may predate it)
    return ConfiguredModel(model, model_path, digest)


def drawn_model(
    model: MorphableModel, config: Config, extras: tuple[str, ...]
) -> MorphableModel | None:
    """``model`` reduced as ``render.detail`` draws it at the config's image size, or None
    for its own mesh: under ``auto``, where ``model.reduce`` finds the mesh far finer than
    the image, unless the ``correspondence`` extra asks for the model's own mesh. The
    reduced model is cached and shared like the model itself (keyed by its file, regions,
    landmarks and the triangle count)."""
    if config.render.detail == "full" or "correspondence" in extras:
        return None
    target = auto_triangles(model, config.camera.width, config.camera.height)
    if target is None:
        return None
    digest = getattr(model, "sha256", None)
    if digest is None:  # a model built in memory: nothing to key a shared copy by
        return reduced(model, target)
    key = hashlib.sha256(f"{digest}:{sorted(model.landmarks.items())}".encode())
    if model.regions is not None:
        key.update(np.ascontiguousarray(model.regions).tobytes())
    key.update(f":{model.n_triangles}:{target}:{REDUCTION}".encode())
    return shared_model(key.hexdigest(), lambda: reduced(model, target))


def build_renderer(
    model: MorphableModel,
    config: Config,
    backend: str,
    device: int | None = None,
    extras: tuple[str, ...] | None = None,
) -> Renderer:
    """A renderer of ``model`` with the config's outputs, extras, backgrounds and label set."""
    from morphgen.labelsets import remap_table

    output = config.output
    outputs = {"mask"} if output.mask else set()
    if output.depth != "none":
        outputs.add("depth")
    extras = tuple(output.extras) if extras is None else extras
    return Renderer(
        model,
        backend,
        outputs=frozenset(outputs),
        extras=extras,
        background_dir=config.background.directory,
        label_map=remap_table(output.labels),
        device=config.render.device if device is None else device,
        drawn=drawn_model(model, config, extras),
    )
