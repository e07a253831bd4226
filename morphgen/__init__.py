"""morphgen: synthetic face datasets with exact labels from 3D morphable models."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("morphgen")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"
