"""The one outcome (disposition) table: codes, labels, default keys and effects."""

from __future__ import annotations

from dataclasses import dataclass

from callblock.domain.models import Lead, LeadStatus, PromiseKind


class UnknownOutcomeError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Outcome:
    code: str  # canonical code: public, used by the CLI and JSON
    label: str
    key: str  # default key; remappable in config
    short: str  # label in the key bar at 80 columns
    is_dial: bool
    is_contact: bool  # a conversation with the lead itself (a gatekeeper is not)
    asks_when: bool = False  # callback/meeting: asks for a time
    confirm: bool = False  # asks "are you sure?" first (do-not-call)
    new_status: LeadStatus | None = None
    marks_bad_number: bool = False
    creates: PromiseKind | None = None  # the promise an outcome sets
    cancels_promises: bool = False


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("connected", "Connected (conversation)", "c", "conn", True, True),
    Outcome("no-answer", "No answer", "n", "no ans", True, False),
    Outcome("voicemail", "Left voicemail", "v", "vm", True, False),
    Outcome("busy", "Busy", "b", "busy", True, False),
    Outcome("gatekeeper", "Gatekeeper", "g", "gate", True, False),
    Outcome("bad-number", "Wrong / bad number", "w", "bad #", True, False, marks_bad_number=True),
    Outcome(
        "callback",
        "Callback requested",
        "l",
        "callbk",
        True,
        True,
        asks_when=True,
        creates=PromiseKind.CALLBACK,
    ),
    Outcome(
        "meeting",
        "Meeting booked",
        "m",
        "meet",
        True,
        True,
        asks_when=True,
        new_status=LeadStatus.QUALIFIED,
        creates=PromiseKind.MEETING,
    ),
    Outcome(
        "not-interested",
        "Not interested",
        "x",
        "not int",
        True,
        True,
        new_status=LeadStatus.NURTURE,
    ),
    Outcome(
        "dnc",
        "Do not call",
        "d",
        "DNC",
        True,
        True,
        confirm=True,
        new_status=LeadStatus.DNC,
        cancels_promises=True,
    ),
)

OUTCOME_BY_CODE: dict[str, Outcome] = {outcome.code: outcome for outcome in OUTCOMES}


def outcome_by_code(code: str) -> Outcome:
    try:
        return OUTCOME_BY_CODE[code]
    except KeyError:
        known = ", ".join(OUTCOME_BY_CODE)
        raise UnknownOutcomeError(f"unknown outcome {code!r} (known: {known})") from None


@dataclass(frozen=True, slots=True)
class LeadState:
    """The fields of a lead that an outcome may change (and an undo restores)."""

    status: LeadStatus
    bad_number: bool


def state_of(lead: Lead) -> LeadState:
    return LeadState(status=lead.status, bad_number=lead.bad_number)


def state_after(
    state: LeadState, outcome: Outcome, *, attempts: int = 0, max_attempts: int | None = None
) -> LeadState:
    """The lead's state once `outcome` is recorded as call attempt number `attempts`.

    A dial that uses up the schedule's attempts without a final outcome moves the lead to
    long-term nurture (it is not deleted: warm leads ripen later). No outcome takes a lead off
    do-not-call."""
    status = state.status
    if status is LeadStatus.DNC:  # lifting it is a team lead's act, with a reason
        pass
    elif outcome.new_status is not None:
        status = outcome.new_status
    elif status is LeadStatus.NEW and outcome.is_dial:
        status = LeadStatus.WORKING
    exhausted = max_attempts is not None and attempts >= max_attempts
    if exhausted and outcome.is_dial and status is LeadStatus.WORKING and not outcome.creates:
        status = LeadStatus.NURTURE
    return LeadState(status=status, bad_number=state.bad_number or outcome.marks_bad_number)


def state_after_undo(before: LeadState, produced: LeadState | None, now: LeadState) -> LeadState:
    """The lead's state once a touch is undone: each field the touch set goes back to how it
    was, unless something changed it since (another rep's do-not-call, a merge): that stays.
    Without a record of what the touch produced, only a return to a less final state is
    refused: do-not-call and a bad number always stay."""
    if produced is None:
        keep_status = now.status is LeadStatus.DNC and before.status is not LeadStatus.DNC
        status = now.status if keep_status else before.status
        return LeadState(status, (now.bad_number and not before.bad_number) or before.bad_number)
    status = before.status if now.status == produced.status else now.status
    bad = before.bad_number if now.bad_number == produced.bad_number else now.bad_number
    return LeadState(status, bad)


def moves_to_nurture(before: LeadState, after: LeadState, outcome: Outcome) -> bool:
    """True when the schedule ran out (not a rep's "not interested"): a goodbye touch is due."""
    return (
        after.status is LeadStatus.NURTURE
        and before.status is not LeadStatus.NURTURE
        and outcome.new_status is None
    )
