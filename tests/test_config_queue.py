"""Config keys of the smart queue and the week plan: [queue], regional calling windows,
[weights], [[blocks]]. Valid values change Settings; bad ones name the file, the dotted key and
the exact line (DESIGN.md: "A malformed config names the file, key and line")."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest

from callblock.config import ConfigError, Settings, load_settings
from callblock.domain.calling import CallingWindow
from callblock.domain.planning import BlockRule, week_blocks
from callblock.domain.weights import PRIOR_HOUR, PRIOR_WEEKDAY

FILE = "config.toml"


def load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / FILE
    path.write_text(text)
    return load_settings(path, required=True, machine_zone="UTC")


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    return str(caught.value)


# valid values ----------------------------------------------------------------------------------
def test_queue_section_changes_cadence_shares_and_windows(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        "[queue]\n"
        'schedule = ["now", "+45m", "+2h", "day 4", "day 10"]\n'
        "max_attempts = 4\n"
        "spacing_minutes = 90\n"
        "slack_days = 1\n"
        "nurture_days = 60\n"
        "warm_share = 0.4\n"
        "nurture_share = 0.1\n"
        "promise_grace_minutes = 5\n"
        "fresh_hours = 12\n",
    )
    cadence = settings.cadence
    assert [step.text for step in cadence.steps] == ["now", "+45m", "+2h", "day 4"]
    assert [step.after_minutes for step in cadence.steps] == [0, 45, 120, None]
    assert cadence.steps[3].day == 4
    assert settings.max_attempts == 4
    assert cadence.spacing == timedelta(minutes=90)
    assert cadence.slack_days == 1
    assert cadence.nurture_every == timedelta(days=60)
    assert (settings.warm_share, settings.nurture_share) == (0.4, 0.1)
    assert (settings.promise_grace_minutes, settings.fresh_hours) == (5, 12)
    rules = settings.queue_rules()
    assert rules.promise_grace == timedelta(minutes=5)
    assert rules.fresh_for == timedelta(hours=12)
    assert rules.spacing == timedelta(minutes=90)
    assert (rules.warm_share, rules.nurture_share) == (0.4, 0.1)


def test_schedule_alone_sets_max_attempts_and_integer_shares_are_read(tmp_path: Path) -> None:
    settings = load(
        tmp_path, '[queue]\nschedule = ["now", "+1d"]\nwarm_share = 0\nnurture_share = 1\n'
    )
    assert settings.max_attempts == 2
    assert settings.cadence.steps[1].after_minutes == 1440
    assert (settings.warm_share, settings.nurture_share) == (0.0, 1.0)


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml", required=False, machine_zone="UTC")
    assert settings.max_attempts == 6
    assert [s.text for s in settings.cadence.steps] == [
        "now",
        "+30m",
        "+1h",
        "day 5",
        "day 14",
        "day 15",
    ]
    assert (settings.warm_share, settings.nurture_share) == (0.25, 0.05)
    assert settings.calling.regions["US-FL"] == CallingWindow(time(8), time(20), 3)
    assert settings.prior_dials == 200
    assert [b.name for b in settings.blocks] == ["Power hour", "Late power hour"]


def test_a_region_window_is_added_and_applies_to_its_leads(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        '[calling_window]\nstart = "09:00"\n\n'
        '[calling_window.regions.US-TX]\nend = "19:30"\nmax_calls_per_day = 2\n\n'
        '[calling_window.regions.DE]\nstart = "10:00"\nend = "18:00"\n',
    )
    calling = settings.calling
    assert calling.default == CallingWindow(time(9), time(21), None)
    # a region inherits what it leaves out from [calling_window]
    assert calling.regions["US-TX"] == CallingWindow(time(9), time(19, 30), 2)
    assert calling.regions["DE"] == CallingWindow(time(10), time(18), None)
    assert calling.window_for("US-TX") == CallingWindow(time(9), time(19, 30), 2)
    assert calling.window_for("DE-BY") == CallingWindow(time(10), time(18), None)  # the country
    assert calling.window_for("US-CA") == calling.default
    assert "US-FL" in calling.regions  # the built-in ones stay


def test_overriding_florida_end_keeps_its_legal_calls_per_day_cap(tmp_path: Path) -> None:
    """Florida allows at most 3 calls in 24 h (built in). Moving its end time must not silently
    lift that cap: the region's own built-in values are what an override starts from."""
    settings = load(tmp_path, '[calling_window.regions.US-FL]\nend = "19:30"\n')
    florida = settings.calling.regions["US-FL"]
    assert florida.end == time(19, 30)
    assert florida.max_calls_per_day == 3


def test_weights_change_priors_and_prior_dials(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        "[weights]\nprior_dials = 50\n\n"
        "[weights.weekday]\nmon = 0.9\nsat = 0\n\n"
        '[weights.hour]\n16 = 1.5\n"08" = 0.2\n',
    )
    weekday, hour = list(PRIOR_WEEKDAY), list(PRIOR_HOUR)
    weekday[0], weekday[5] = 0.9, 0.0
    hour[16], hour[8] = 1.5, 0.2
    assert settings.weights.weekday == tuple(weekday)
    assert settings.weights.hour == tuple(hour)
    assert settings.prior_dials == 50
    assert settings.queue_rules().weights.at(0, 16) == pytest.approx(0.9 * 1.5)


def test_blocks_replace_the_default_blocks(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        "[[blocks]]\n"
        'name = "Morning"\n'
        'rule = "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=8;BYMINUTE=30"\n'
        "minutes = 45\n"
        "target_dials = 40\n\n"
        "[[blocks]]\n"
        'name = "Friday push"\n'
        'rule = "FREQ=WEEKLY;BYDAY=FR;BYHOUR=15"\n',
    )
    assert settings.blocks == (
        BlockRule("Morning", "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=8;BYMINUTE=30", 45, 40),
        BlockRule("Friday push", "FREQ=WEEKLY;BYDAY=FR;BYHOUR=15", 60, 60),
    )
    blocks = week_blocks(settings.blocks, date(2026, 11, 25), "America/New_York")
    assert [(b.name, f"{b.start:%a %H:%M}", f"{b.end:%H:%M}") for b in blocks] == [
        ("Morning", "Tue 08:30", "09:15"),
        ("Morning", "Thu 08:30", "09:15"),
        ("Friday push", "Fri 15:00", "16:00"),
    ]


# bad values: file, dotted key, exact line ------------------------------------------------------
BAD = [
    pytest.param(
        '[queue]\nspacing_minutes = 30\nschedule = ["now", "+30x"]\n',
        "queue.schedule",
        3,
        "'+30x'",
        id="bad-schedule-step",
    ),
    pytest.param(
        '[queue]\nschedule = [\n  "now",\n  "in a week",\n]\n',
        "queue.schedule",
        2,
        "in a week",
        id="bad-step-in-multiline-array",
    ),
    pytest.param("[queue]\nschedule = []\n", "queue.schedule", 2, "at least one", id="empty"),
    pytest.param(
        '[queue]\nschedule = ["now", "+1h"]\nmax_attempts = 3\n',
        "queue.max_attempts",
        3,
        "2 steps",
        id="attempts-beyond-schedule",
    ),
    pytest.param(
        "[queue]\nwarm_share = 1.5\n", "queue.warm_share", 2, "at most 1 (0..1)", id="share>1"
    ),
    pytest.param(
        "[queue]\n\nnurture_share = -0.1\n", "queue.nurture_share", 3, "at least 0", id="share<0"
    ),
    pytest.param(
        "[queue]\nwarm_share = 0.8\n# more nurture\nnurture_share = 0.3\n",
        "queue.nurture_share",
        4,
        "warm_share + nurture_share > 1",
        id="warm+nurture>1",
    ),
    pytest.param(
        '[queue]\nwarm_share = "a lot"\n', "queue.warm_share", 2, "number", id="share-type"
    ),
    pytest.param(
        "[queue]\nspacing_minutes = -5\n", "queue.spacing_minutes", 2, "at least 0", id="neg"
    ),
    pytest.param(
        "[queue]\nfresh_hours = 24\nlanes = 2\n", "queue.lanes", 3, "unknown key", id="unknown"
    ),
    pytest.param(
        '[calling_window]\nstart = "08:00"\n\n[calling_window.regions.US-FL]\nstart = "08:00"\n'
        'finish = "20:00"\n',
        "calling_window.regions.US-FL.finish",
        6,
        "unknown key",
        id="unknown-region-key",
    ),
    pytest.param(
        '[calling_window.regions.US-FL]\nend = "20:00"\nmax_calls_per_day = 0\n',
        "calling_window.regions.US-FL.max_calls_per_day",
        3,
        "at least 1",
        id="region-calls-per-day-0",
    ),
    pytest.param(
        '[calling_window.regions.US-NY]\nend = "8pm"\n',
        "calling_window.regions.US-NY.end",
        2,
        "'8pm'",
        id="region-bad-time",
    ),
    pytest.param(
        '[calling_window]\nstart = "21:00"\nend = "08:00"\n',
        "calling_window.end",
        3,
        "later than start",
        id="start>=end",
    ),
    pytest.param(
        '[calling_window.regions.US-FL]\nstart = "20:00"\nend = "20:00"\n',
        "calling_window.regions.US-FL.end",
        3,
        "later than start",
        id="region-start==end",
    ),
    pytest.param(
        '[calling_window.regions.us-fl]\nend = "20:00"\n',
        "calling_window.regions.us-fl",
        1,
        "not a region",
        id="lowercase-region-code",
    ),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "FREQ=WEEKLY;BYDAY=MO"\n\n'
        '[[blocks]]\nname = "B"\nrule = "FREQ=SOMETIMES;BYDAY=TU"\n',
        "blocks.rule",
        7,
        "FREQ=SOMETIMES",
        id="bad-rrule-2nd-block",
    ),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "FREQ=WEEKLY;BYDAY=XX"\n',
        "blocks.rule",
        3,
        "not a recurrence rule",
        id="bad-byday",
    ),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "FREQ=WEEKLY;BYDAY=MO"\n\n[[blocks]]\nname = "B"\n'
        "minutes = 30\n",
        "blocks.rule",
        5,
        "required",
        id="2nd-block-missing-rule",
    ),
    pytest.param(
        '[[blocks]]\nrule = "FREQ=WEEKLY;BYDAY=MO"\n', "blocks.name", 1, "required", id="no-name"
    ),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "DTSTART:20260105T090000\\nRRULE:FREQ=WEEKLY"\n',
        "blocks.rule",
        3,
        "DTSTART",
        id="dtstart-in-rule",
    ),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "FREQ=DAILY"\n\n[[blocks]]\nname = "B"\n'
        'rule = "FREQ=WEEKLY;DTSTART=20260105T090000"\n',
        "blocks.rule",
        7,
        "DTSTART",
        id="dtstart-in-2nd-rule",
    ),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "FREQ=DAILY"\n\n[[blocks]]\nname = "B"\n'
        'rule = "FREQ=DAILY"\nminutes = "sixty"\n',
        "blocks.minutes",
        8,
        "must be int",
        id="2nd-block-minutes-type",
    ),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "FREQ=DAILY"\n\n[[blocks]]\nname = "B"\n'
        'rule = "FREQ=DAILY"\ncolour = "red"\n',
        "blocks.colour",
        8,
        "unknown key",
        id="2nd-block-unknown-key",
    ),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "FREQ=DAILY"\nminutes = 0\n',
        "blocks.minutes",
        4,
        "at least 1",
        id="block-minutes-0",
    ),
    pytest.param(
        '[[blocks]]\nname = "A"\nrule = "FREQ=DAILY"\n\n[[blocks]]\nname = "B"\n'
        'rule = "FREQ=DAILY"\ntarget_dials = -1\n',
        "blocks.target_dials",
        8,
        "at least 0",
        id="2nd-block-negative-target",
    ),
    pytest.param(
        "[weights.weekday]\nmon = 0.7\nfunday = 0.5\n",
        "weights.weekday.funday",
        3,
        "not a day",
        id="funday",
    ),
    pytest.param(
        "[weights]\nweekday = { tue = 0.7, funday = 0.5 }\n",
        "weights.weekday.funday",
        2,
        "not a day",
        id="funday-inline-table",
    ),
    pytest.param(
        '[weights.hour]\n16 = 1.0\n"25" = 0.5\n', "weights.hour.25", 3, "not an hour", id="hour-25"
    ),
    pytest.param("[weights.hour]\nnoon = 0.5\n", "weights.hour.noon", 2, "not an hour", id="noon"),
    pytest.param(
        "[weights.weekday]\nthu = 1.0\nwed = -0.2\n",
        "weights.weekday.wed",
        3,
        "at least 0 (0..10)",
        id="negative-weekday-weight",
    ),
    pytest.param(
        "[weights.hour]\n9 = -1\n", "weights.hour.9", 2, "at least 0 (0..10)", id="negative-hour"
    ),
    pytest.param(
        '[weights.weekday]\nfri = "high"\n', "weights.weekday.fri", 2, "number", id="weight-type"
    ),
    pytest.param("[weights]\nprior_dials = 0\n", "weights.prior_dials", 2, "at least 1", id="m=0"),
]


@pytest.mark.parametrize(("text", "key", "line", "problem"), BAD)
def test_a_bad_value_names_the_file_the_dotted_key_and_its_line(
    tmp_path: Path, text: str, key: str, line: int, problem: str
) -> None:
    message = error_of(tmp_path, text)
    assert f"{tmp_path / FILE}, line {line}: key '{key}': " in message, message
    assert problem in message, message
    assert "\n" not in message.strip()


def test_the_line_is_counted_in_the_whole_file(tmp_path: Path) -> None:
    """The same key name in other tables and in comments must not be mistaken for the bad one."""
    text = (
        'timezone = "America/New_York"  # line 1\n'
        "# [queue] warm_share = 0.9 in a comment\n"
        "[block]\n"
        'name = "Power hour"\n'
        "\n"
        "[calling_window]\n"
        'end = "21:00"\n'
        "\n"
        "[calling_window.regions.US-FL]\n"
        'end = "20:00"\n'
        "\n"
        "[calling_window.regions.US-GA]\n"
        'start = "09:00"\n'
        'end = "07:00"\n'
    )
    message = error_of(tmp_path, text)
    assert "line 14: key 'calling_window.regions.US-GA.end'" in message, message


def test_a_config_error_stops_the_cli_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from callblock.cli import main

    path = tmp_path / FILE
    path.write_text("[queue]\nwarm_share = 0.9\nnurture_share = 0.2\n")
    code = main(["--db", str(tmp_path / "cb.db"), "--config", str(path), "queue", "--json"])
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    assert err.strip().count("\n") == 0
    assert f"{path}, line 3: key 'queue.nurture_share'" in err
    assert not (tmp_path / "cb.db").exists()  # nothing started
