"""One sample as the members a shard stores (image, mask, depth, extras, json, cls), both ways.

``encode_sample`` turns a rendered sample into its encoded members in a fixed order;
``decode_member`` fills a read-back sample dict from one member. A read-back sample has
``key``, ``identity``, ``sample``, ``rgb`` (H, W, 3) uint8, ``mask`` (H, W) uint8 or None,
``depth`` (H, W) float32 mm or None, ``metadata`` (dict), ``cls`` and ``extras``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from morphgen.config.schema import Output
from morphgen.io.encode import (
    decode_depth_png16,
    decode_image,
    decode_npy,
    encode_depth_png16,
    encode_image,
    encode_json,
    encode_mask,
    encode_npy,
)
from morphgen.io.layout import parse_key

SampleRecord = dict[str, Any]  # a sample read back (render.sample.Sample is one rendered)
# Metadata keys that hold landmarks (dropped when ``output.landmarks`` is false).
LANDMARK_KEYS = ("landmarks", "landmark_visible", "arcface5")


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


def sample_metadata(sample: Any, options: Output) -> dict[str, Any]:
    """The sample's metadata, without landmarks when they are switched off."""
    metadata = dict(sample.metadata())
    if not options.landmarks:
        for key in LANDMARK_KEYS:
            metadata.pop(key, None)
    return metadata


def encode_sample(sample: Any, options: Output) -> list[Member]:
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


def new_sample(key: str) -> SampleRecord:
    identity, index = parse_key(key)
    return {
        "key": key,
        "identity": identity,
        "sample": index,
        "rgb": None,
        "mask": None,
        "depth": None,
        "metadata": None,
        "extras": {},
    }


def decode_member(sample: SampleRecord, suffix: str, data: bytes) -> None:
    """Decode one member (``png``, ``mask.png``, ``depth.npy``, ``json``...) into ``sample``."""
    kind, _, ext = suffix.rpartition(".")
    if not kind and ext in ("png", "jpg"):
        sample["rgb"] = decode_image(data)
    elif kind == "mask":
        sample["mask"] = decode_image(data)
    elif kind == "depth":
        sample["depth"] = decode_depth_png16(data) if ext == "png" else decode_npy(data)
    elif ext == "json":
        sample["metadata"] = json.loads(data)
    elif ext == "cls":
        sample["cls"] = int(data)
    elif kind:
        sample["extras"][kind] = decode_image(data)
