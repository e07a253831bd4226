"""Configs: the schema (every default and name list declared once), the loader, distributions."""

from morphgen.config.loader import defaults_table, load_config, parse_config
from morphgen.config.schema import Config

__all__ = ["Config", "defaults_table", "load_config", "parse_config"]
