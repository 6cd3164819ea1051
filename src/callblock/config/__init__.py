"""Settings: defaults in code, overridden by an optional TOML file, validated strictly.

A bad file names the file, the key and the line, and the app does not start.
"""

from callblock.config.loader import load_settings
from callblock.config.settings import COMMAND_KEYS, DEFAULT_KEYS, ConfigError, Settings

__all__ = ["COMMAND_KEYS", "DEFAULT_KEYS", "ConfigError", "Settings", "load_settings"]
