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
        ('default_region = "Narnia"\n', "line 1: key 'default_region': 'Narnia' is not a country"),
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


# ranges: every number has one (README, "Configuration"); outside it is the usual one line ------
HUGE = "99999999999"
OUT_OF_RANGE = [
    pytest.param(f"[queue]\nspacing_minutes = {HUGE}\n", "queue.spacing_minutes", 2, id="spacing"),
    pytest.param("[queue]\nspacing_minutes = 1441\n", "queue.spacing_minutes", 2, id="spacing+1"),
    pytest.param(f"[queue]\nnurture_days = {HUGE}\n", "queue.nurture_days", 2, id="nurture"),
    pytest.param("[queue]\nnurture_days = 3651\n", "queue.nurture_days", 2, id="nurture+1"),
    pytest.param(f"[queue]\nfresh_hours = {HUGE}\n", "queue.fresh_hours", 2, id="fresh"),
    pytest.param(
        f"[queue]\npromise_grace_minutes = {HUGE}\n", "queue.promise_grace_minutes", 2, id="grace"
    ),
    pytest.param(f"[queue]\nslack_days = {HUGE}\n", "queue.slack_days", 2, id="slack"),
    pytest.param(f"[queue]\nmax_attempts = {HUGE}\n", "queue.max_attempts", 2, id="attempts"),
    pytest.param(f'[queue]\nschedule = ["day {HUGE}"]\n', "queue.schedule", 2, id="day-huge"),
    pytest.param('[queue]\nschedule = ["now", "day 3651"]\n', "queue.schedule", 2, id="day+1"),
    pytest.param(f'[queue]\nschedule = ["+{HUGE}d"]\n', "queue.schedule", 2, id="plus-days"),
    pytest.param('[queue]\nschedule = ["+87601h"]\n', "queue.schedule", 2, id="plus-hours"),
    pytest.param(f'[queue]\nschedule = ["day {"9" * 5000}"]\n', "queue.schedule", 2, id="digits"),
    pytest.param(
        "[queue]\nschedule = [" + '"now", ' * 101 + "]\n", "queue.schedule", 2, id="101-steps"
    ),
    pytest.param(
        f"[block]\ntarget_dials_per_hour = {HUGE}\n", "block.target_dials_per_hour", 2, id="target"
    ),
    pytest.param(
        f"[calling_window]\nmax_calls_per_day = {HUGE}\n",
        "calling_window.max_calls_per_day",
        2,
        id="calls-per-day",
    ),
    pytest.param(
        f"[calling_window.regions.US-TX]\nmax_calls_per_day = {HUGE}\n",
        "calling_window.regions.US-TX.max_calls_per_day",
        2,
        id="region-calls-per-day",
    ),
    pytest.param(f"[weights]\nprior_dials = {HUGE}\n", "weights.prior_dials", 2, id="prior-dials"),
    pytest.param("[weights.weekday]\nmon = 1e999\n", "weights.weekday.mon", 2, id="weight-inf"),
    pytest.param("[weights.weekday]\ntue = nan\n", "weights.weekday.tue", 2, id="weight-nan"),
    pytest.param("[weights.hour]\n9 = -inf\n", "weights.hour.9", 2, id="weight--inf"),
    pytest.param("[weights.hour]\n9 = 10.5\n", "weights.hour.9", 2, id="weight>10"),
    pytest.param(
        f'[[blocks]]\nname = "A"\nrule = "FREQ=DAILY"\nminutes = {HUGE}\n',
        "blocks.minutes",
        4,
        id="block-minutes",
    ),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "FREQ=DAILY"\n\n[[blocks]]\nname = "B"\n'
        'rule = "FREQ=DAILY"\nminutes = 1441\n',
        "blocks.minutes",
        8,
        id="2nd-block-minutes",
    ),
    pytest.param(
        f'[[blocks]]\nname = "A"\nrule = "FREQ=DAILY"\ntarget_dials = {HUGE}\n',
        "blocks.target_dials",
        4,
        id="block-target",
    ),
    pytest.param(
        f"[review]\nwarm_untouched_days = {HUGE}\n", "review.warm_untouched_days", 2, id="review"
    ),
    pytest.param("[queue]\nwarm_share = nan\n", "queue.warm_share", 2, id="share-nan"),
    pytest.param("[queue]\nnurture_share = inf\n", "queue.nurture_share", 2, id="share-inf"),
]


@pytest.mark.parametrize(("text", "key", "line"), OUT_OF_RANGE)
def test_a_number_out_of_its_range_is_one_line_naming_file_key_and_line(
    tmp_path: Path, text: str, key: str, line: int
) -> None:
    with pytest.raises(ConfigError) as error:
        load(tmp_path, text)
    message = str(error.value)
    assert message.startswith(f"{tmp_path / 'config.toml'}, line {line}: key {key!r}: "), message
    assert "\n" not in message and len(message) < 300, message


WRONG_TYPE = [
    pytest.param("[queue]\nspacing_minutes = true\n", "queue.spacing_minutes", "int", id="bool"),
    pytest.param("[queue]\nspacing_minutes = 30.0\n", "queue.spacing_minutes", "int", id="float"),
    pytest.param("[queue]\nwarm_share = false\n", "queue.warm_share", "number", id="share-bool"),
    pytest.param("[weights.hour]\n9 = true\n", "weights.hour.9", "number", id="weight-bool"),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "FREQ=DAILY"\nminutes = 1.5\n',
        "blocks.minutes",
        "int",
        id="block-minutes-float",
    ),
    pytest.param(
        "[calling_window]\nmax_calls_per_day = true\n",
        "calling_window.max_calls_per_day",
        "int",
        id="calls-bool",
    ),
    pytest.param(
        f'[queue]\nspacing_minutes = "{"9" * 5000}"\n',
        "queue.spacing_minutes",
        "int",
        id="long-string",
    ),
]


@pytest.mark.parametrize(("text", "key", "kind"), WRONG_TYPE)
def test_a_bool_or_float_where_an_int_belongs_is_refused(
    tmp_path: Path, text: str, key: str, kind: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load(tmp_path, text)
    message = str(error.value)
    line = 4 if key.startswith("blocks.") else 2
    assert f"line {line}: key {key!r}: must be {kind}, got " in message, message
    assert len(message) < 300, message


@pytest.mark.parametrize(
    "text",
    [
        '[weights.hour]\n"\u00b2" = 1\n',  # "²" is a digit to str.isdigit(), not to int()
        '[weights.hour]\n"' + "1" * 5000 + '" = 1\n',
    ],
    ids=["superscript-two", "5000-digit-hour"],
)
def test_an_hour_that_is_not_0_to_23_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match=r"line 2: key 'weights\.hour\..*not an hour"):
        load(tmp_path, text)


def test_an_integer_of_thousands_of_digits_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config\.toml: a number too long to read"):
        load(tmp_path, "[queue]\nspacing_minutes = " + "9" * 5000 + "\n")


def test_the_ends_of_every_range_are_accepted(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        "[block]\ntarget_dials_per_hour = 10000\n"
        '[queue]\nschedule = ["now", "+3650d", "+87600h", "day 3650"]\nspacing_minutes = 1440\n'
        "slack_days = 30\nnurture_days = 3650\nwarm_share = 1\nnurture_share = 0\n"
        "promise_grace_minutes = 1440\nfresh_hours = 720\n"
        "[calling_window]\nmax_calls_per_day = 1000\n"
        "[weights]\nprior_dials = 1000000\n[weights.weekday]\nmon = 10\ntue = 0\n"
        '[[blocks]]\nname = "A"\nrule = "FREQ=DAILY"\nminutes = 1440\ntarget_dials = 10000\n'
        "[review]\nwarm_untouched_days = 3650\n",
    )
    assert settings.cadence.steps[-1].day == 3650
    assert settings.cadence.steps[1].after_minutes == 3650 * 1440
    assert settings.cadence.spacing.total_seconds() == 1440 * 60
    assert settings.weights.weekday[:2] == (10.0, 0.0)
    assert settings.blocks[0].minutes == 1440
    assert (settings.fresh_hours, settings.promise_grace_minutes) == (720, 1440)


def test_readme_config_section_states_every_range() -> None:
    """Each numeric key's line in the README's example config says its range, "low..high"."""
    from callblock.config.loader import RANGES

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("## Configuration") : readme.index("## Architecture")]
    for key, (low, high) in RANGES.items():
        name = key.rpartition(".")[2]
        lines = [
            line
            for line in section.splitlines()
            if line.startswith((f"{name} =", f"[{key}]", f"# {name} ="))
        ]
        assert any(f"{low}..{high}" in line for line in lines), (key, lines)


def _extreme_config(end: int) -> str:
    """Every number at one end of its range (`end` 0: lows, 1: highs)."""
    from callblock.config.loader import RANGES

    value = {key: bounds[end] for key, bounds in RANGES.items()}
    step = "day 3650" if end else "now"
    return (
        f"[block]\ntarget_dials_per_hour = {value['block.target_dials_per_hour']}\n"
        f'[queue]\nschedule = ["now", "{step}", "+3650d"]\n'
        + "".join(
            f"{key.split('.')[1]} = {value[key]}\n"
            for key in RANGES
            if key.startswith("queue.") and "attempts" not in key and "share" not in key
        )
        + f"warm_share = {end}\nnurture_share = 0\n"  # their sum is at most 1
        + f"[calling_window]\nmax_calls_per_day = {value['calling_window.max_calls_per_day']}\n"
        + f"[weights]\nprior_dials = {value['weights.prior_dials']}\n"
        + "[weights.weekday]\n"
        + "".join(f"{day} = {value['weights.weekday']}\n" for day in ("mon", "tue", "wed"))
        + f"[weights.hour]\n16 = {value['weights.hour']}\n"
        + '[[blocks]]\nname = "A"\nrule = "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9"\n'
        + f"minutes = {value['blocks.minutes']}\ntarget_dials = {value['blocks.target_dials']}\n"
        + f"[review]\nwarm_untouched_days = {value['review.warm_untouched_days']}\n"
    )


@pytest.mark.parametrize("end", [0, 1], ids=["lows", "highs"])
def test_commands_run_with_every_number_at_the_end_of_its_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], end: int
) -> None:
    """The ranges are ones the code can handle: demo, queue, plan, log and review all work."""
    import json

    from callblock.cli import main

    config = tmp_path / "config.toml"
    config.write_text(_extreme_config(end))
    load_settings(config, required=True, machine_zone="UTC")  # valid
    base = ["--db", str(tmp_path / "cb.db"), "--config", str(config), "--rep", "alice"]
    base += ["--now", "2026-11-23T19:00:00Z"]
    assert main([*base, "demo", "--leads", "40"]) == 0, capsys.readouterr()
    for args in (
        ["queue", "--json"],
        ["plan", "--json"],
        ["log", "--lead", "1", "--outcome", "no-answer"],
        ["queue", "--json"],
        ["report", "--date", "2026-11-23", "--format", "json"],
    ):
        capsys.readouterr()
        code = main([*base, *args])
        out, err = capsys.readouterr()
        assert (code, err) == (0, ""), (args, err)
        if "--json" in args or "json" in args:
            json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in the output"))
