"""One line of the team lead's log: a touch with the lead and block it belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from callblock.domain.models import Touch

NO_BLOCK = ""  # the block filter value for touches recorded outside any block (CLI `log`)


@dataclass(frozen=True, slots=True)
class LogEntry:
    touch: Touch
    lead_name: str
    company: str
    block: str  # the session's block name; NO_BLOCK when outside a block


@dataclass(frozen=True, slots=True)
class LogFilter:
    """None means "any"."""

    rep: str | None = None
    outcome: str | None = None
    block: str | None = None


@dataclass(frozen=True, slots=True)
class LogPage:
    entries: list[LogEntry]
    total: int  # entries matching the filter in the period
    offset: int
