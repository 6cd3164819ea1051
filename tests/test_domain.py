"""Unit and property tests of the pure domain."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callblock.domain.calling import local_time
from callblock.domain.models import Lead, LeadStatus, Temperature, fit_score
from callblock.domain.outcomes import (
    OUTCOMES,
    LeadState,
    UnknownOutcomeError,
    outcome_by_code,
    state_after,
)
from callblock.domain.phones import PhoneError, normalize_phone
from callblock.domain.priority import QueueRules, rank_leads
from callblock.domain.text import clean_block, clean_line
from callblock.domain.whenparse import WhenParseError, parse_when

NY = ZoneInfo("America/New_York")


def test_outcome_table_has_the_contract_codes_and_keys() -> None:
    assert {o.code: o.key for o in OUTCOMES} == {
        "connected": "c",
        "no-answer": "n",
        "voicemail": "v",
        "busy": "b",
        "gatekeeper": "g",
        "bad-number": "w",
        "callback": "l",
        "meeting": "m",
        "not-interested": "x",
        "dnc": "d",
    }
    contacts = {o.code for o in OUTCOMES if o.is_contact}
    assert contacts == {"connected", "callback", "meeting", "not-interested", "dnc"}
    assert all(o.is_dial for o in OUTCOMES)
    assert {o.code for o in OUTCOMES if o.asks_when} == {"callback", "meeting"}
    assert [o.code for o in OUTCOMES if o.confirm] == ["dnc"]


def test_unknown_outcome_names_the_known_codes() -> None:
    with pytest.raises(UnknownOutcomeError, match="known: connected"):
        outcome_by_code("hung-up")


@pytest.mark.parametrize(
    ("code", "status", "bad"),
    [
        ("no-answer", LeadStatus.WORKING, False),
        ("bad-number", LeadStatus.WORKING, True),
        ("meeting", LeadStatus.QUALIFIED, False),
        ("not-interested", LeadStatus.NURTURE, False),
        ("dnc", LeadStatus.DNC, False),
    ],
)
def test_outcome_effects_on_a_new_lead(code: str, status: LeadStatus, bad: bool) -> None:
    after = state_after(LeadState(LeadStatus.NEW, False), outcome_by_code(code))
    assert after == LeadState(status, bad)


def test_a_dial_does_not_reopen_a_nurture_lead_by_accident() -> None:
    after = state_after(LeadState(LeadStatus.NURTURE, False), outcome_by_code("busy"))
    assert after.status is LeadStatus.NURTURE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thu 3pm", datetime(2026, 11, 26, 15, 0, tzinfo=NY)),
        ("tomorrow 10:30", datetime(2026, 11, 24, 10, 30, tzinfo=NY)),
        ("in 2 days", datetime(2026, 11, 25, 14, 0, tzinfo=NY)),
        ("in 30 min", datetime(2026, 11, 23, 14, 30, tzinfo=NY)),
        ("2026-12-01 09:00", datetime(2026, 12, 1, 9, 0, tzinfo=NY)),
        ("friday", datetime(2026, 11, 27, 9, 0, tzinfo=NY)),
        ("next mon 9am", datetime(2026, 11, 30, 9, 0, tzinfo=NY)),
        ("1pm", datetime(2026, 11, 24, 13, 0, tzinfo=NY)),  # past today: tomorrow
        ("4pm", datetime(2026, 11, 23, 16, 0, tzinfo=NY)),
    ],
)
def test_parse_when_reads_plain_words(text: str, expected: datetime) -> None:
    now = datetime(2026, 11, 23, 14, 0, tzinfo=NY)  # a Monday
    assert parse_when(text, now) == expected


def test_a_weekday_named_on_that_day_after_the_time_means_next_week() -> None:
    thursday_4pm = datetime(2026, 11, 26, 16, 0, tzinfo=NY)
    assert parse_when("thu 3pm", thursday_4pm) == datetime(2026, 12, 3, 15, 0, tzinfo=NY)


@pytest.mark.parametrize("text", ["", "garbage", "2020-01-01 09:00", "someday"])
def test_parse_when_refuses_what_it_cannot_read_or_the_past(text: str) -> None:
    with pytest.raises(WhenParseError):
        parse_when(text, datetime(2026, 11, 23, 14, 0, tzinfo=NY))


@given(st.text())
def test_clean_line_never_lets_control_characters_through(raw: str) -> None:
    cleaned = clean_line(raw)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in cleaned)
    assert not any(c in cleaned for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


_REPLACED = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]"


def _cleaned_line(raw: str) -> str:
    """clean_line's rule written out, with no fast path for text that needs nothing."""
    text = raw.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return re.sub(_REPLACED, "\ufffd", text).strip()


def _cleaned_block(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return re.sub(_REPLACED, "\ufffd", text)


# printable text, text with a control or a separator, and the characters around the rules' edges
_TEXTS = st.text() | st.text(
    st.sampled_from(" a\t\n\r\x1f\x7f\x9f\xa0\xad\u2028\u202e\u2069\u3000")
)


@given(_TEXTS)
def test_clean_text_is_the_rule_with_or_without_its_fast_path(raw: str) -> None:
    # an import cleans ~2 million cells: printable text skips the replacing, and must come out
    # exactly as if it had gone through it
    assert clean_line(raw, None) == _cleaned_line(raw)
    assert clean_block(raw, None) == _cleaned_block(raw)


def test_fit_score_of_no_fit_is_zero() -> None:
    assert fit_score({}) == 0.0 == fit_score({"budget": 0})


def test_clean_keeps_markup_lookalikes_as_literal_text() -> None:
    for text in ("[bold red]X[/]", "Acme [UK] Ltd", "Smith [/] Jr", "[@click=app.quit]y[/]"):
        assert clean_line(text) == text
    assert "\x1b" not in clean_line("a\x1b[2Jb\x1b]52;c;SGVsbG8=\x07")
    assert clean_block("line 1\nline 2\x1b[31m") == "line 1\nline 2\ufffd[31m"
    assert clean_line("x" * 1000, 10) == "x" * 9 + "…"


def test_phone_normalisation_and_zone() -> None:
    phone = normalize_phone("(212) 555-0143")
    assert phone.e164 == "+12125550143"
    assert phone.timezone == "America/New_York"
    assert normalize_phone("030 901820", "DE").e164 == "+4930901820"
    with pytest.raises(PhoneError):
        normalize_phone("12")


def test_fit_score_is_between_zero_and_one() -> None:
    assert fit_score({}) == 0
    top = {
        "company_size": 3,
        "audience_size": 3,
        "title": 3,
        "location": 1,
        "existing_client": 1,
        "growth": 1,
    }
    assert fit_score(top) == 1
    assert fit_score({"title": 99}) == fit_score({"title": 3})


def _lead(lead_id: int, **fields: object) -> Lead:
    values: dict[str, object] = {
        "id": lead_id,
        "name": f"L{lead_id}",
        "company": "C",
        "phone": "+12125550100",
        "phone_display": "+1 212-555-0100",
        "created_at": datetime(2026, 11, 1, tzinfo=UTC),
        "timezone": "America/New_York",
    }
    values.update(fields)
    return Lead(**values)  # type: ignore[arg-type]


RULES = QueueRules(default_zone="America/New_York")


@given(
    moment=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(
        [
            "America/New_York",
            "America/Los_Angeles",
            "Europe/Berlin",
            "Asia/Tokyo",
            "Australia/Sydney",
            "Pacific/Honolulu",
            "America/St_Johns",
        ]
    ),
    status=st.sampled_from(list(LeadStatus)),
    bad=st.booleans(),
)
def test_the_queue_never_holds_dnc_bad_numbers_or_leads_outside_their_window(
    moment: datetime, zone: str, status: LeadStatus, bad: bool
) -> None:
    lead = _lead(1, timezone=zone, status=status, bad_number=bad)
    items = rank_leads([lead], {}, moment, RULES, rep="alice")
    if items:
        assert status is not LeadStatus.DNC and not bad
        assert RULES.calling.default.allows(local_time(moment, zone))


def test_a_due_promise_ranks_above_a_fresh_lead() -> None:
    from callblock.domain.models import Callback

    now = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    fresh = _lead(1, created_at=now - timedelta(minutes=3))
    promised = _lead(
        2, attempts=2, last_touch_at=now - timedelta(days=1), status=LeadStatus.WORKING
    )
    promise = Callback(1, 2, "alice", now - timedelta(minutes=1), "callback")
    ranked = rank_leads([fresh, promised], {2: promise}, now, RULES, rep="alice")
    assert [item.lead.id for item in ranked] == [2, 1]
    assert ranked[0].tier == "promise"
    assert any("promised" in reason for reason in ranked[0].reasons)


def test_followups_respect_spacing_and_attempt_limit() -> None:
    now = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    recent = _lead(1, attempts=1, last_touch_at=now - timedelta(minutes=10))
    used_up = _lead(2, attempts=6, last_touch_at=now - timedelta(days=3))
    due = _lead(
        3,
        attempts=2,
        last_touch_at=now - timedelta(days=3),
        next_due_at=now - timedelta(days=2),
        temperature=Temperature.HOT,
    )
    ranked = rank_leads([recent, used_up, due], {}, now, RULES, rep="alice")
    assert [item.lead.id for item in ranked] == [3]
    assert ranked[0].reasons[0] == "attempt 3 of 6, due since Sat"
