"""Domain objects. Times are timezone-aware UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Temperature(StrEnum):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class LeadStatus(StrEnum):
    NEW = "new"
    WORKING = "working"
    NURTURE = "nurture"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"
    DNC = "do-not-call"


class Tier(StrEnum):
    """Why a lead is in the queue, in the order the queue serves them."""

    PROMISE = "promise"  # a callback or meeting due
    INBOUND = "inbound"  # a fresh inbound lead
    FOLLOW_UP = "follow-up"  # the cadence's next attempt
    NURTURE = "nurture"  # long-term nurture
    UNDO = "undo"  # brought back by undo to be recorded again
    RESUMED = "resumed"  # on the rep's screen when the block was interrupted
    CHOSEN = "chosen"  # picked by the rep (call now)


class PromiseKind(StrEnum):
    CALLBACK = "callback"
    MEETING = "meeting"
    GOODBYE = "goodbye"  # the cadence's closing message, due like a promise


class PromiseState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # closed by a later touch (kept, or called late)
    REPLACED = "replaced"  # a new callback or meeting time took its place
    UNDONE = "undone"  # the touch that set it was undone


class Channel(StrEnum):
    CALL = "call"
    VOICEMAIL = "voicemail"
    EMAIL = "email"
    SMS = "sms"
    SOCIAL = "social"  # older touches; new ones say linkedin
    LINKEDIN = "linkedin"


class TemplateChannel(StrEnum):
    """What a template is for: a channel of the cadence, or the call's own scripts."""

    CALL_SCRIPT = "call-script"
    VOICEMAIL = "voicemail"
    EMAIL = "email"
    LINKEDIN = "linkedin"
    SMS = "sms"


# The plain fit criteria from DESIGN.md, each scored 0..max; the fit score is their weighted sum.
FIT_CRITERIA: dict[str, tuple[int, float]] = {
    # name: (max value, weight)
    "company_size": (3, 1.0),
    "audience_size": (3, 1.0),
    "title": (3, 1.5),
    "location": (1, 0.5),
    "existing_client": (1, 1.0),
    "growth": (1, 1.0),
}


def fit_score(fit: dict[str, int]) -> float:
    """Weighted sum of the fit criteria, normalised to 0..1."""
    if not fit:
        return 0.0  # most imported leads
    total = sum(maximum * weight for maximum, weight in FIT_CRITERIA.values())
    got = sum(
        min(max(int(fit.get(name, 0)), 0), maximum) * weight
        for name, (maximum, weight) in FIT_CRITERIA.items()
    )
    return round(got / total, 3)


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number and what it implies: the one value a lead's phone fields are."""

    e164: str = ""  # "" when the lead has no number
    display: str = ""
    timezone: str | None = None  # None when the number spans several zones or none is known
    region: str | None = None  # "US-FL", "DE": where the number is from
    # A number whose area spans zones (+1 605: Central and Mountain) gets the easternmost as
    # `timezone` and how far the westernmost may lag it: the calling window must hold in both.
    zone_spread: int = 0  # minutes

    def record(self) -> dict[str, Any]:
        """The number as a lead record spells it (the store's columns: `region` there is the
        phone's region; the record's own is `record_region`)."""
        return {
            "phone": self.e164,
            "phone_display": self.display,
            "phone_timezone": self.timezone,
            "region": self.region,
            "zone_spread": self.zone_spread,
        }


NO_PHONE = Phone()
PHONE_FIELDS = tuple(NO_PHONE.record())  # a lead record's keys that belong to its number


@dataclass(frozen=True, slots=True)
class Lead:
    id: int
    name: str
    company: str
    phone: str  # E.164, "" when the lead has no number
    phone_display: str
    created_at: datetime
    title: str = ""
    email: str = ""
    other_phones: tuple[str, ...] = ()  # E.164: numbers kept besides `phone` (a merge drops none)
    other_emails: tuple[str, ...] = ()  # addresses kept besides `email`
    links: tuple[str, ...] = ()
    timezone: str | None = None  # explicit zone from the record
    phone_timezone: str | None = None  # derived from the phone number
    temperature: Temperature = Temperature.WARM
    fit: dict[str, int] = field(default_factory=dict)
    owner: str | None = None
    status: LeadStatus = LeadStatus.NEW
    notes: str = ""
    attempts: int = 0  # call attempts that count (not undone)
    last_touch_at: datetime | None = None
    bad_number: bool = False
    phone_region: str | None = None  # "US-FL", "DE": where the phone number is from
    record_region: str | None = None  # from the record (State/Country, the lead form): wins
    first_call_at: datetime | None = None
    next_due_at: datetime | None = None  # next attempt under the cadence; None: attempts used up
    stored_fit_score: float | None = None  # as the store keeps it (saves recomputing)
    zone_spread: int = 0  # minutes the lead's clock may lag its zone (phone area spans zones)
    # Merge fields: parsed from `name` once, kept as corrected by a rep.
    first_name: str = ""
    last_name: str = ""
    pronunciation: str = ""  # "BROH-doh": shown by the name, a merge field
    interest: str = ""  # what the lead asked for or downloaded (CRM "Lead Source", "Form")
    # The cadence over every channel: steps done (calls and tasks), and a non-call step due.
    steps_done: int = 0
    task_due_at: datetime | None = None
    task_step: int | None = None  # index into the cadence's steps
    task_channel: str | None = None  # "email", "linkedin", "sms"

    @property
    def fit_score(self) -> float:
        return self.stored_fit_score if self.stored_fit_score is not None else fit_score(self.fit)

    @property
    def phone_line(self) -> Phone:
        """The lead's number and what it implies, as one value."""
        return Phone(
            self.phone, self.phone_display, self.phone_timezone, self.phone_region, self.zone_spread
        )

    @property
    def region(self) -> str | None:
        """The region whose calling rules apply: the record's, else the phone number's."""
        return self.record_region or self.phone_region

    @property
    def region_source(self) -> str | None:
        """Where `region` came from: "record", "phone", or None when neither gives one."""
        if self.record_region:
            return "record"
        return "phone" if self.phone_region else None

    def zone(self, default: str) -> str:
        """The lead's time zone: its record, else its phone number, else the team default."""
        return self.timezone or self.phone_timezone or default


@dataclass(frozen=True, slots=True)
class Touch:
    id: int
    lead_id: int
    rep: str
    at: datetime
    channel: Channel
    outcome: str
    note: str = ""
    session_id: int | None = None
    undone: bool = False
    outside_window: bool = False  # logged outside the lead's calling hours (`--outside-window`)
    template: str | None = None  # the template it used (or, for a reply, answered)
    variant: str | None = None
    message_id: str | None = None  # an email's Message-ID as sent


@dataclass(frozen=True, slots=True)
class Template:
    """A team's message: a call script, voicemail, email, LinkedIn note or SMS. `step` is the
    cadence step it serves (1-based, None: any); variants of one step are tested against each
    other. `subject` is for email only. The body is Jinja text over MERGE_FIELDS."""

    name: str
    channel: TemplateChannel
    body: str
    step: int | None = None
    variant: str = ""  # "", "A", "B", ...
    subject: str = ""
    updated_at: datetime | None = None
    updated_by: str = ""


@dataclass(frozen=True, slots=True)
class Callback:
    """A promise: a callback or an appointment (meeting) at a time."""

    id: int
    lead_id: int
    rep: str
    due_at: datetime
    kind: PromiseKind
    done: bool = False
    touch_id: int | None = None


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    rep: str
    block_name: str
    started_at: datetime
    ended_at: datetime | None = None
    target_per_hour: int = 60
