"""How many PCA components a sampler draws: what the config asks, checked against the model."""

from __future__ import annotations

from pydantic import BaseModel

from morphgen.errors import ConfigError


def component_count(section: BaseModel, key: str, available: int) -> int:
    """``section.components`` (None = all) for a model part with ``available`` components.

    A config that sets more than the model has is an error naming ``key``; the schema's
    default, when the config does not set it, is capped at the model's count.
    """
    requested = section.components
    if requested is None:
        return available
    if requested > available and "components" in section.model_fields_set:
        raise ConfigError(
            f"{key}: {requested} components asked for, but the model has {available}; "
            f"set {key} to at most {available}, or null for all of them"
        )
    return min(requested, available)
