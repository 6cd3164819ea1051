"""Config: defaults, overrides, and errors that name the file, key and line."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from callblock.config import ConfigError, load_settings


def load(tmp_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_settings(path, required=True, machine_zone="UTC")


def test_missing_optional_config_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml", required=False, machine_zone="Europe/Paris")
    assert settings.timezone == "Europe/Paris"
    assert settings.keys["no-answer"] == "n"


def test_a_config_overrides_defaults(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        'timezone = "America/Denver"\n[calling_window]\nend = "20:00"\n'
        '[keys]\nno-answer = "z"\n[queue]\nmax_attempts = 5\n',
    )
    assert settings.timezone == "America/Denver"
    assert settings.calling.default.end == time(20, 0)
    assert settings.keys["no-answer"] == "z"
    assert settings.max_attempts == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('timezone = "UTC"\n\n[keys]\nno-anwser = "z"\n', "line 4: key 'keys.no-anwser': unknown"),
        ('[block]\ntarget_dials_per_hour = "sixty"\n', "line 2: key 'block.target_dials_per_hour'"),
        ('colour = "red"\n', "line 1: key 'colour': unknown key"),
        ('timezone = "Mars/Olympus"\n', "line 1: key 'timezone': unknown time zone"),
        ('[keys]\nbusy = "n"\n', "line 2: key 'keys.busy': key 'n' is already used"),
        ('[calling_window]\nstart = "8am"\n', "line 2: key 'calling_window.start'"),
        ("timezone = \n", "config.toml"),
    ],
)
def test_bad_config_names_file_key_and_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(tmp_path, text)
    assert str(tmp_path / "config.toml") in str(error.value)
    assert expected in str(error.value)


def test_an_explicit_config_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", required=True, machine_zone="UTC")
