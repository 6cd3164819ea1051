"""The team lead's review: per-rep figures, the log, heat map, sparklines, cracks, drill-down."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from callblock.clock import Clock, iso, parse_iso
from callblock.config import Settings
from callblock.domain import cracks as rules
from callblock.domain.figures import (
    RepCounts,
    RepFigures,
    figures_from_counts,
    first_dial_minutes,
    rep_figures,
    reschedules,
)
from callblock.domain.heatmap import HeatMap, heat_map, recent_days
from callblock.domain.logs import LogFilter, LogPage
from callblock.domain.models import Callback, Lead, Touch
from callblock.domain.periods import Period, PeriodError, day_start, local_day, make_period
from callblock.services import ServiceError
from callblock.services.leads import get_lead
from callblock.store import Store

if TYPE_CHECKING:
    from callblock.domain.template_figures import TemplateFigures

LOG_PAGE = 200  # DataTable measures every row (~80 µs): show the log a page at a time
CRACKS_LIMIT = 100  # rows per kind; the totals count them all
HEAT_WEEKS = 8  # the heat map covers at least this many weeks up to the period's last day
SPARK_WEEKS = 4


def period_for(
    settings: Settings,
    clock: Clock,
    *,
    day: str | None = None,
    first: str | None = None,
    last: str | None = None,
) -> Period:
    """Days in the team's zone (Settings.timezone); default today."""
    today = local_day(clock.now(), settings.timezone)
    try:
        return make_period(today=today, zone=settings.timezone, day=day, first=first, last=last)
    except PeriodError as error:
        raise ServiceError(str(error)) from None


def rep_report(
    store: Store, period: Period, *, rep: str | None = None, team_row: bool = False
) -> list[RepFigures]:
    """The per-rep figures of the period: a row per rep of the team (the `reps` table) and per
    rep active in the period, by name. With `rep`, that rep's row only (zeros when idle; a
    ServiceError when no rep of that name has any record); with `team_row`, a last row over
    the whole team. Read from the store's aggregates (equal to `rep_report_from_touches`)."""
    if rep is not None and not store.reports.rep_has_record(rep):
        raise ServiceError(f"no rep named {rep!r}")
    start, end = iso(period.start), iso(period.end)
    spans = store.reports.sessions_overlapping(start, end)
    owner = {span.id: span.rep for span in spans}
    calls, promises = store.reports.reschedule_candidates(start, end)
    moved_ids = reschedules(calls, promises)
    moved = Counter(call.rep for call in calls if call.id in moved_ids)
    parts: dict[str | None, list[int]] = {None: [0, 0, 0]}  # attempts, leads, session dials
    for (
        name,
        session_id,
        dials,
        attempts,
        leads,
        team_attempts,
        team_leads,
    ) in store.reports.period_dials(start, end):
        mine = parts.setdefault(name, [0, 0, 0])
        mine[0] += attempts
        mine[1] += leads
        team = parts[None]
        team[0] += team_attempts
        team[1] += team_leads
        if session_id in owner:
            team[2] += dials
            mine[2] += dials if owner[session_id] == name else 0
    counts: dict[str | None, RepCounts] = {}
    for name, c in store.reports.dial_counts_by_rep(start, end).items():
        counts[name] = _rep_counts(c, moved[name], parts.get(name, [0, 0, 0]))
    total = {
        key: sum(getattr(c, key) for c in counts.values())
        for key in ("dials", "contacts", "conversations", "meetings", "callbacks_set")
    }
    counts[None] = RepCounts(
        **total, attempts=parts[None][0], leads=parts[None][1], session_dials=parts[None][2]
    )
    rows = figures_from_counts(
        counts,
        first_dials=[
            (name, first_dial_minutes(datetime.fromisoformat(at), parse_iso(arrived)))
            for name, at, arrived in store.reports.first_calls(start, end)
        ],
        start=period.start,
        end=period.end,
        promises=store.reports.promises_due_between(start, end),
        sessions=spans,
        team_row=team_row and rep is None,
        roster=store.reports.team_roster(start),
    )
    return _one_rep(rows, rep)


def rep_report_from_touches(
    store: Store, period: Period, *, rep: str | None = None, team_row: bool = False
) -> list[RepFigures]:
    """`rep_report` counted from the period's touches (the reference the tests compare with)."""
    start, end = iso(period.start), iso(period.end)
    calls = store.reports.live_calls_between(start, end)
    rows = rep_figures(
        calls,
        start=period.start,
        end=period.end,
        baselines=store.reports.lead_baselines((t.lead_id for t in calls), start),
        promises=store.reports.promises_due_between(start, end),
        sessions=store.reports.sessions_overlapping(start, end),
        team_row=team_row and rep is None,
        roster=store.reports.team_roster(start),
        callbacks=store.reports.callbacks_before_reschedules(start, end),
    )
    return _one_rep(rows, rep)


def _one_rep(rows: list[RepFigures], rep: str | None) -> list[RepFigures]:
    if rep is None:
        return rows
    mine = [row for row in rows if row.rep == rep]
    return mine or [RepFigures(rep, 0, 0, None, 0, 0, 0, 0, None, None, None)]


def _rep_counts(c: dict[str, int], moved: int, parts: list[int]) -> RepCounts:
    return RepCounts(
        dials=c["dials"],
        contacts=c["contacts"],
        conversations=c["conversations"],
        meetings=c["meetings"],
        callbacks_set=c["callbacks"] - moved,
        attempts=parts[0],
        leads=parts[1],
        session_dials=parts[2],
    )


def template_report(
    store: Store, period: Period | None, *, rep: str | None = None
) -> tuple[list[TemplateFigures], list[str]]:
    """Figures per template, variant and segment over the period (None: all time), of `rep`
    or the team; and the plain notes on comparisons that rest on too few sends."""
    from callblock.domain.template_figures import template_figures, thin_comparisons

    if rep is not None and not store.reports.rep_has_record(rep):
        raise ServiceError(f"no rep named {rep!r}")
    start, end = (iso(period.start), iso(period.end)) if period else (None, None)
    rows = template_figures(store.reports.template_counts(start, end, rep))
    return rows, thin_comparisons(rows, store.templates.templates())


def log_page(store: Store, period: Period, where: LogFilter, offset: int = 0) -> LogPage:
    entries, total = store.reports.log_entries(
        iso(period.start), iso(period.end), where, limit=LOG_PAGE, offset=offset
    )
    return LogPage(entries, total, offset)


def log_choices(store: Store, period: Period) -> tuple[list[str], list[str]]:
    """The reps and block names found in the period's log (for the filters)."""
    return store.reports.log_choices(iso(period.start), iso(period.end))


@dataclass(frozen=True, slots=True)
class Trend:
    """The heat map (over `heat_days`) and dials per day per rep (over `days`)."""

    heat: HeatMap
    heat_first: date
    heat_last: date
    days: list[date]
    dials: dict[str, list[int]]  # rep -> dials per day, aligned with `days`


def trend(store: Store, settings: Settings, period: Period, rep: str | None = None) -> Trend:
    zone = settings.timezone
    heat_first = min(period.first, period.last - timedelta(days=HEAT_WEEKS * 7 - 1))
    heat = heat_map(
        store.reports.slot_counts(iso(day_start(heat_first, zone)), iso(period.end), rep), zone
    )
    days = recent_days(period.last, SPARK_WEEKS)
    ranges = [
        (iso(day_start(day, zone)), iso(day_start(day + timedelta(days=1), zone))) for day in days
    ]
    dials: dict[str, list[int]] = {}
    for n, counts in enumerate(store.reports.dials_by_rep_per_range(ranges, rep)):
        for name, count in counts.items():
            dials.setdefault(name, [0] * len(days))[n] = count
    return Trend(heat, heat_first, period.last, days, dict(sorted(dials.items())))


@dataclass(frozen=True, slots=True)
class CrackRow:
    crack: rules.Crack
    lead_name: str
    company: str


@dataclass(frozen=True, slots=True)
class Cracks:
    rows: list[CrackRow]
    totals: dict[str, int] = field(default_factory=dict)  # kind -> how many (all, not just shown)


def cracks(
    store: Store, settings: Settings, clock: Clock, period: Period, rep: str | None = None
) -> Cracks:
    """Everything that fell through the cracks: as of now, and in the period (see domain)."""
    now, zone = clock.now(), settings.timezone
    start, end = iso(period.start), iso(period.end)
    found: list[rules.Crack] = []
    totals: dict[str, int] = {}

    def add(kind: str, items: list[rules.Crack], total: int | None = None) -> None:
        mine = [c for c in items if rep is None or rep in c.rep.split(", ")]
        found.extend(mine[:CRACKS_LIMIT])
        totals[kind] = len(mine) if total is None or rep is not None else total

    overdue, total = store.reports.open_promises_due_before(
        iso(now - rules.CALLBACK_GRACE), CRACKS_LIMIT
    )
    add(
        "overdue",
        [
            rules.Crack("overdue", p.lead_id, p.due_at, p.rep, f"{p.kind}, {_late(now - p.due_at)}")
            for p in overdue
            if rules.promise_overdue(p, now)
        ],
        total,
    )
    add(
        "missed",
        [
            rules.Crack(
                "missed", p.lead_id, p.due_at, p.rep, f"{p.kind}, called {_late(_after(p))}"
            )
            for p in store.reports.promises_due_between(start, end)
            if rules.promise_missed(p)
        ],
    )
    arrivals = store.reports.arrivals_between(start, end)
    owners = {lead.id: lead for lead in store.leads.leads_by_ids(a[0] for a in arrivals)}
    add(
        "inbound",
        [
            rules.Crack(
                "inbound",
                lead_id,
                arrived,
                owners[lead_id].owner or "",
                f"first call {_late(first - arrived)} after arrival"
                if first
                else f"not called, {_late(now - arrived)}",
            )
            for lead_id, arrived, first in arrivals
            if lead_id in owners and rules.late_inbound(arrived, first, now)
        ],
    )
    cutoff = now - timedelta(days=settings.warm_untouched_days)
    warm, total = store.reports.warm_untouched_leads(iso(cutoff), CRACKS_LIMIT)
    add("warm", [_lead_crack("warm", lead, now) for lead in warm], total)
    add("two-reps", rules.two_reps_same_day(store.reports.touches_between(start, end), zone))
    stopped, total = store.reports.stopped_leads(
        iso(now - rules.STOPPED_AFTER), settings.max_attempts, CRACKS_LIMIT
    )
    add(
        "stopped",
        [
            _lead_crack("stopped", lead, now, f"{lead.attempts} of {settings.max_attempts}")
            for lead in stopped
            if rules.stopped_early(lead, now, settings.max_attempts, False)
        ],
        total,
    )
    outside = store.reports.calls_outside_window(start, end)
    zones = {lead.id: lead.zone(zone) for lead in store.leads.leads_by_ids(c[0] for c in outside)}
    add("outside", rules.called_outside_hours(outside, zones, zone))
    leads = {lead.id: lead for lead in store.leads.leads_by_ids(c.lead_id for c in found)}
    rows = [
        CrackRow(c, leads[c.lead_id].name, leads[c.lead_id].company)
        for c in found
        if c.lead_id in leads
    ]
    return Cracks(rows, totals)


def _lead_crack(kind: str, lead: Lead, now: datetime, extra: str = "") -> rules.Crack:
    last = lead.last_touch_at or lead.created_at
    what = "untouched" if lead.last_touch_at else "never called"
    detail = f"{what} {_late(now - last)}" + (f", attempts {extra}" if extra else "")
    return rules.Crack(kind, lead.id, last, lead.owner or "", detail)


def _after(promise: rules.PromiseRecord) -> timedelta:
    return (promise.closed_at or promise.due_at) - promise.due_at


def _late(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} days"


@dataclass(frozen=True, slots=True)
class LeadDetail:
    lead: Lead
    touches: list[Touch]  # all of them, undone ones flagged, newest first
    promises: list[Callback]  # open


def lead_detail(store: Store, lead_id: int) -> LeadDetail:
    return LeadDetail(
        get_lead(store, lead_id),
        store.reports.all_touches_for_lead(lead_id),
        store.touches.open_promises(lead_id),
    )
