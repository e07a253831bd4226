"""The one exception type that the CLI turns into a clear message and a non-zero exit."""


class MorphgenError(Exception):
    """A user-facing error: bad input, a missing file, a full disk.

    The message must name the file or key involved and say what was expected.
    The CLI prints it as ``morphgen: error: <message>`` and exits with status 2.
    """


class ModelFormatError(MorphgenError):
    """A model file that is missing, unreadable or in neither supported layout."""


class ConfigError(MorphgenError):
    """A YAML config with an unknown key, a wrong type or an invalid value."""
