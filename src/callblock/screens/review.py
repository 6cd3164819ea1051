"""The team lead's Review screen: the log, per-rep figures, heat map and sparklines, cracks.

Everything is loaded in a worker thread over its own database connection (a loading indicator
shows meanwhile); the log comes a page at a time (DataTable measures every row).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select, Static, TabbedContent, TabPane

from callblock.context import AppContext
from callblock.domain.calling import local_time
from callblock.domain.figures import RepFigures
from callblock.domain.logs import LogFilter, LogPage
from callblock.domain.periods import Period, local_day
from callblock.domain.template_figures import TemplateFigures
from callblock.screens.lead_detail import LeadDetailScreen
from callblock.screens.review_help import ReviewHelpScreen
from callblock.services import ServiceError, review
from callblock.services.connections import worker_store
from callblock.widgets.app_header import AppHeader
from callblock.widgets.filter_bar import FilterBar, Filters
from callblock.widgets.heat_map import HeatMapView
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.plain import plain
from callblock.widgets.review_tables import (
    CracksTable,
    LeadRows,
    LogTable,
    RepTable,
    TemplateTable,
)
from callblock.widgets.sparklines import DialSparklines

if TYPE_CHECKING:
    from callblock.app import CallblockApp

TABS = ("tab-log", "tab-reps", "tab-heat", "tab-cracks", "tab-templates")
SLOW = ("#rep-table", "#sparklines", "#heat-map", "#cracks-table", "#template-table")


@dataclass(frozen=True)
class Request:
    serial: int
    period: Period
    rep: str | None
    where: LogFilter
    everything: bool  # False: only the log (an outcome/block filter or the next page)
    offset: int = 0


class ReviewScreen(Screen[None]):
    AUTO_FOCUS = "#log-table"
    BINDINGS = [
        Binding("1", "tab(0)", "log", id="review.log"),
        Binding("2", "tab(1)", "reps", id="review.reps"),
        Binding("3", "tab(2)", "heat", id="review.heat"),
        Binding("4", "tab(3)", "cracks", id="review.cracks"),
        Binding("5", "tab(4)", "templates", id="review.templates"),
        Binding("f", "filters", "filters", id="review.filters"),
        Binding("m", "more", "more", id="review.more"),
        Binding("r", "reload", "reload", id="review.reload", show=False),
        Binding("question_mark", "help", "help", id="review.help"),
        Binding("q", "back", "back", id="review.back"),
        Binding("escape", "escape", "leave filters / back", id="review.escape", show=False),
    ]

    class Loaded(Message):
        def __init__(self, request: Request, **parts: object) -> None:
            super().__init__()
            self.request = request
            self.parts = parts

    def __init__(self) -> None:
        super().__init__()
        self._serial = itertools.count(1)
        self._request: Request | None = None
        self._page: LogPage | None = None

    @property
    def ctx(self) -> AppContext:
        return cast("CallblockApp", self.app).context

    def compose(self) -> ComposeResult:
        today = local_day(self.ctx.clock.now(), self.ctx.settings.timezone).isoformat()
        yield AppHeader(id="app-header")
        yield FilterBar(today, today, id="filters")
        with TabbedContent(id="review-tabs"):
            with TabPane("Log", id="tab-log"):
                yield Static(id="log-status", classes="review-line")
                yield LogTable(id="log-table")
            with TabPane("Reps", id="tab-reps"):
                yield Static(id="reps-note", classes="review-line filter-note")
                yield RepTable(id="rep-table")
                yield DialSparklines(id="sparklines")
            with TabPane("Heat map", id="tab-heat"):
                yield Static(id="heat-note", classes="review-line filter-note")
                yield HeatMapView(id="heat-map")
            with TabPane("Cracks", id="tab-cracks"):
                yield Static(id="cracks-note", classes="review-line filter-note")
                yield Static(id="cracks-status", classes="review-line")
                yield CracksTable(id="cracks-table")
            with TabPane("Templates", id="tab-templates"):
                yield Static(id="templates-note", classes="review-line")
                yield TemplateTable(id="template-table")
        yield Static(id="review-status", classes="review-line")
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        header = self.query_one(AppHeader)
        header.rep = "review"
        now = self.ctx.clock.now()
        header.now = local_time(now, self.ctx.rep_zone).replace(second=0, microsecond=0)
        self.call_after_refresh(self.query_one(LogTable).focus)
        self._request_load(self.query_one(FilterBar).filters(), everything=True)

    # loading --------------------------------------------------------------------------------
    def _request_load(self, filters: Filters, *, everything: bool, offset: int = 0) -> None:
        ctx = self.ctx
        try:
            period = review.period_for(
                ctx.settings, ctx.clock, first=filters.first, last=filters.last
            )
        except ServiceError as error:
            self._say(str(error).replace("--from", "from").replace("--to", "to"))
            return
        self._say("")
        self._filter_notes(filters)
        where = LogFilter(rep=filters.rep, outcome=filters.outcome, block=filters.block)
        request = Request(next(self._serial), period, filters.rep, where, everything, offset)
        self._request = request
        if offset == 0:
            self.query_one(LogTable).loading = True
        if everything:
            for selector in SLOW:
                self.query_one(selector).loading = True
        self._load(request)

    @work(thread=True, exclusive=True, group="review-load")
    def _load(self, request: Request) -> None:
        ctx = self.ctx
        store = worker_store(ctx.store)
        try:
            page = review.log_page(store, request.period, request.where, request.offset)
            if not request.everything:
                self.post_message(self.Loaded(request, page=page))
                return
            self.post_message(
                self.Loaded(
                    request,
                    page=page,
                    choices=review.log_choices(store, request.period),
                    # every rep of the team, whatever the filters (the rep's row is selected)
                    figures=review.rep_report(store, request.period, team_row=True),
                )
            )
            trend = review.trend(store, ctx.settings, request.period, request.rep)
            self.post_message(self.Loaded(request, trend=trend))
            cracks = review.cracks(store, ctx.settings, ctx.clock, request.period, request.rep)
            self.post_message(self.Loaded(request, cracks=cracks))
            self.post_message(
                self.Loaded(request, templates=review.template_report(store, request.period))
            )
        finally:
            store.close()

    def on_review_screen_loaded(self, message: Loaded) -> None:
        request = message.request
        if self._request is None or request.serial != self._request.serial:
            return  # an answer to a question nobody is asking any more
        zone = self.ctx.settings.timezone
        parts = message.parts
        if "page" in parts:
            page = cast(LogPage, parts["page"])
            self._page = page
            table = self.query_one(LogTable)
            table.show(page, zone)
            table.loading = False
            self._log_status(request.period)
        if "choices" in parts:
            reps, blocks = cast(tuple[list[str], list[str]], parts["choices"])
            self.query_one(FilterBar).set_choices(reps, blocks)
        if "figures" in parts:
            rep_table = self.query_one(RepTable)
            rep_table.show(cast(list[RepFigures], parts["figures"]), select=request.rep)
            rep_table.loading = False
        if "trend" in parts:
            trend = cast(review.Trend, parts["trend"])
            self.query_one(HeatMapView).show(trend.heat, trend.heat_first, trend.heat_last)
            self.query_one(DialSparklines).show(trend.days, trend.dials)
            self.query_one(HeatMapView).loading = False
            self.query_one(DialSparklines).loading = False
        if "cracks" in parts:
            found = cast(review.Cracks, parts["cracks"])
            self.query_one(CracksTable).show(found, zone)
            self.query_one(CracksTable).loading = False
            counts = " · ".join(f"{kind} {n:,}" for kind, n in found.totals.items())
            self.query_one("#cracks-status", Static).update(plain(counts))
        if "templates" in parts:
            rows, notes = cast(tuple[list[TemplateFigures], list[str]], parts["templates"])
            self.query_one(TemplateTable).show(rows)
            self.query_one(TemplateTable).loading = False
            what = "the whole team's touches in the period, whatever the filters"
            note = self.query_one("#templates-note", Static)
            # One line a note, wrapped (a thin A/B comparison must be read to its end).
            shown = [plain(text, "$warning") for text in notes] or [plain(what)]
            note.update(Content("\n").join(shown))

    def _log_status(self, period: Period) -> None:
        page = self._page
        if page is None:
            return
        shown = self.query_one(LogTable).row_count
        more = " · m: more" if shown < page.total else ""
        noun = "touch" if page.total == 1 else "touches"
        text = f"{period.label()}: {shown:,} of {page.total:,} {noun} · Enter: lead{more}"
        self.query_one("#log-status", Static).update(plain(text))

    def _filter_notes(self, filters: Filters) -> None:
        """On each tab a filter does not apply to, say so (shown only while one is set)."""
        unused = [
            name
            for name, value in (("outcome", filters.outcome), ("block", filters.block))
            if value is not None
        ]
        others = " and ".join(unused)
        notes = {
            "#reps-note": (
                "every rep of the team is listed whatever the filters"
                + (f" (row of {filters.rep} selected)" if filters.rep else "")
                if filters.rep or unused
                else ""
            ),
            "#heat-note": f"the {others} filter applies to the log only" if unused else "",
            "#cracks-note": f"the {others} filter applies to the log only" if unused else "",
        }
        for selector, text in notes.items():
            note = self.query_one(selector, Static)
            note.update(plain(text))
            note.display = bool(text)

    def _say(self, text: str) -> None:
        self.query_one("#review-status", Static).update(plain(text))

    # events and actions -----------------------------------------------------------------------
    @on(FilterBar.Changed)
    def _filters_changed(self, event: FilterBar.Changed) -> None:
        self._request_load(event.filters, everything=event.everything)

    @on(DataTable.RowSelected)
    def _drill_down(self, event: DataTable.RowSelected) -> None:
        table = event.data_table
        if not isinstance(table, LeadRows):
            return
        lead_id = table.lead_at(event.row_key.value)
        if lead_id is None:
            return
        try:
            detail = review.lead_detail(self.ctx.store, lead_id)
        except ServiceError as error:
            self._say(str(error))
            return
        self.app.push_screen(LeadDetailScreen(detail, self.ctx.settings.timezone))

    def action_tab(self, index: int) -> None:
        self.query_one(TabbedContent).active = TABS[index]
        # focus follows the tab (a focused widget in a hidden pane would switch back to it)
        self.query_one((LogTable, RepTable, HeatMapView, CracksTable, TemplateTable)[index]).focus()

    def action_filters(self) -> None:
        self.query_one("#filter-from", Input).focus()

    def action_more(self) -> None:
        page, request = self._page, self._request
        if page is None or request is None:
            return
        shown = self.query_one(LogTable).row_count
        if shown >= page.total:
            self._say("the whole log of this period is shown")
            return
        self.action_tab(0)
        self._request_load(self.query_one(FilterBar).filters(), everything=False, offset=shown)

    def action_reload(self) -> None:
        self._request_load(self.query_one(FilterBar).filters(), everything=True)

    def action_help(self) -> None:
        self.app.push_screen(ReviewHelpScreen())

    def action_escape(self) -> None:
        if isinstance(self.focused, Input | Select):
            self.call_after_refresh(self.query_one(LogTable).focus)
        else:
            self.action_back()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()
