"""What a shard holds (from ``config.output``) and how one sample becomes its encoded members."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from morphgen.errors import MorphgenError
from morphgen.io.encode import (
    encode_depth_png16,
    encode_image,
    encode_json,
    encode_mask,
    encode_npy,
)

FORMATS = ("webdataset", "hdf5", "folders")
DEPTH_MODES = ("none", "png16", "npy")
# Metadata keys that hold landmarks (dropped when ``output.landmarks`` is false).
LANDMARK_KEYS = ("landmarks", "landmark_visible", "arcface5")


@dataclass(frozen=True)
class OutputOptions:
    """The ``output`` section of a config, as the writers use it."""

    format: str = "webdataset"
    image_format: str = "png"
    jpeg_quality: int = 95
    samples_per_shard: int = 1000
    mask: bool = True
    depth: str = "png16"
    landmarks: bool = True
    extras: tuple[str, ...] = ()
    labels: str = "morphgen"

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise MorphgenError(
                f"output.format: unknown format {self.format!r}; expected one of {FORMATS}"
            )
        if self.depth not in DEPTH_MODES:
            raise MorphgenError(f"output.depth: {self.depth!r}; expected one of {DEPTH_MODES}")
        if self.image_format not in ("png", "jpg"):
            raise MorphgenError(f"output.image_format: {self.image_format!r}; expected png or jpg")
        if self.samples_per_shard < 1:
            raise MorphgenError("output.samples_per_shard: expected a positive integer")

    @classmethod
    def from_config(cls, output: Any) -> OutputOptions:
        """Options from a config's ``output`` section (a pydantic model or a dict)."""
        data = output if isinstance(output, dict) else output.model_dump()
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        if "extras" in known:
            known["extras"] = tuple(known["extras"])
        return cls(**known)


def sample_key(identity: int, sample: int) -> str:
    """A sample's key: no dots, so WebDataset groups its members correctly."""
    return f"id{identity:06d}_s{sample:04d}"


def identity_dir(identity: int) -> str:
    """The folder name of an identity in the ``folders`` layout (sorts in identity order)."""
    return f"id{identity:06d}"


@dataclass(frozen=True)
class Member:
    """One encoded part of a sample: ``kind`` (image, mask, depth, json, cls or an extra's name)."""

    kind: str
    ext: str  # the file extension: png, jpg, npy, json, cls
    data: bytes

    @property
    def suffix(self) -> str:
        """The part of the WebDataset member name after the key and its dot."""
        return member_suffix(self.kind, self.ext)


def member_suffix(kind: str, ext: str) -> str:
    """``png`` for the image, ``json``, ``cls``; ``<kind>.<ext>`` (``mask.png``) otherwise."""
    return ext if kind in ("image", "json", "cls") else f"{kind}.{ext}"


def sample_metadata(sample: Any, options: OutputOptions) -> dict[str, Any]:
    """The sample's metadata, without landmarks when they are switched off."""
    metadata = dict(sample.metadata())
    if not options.landmarks:
        for key in LANDMARK_KEYS:
            metadata.pop(key, None)
    return metadata


def encode_sample(sample: Any, options: OutputOptions) -> list[Member]:
    """Every member of one sample in a fixed order: image, mask, depth, extras, json, cls."""
    members = [
        Member(
            "image",
            options.image_format,
            encode_image(sample.rgb, options.image_format, options.jpeg_quality),
        )
    ]
    if options.mask:
        members.append(Member("mask", "png", encode_mask(sample.mask)))
    if options.depth == "png16":
        members.append(Member("depth", "png", encode_depth_png16(sample.depth)))
    elif options.depth == "npy":
        members.append(Member("depth", "npy", encode_npy(sample.depth.astype("float32"))))
    for name in options.extras:
        members.append(Member(name, "png", encode_image(sample.extras[name])))
    members.append(Member("json", "json", encode_json(sample_metadata(sample, options))))
    members.append(Member("cls", "cls", str(int(sample.params.identity)).encode()))
    return members
