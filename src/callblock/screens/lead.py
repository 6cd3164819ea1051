"""One lead: its card, history and notes; every field editable; "call now".

Keys: h/w/k temperature, 1-6 step a fit criterion, f edit fields, e notes, m merge a duplicate
into this lead (its likely duplicates offered, or any lead by id), c call now (back to the power
hour, this lead next), Esc back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from callblock.context import AppContext
from callblock.domain.models import FIT_CRITERIA, Temperature
from callblock.domain.text import clean_line, plural
from callblock.screens.notes_saving import finish_notes, save_draft
from callblock.services import ServiceError, lead_edit, leads, leases
from callblock.services.dnc import dnc_events
from callblock.widgets.history import HistoryTable
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.lead_detail import LeadDetail, LeadDetailData
from callblock.widgets.notes import NotesPane
from callblock.widgets.plain import plain

if TYPE_CHECKING:
    from callblock.app import CallblockApp
    from callblock.screens.power_hour import PowerHourScreen
    from callblock.services.dupes import DuplicatePair

MERGE_CHOICES = 8  # likely duplicates offered on `m` (the best first)

_FIT_KEYS = [
    Binding(str(n), f"fit('{name}')", name, show=False, id=f"lead.fit_{name}")
    for n, name in enumerate(FIT_CRITERIA, start=1)
]


class LeadScreen(Screen[None]):
    BINDINGS = [
        Binding("c", "call_now", "call now", id="lead.call_now"),
        Binding("h", "temperature('hot')", "hot", id="lead.hot"),
        Binding("w", "temperature('warm')", "warm", id="lead.warm"),
        Binding("k", "temperature('cold')", "cold", id="lead.cold"),
        Binding("f", "edit_fields", "edit", id="lead.edit"),
        Binding("e", "edit_notes", "notes", id="lead.notes"),
        Binding("m", "merge", "merge dup", id="lead.merge"),
        Binding("question_mark", "help", "help", id="lead.help", tooltip="Show this help"),
        Binding("escape", "back", "back", id="lead.back"),
        *_FIT_KEYS,
    ]

    def __init__(self, lead_id: int) -> None:
        super().__init__()
        self.lead_id = lead_id

    @property
    def ctx(self) -> AppContext:
        return cast("CallblockApp", self.app).context

    def compose(self) -> ComposeResult:
        with Horizontal(id="lead-row"):
            yield LeadDetail(id="lead-detail")
            yield NotesPane(id="notes")
        yield HistoryTable(id="history")
        yield Static(Content.styled("1-6 step a fit criterion", "dim"), id="status")
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        self.refresh_lead()
        holder = leases.holder(self.ctx.store, self.ctx.clock, self.lead_id)
        if holder is not None and holder.session_id != self._own_session():
            self._say(plain(f"held by {holder.rep}: on their screen right now", "$warning"))

    def _own_session(self) -> int | None:
        power = self._power_hour()
        return power.session.id if power is not None and power.block else None

    def _power_hour(self) -> PowerHourScreen | None:
        from callblock.screens.power_hour import PowerHourScreen

        stack = self.app.screen_stack
        return next((s for s in reversed(stack) if isinstance(s, PowerHourScreen)), None)

    def refresh_lead(self) -> None:
        ctx = self.ctx
        lead = leads.get_lead(ctx.store, self.lead_id)
        self.query_one(LeadDetail).data = LeadDetailData(
            lead,
            lead.zone(ctx.settings.timezone),
            ctx.clock.now(),
            ctx.store.leads.lead_extra(lead.id),
        )
        self.query_one(HistoryTable).show(
            leads.history(ctx.store, lead.id), ctx.rep_zone, dnc_events(ctx.store, lead.id)
        )
        notes = self.query_one(NotesPane)
        if not notes.editing:
            notes.show(lead.id, lead.notes)

    def _say(self, message: Content) -> None:
        self.query_one("#status", Static).update(message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.is_mounted and self.query_one(NotesPane).editing and action != "back":
            return None
        return True

    def action_temperature(self, value: str) -> None:
        lead_edit.set_temperature(self.ctx.store, self.lead_id, Temperature(value))
        self._changed(Content.assemble(("✓ ", "$success"), f"temperature {value}"))

    def action_fit(self, criterion: str) -> None:
        lead = lead_edit.step_fit(self.ctx.store, self.lead_id, criterion)
        maximum = FIT_CRITERIA[criterion][0]
        self._changed(Content(f"✓ {criterion} {lead.fit.get(criterion, 0)}/{maximum}"))

    def _changed(self, message: Content) -> None:
        cast("CallblockApp", self.app).lead_search.invalidate()
        self.refresh_lead()
        self._say(message)

    def action_edit_fields(self) -> None:
        from callblock.screens.lead_form import EditLeadScreen

        def saved(lead_id: int | None) -> None:
            if lead_id is not None:
                self._changed(Content.styled("✓ saved", "$success"))

        self.app.push_screen(EditLeadScreen(self.lead_id), saved)

    def action_edit_notes(self) -> None:
        self.query_one(NotesPane).edit()
        self.refresh_bindings()

    @on(NotesPane.Save)
    def _save_draft(self, event: NotesPane.Save) -> None:
        save_draft(event, self.ctx.store, self._say)

    def action_help(self) -> None:
        from callblock.screens.help import HelpScreen, help_entries

        about = (
            "1-6 step a fit criterion (size, audience, title, location, client, growth) up to "
            "its maximum, then back to 0. m merges a likely duplicate (or any lead, by the id "
            "on its card) into this lead: its history, notes and callbacks move here."
        )
        self.app.push_screen(HelpScreen(help_entries(self), about=about))

    def action_back(self) -> None:
        pane = self.query_one(NotesPane)
        if pane.editing:
            if finish_notes(pane, self.ctx.store, self.app, self._say, moving_on=False) is None:
                return  # refused (too long): the editor stays open with the text, the rep told
            self.refresh_lead()
            self.refresh_bindings()
            self._say(Content.styled("✓ research notes saved", "$success"))
            return
        self.dismiss(None)

    def action_merge(self) -> None:
        """m: the likely duplicates of this lead offered first (found off the UI thread: it
        reads every lead), then any lead by its id."""
        self._say(Content.styled("finding likely duplicates…", "dim"))
        self._find_duplicates()

    @work(thread=True, exclusive=True, group="merge", exit_on_error=False)
    def _find_duplicates(self) -> None:
        from callblock.services.connections import worker_store
        from callblock.services.dupes import duplicates_of

        store = worker_store(self.ctx.store)
        try:
            pairs = duplicates_of(store, self.lead_id)
        finally:
            store.close()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._choose_duplicate, pairs)

    def _choose_duplicate(self, pairs: list[DuplicatePair]) -> None:
        from callblock.screens.prompts import ChoiceScreen, NoteScreen

        if self.app.screen is not self:
            return  # left (Esc) or covered while the search ran: nothing pops up later
        self._say(Content.styled("1-6 step a fit criterion", "dim"))
        ask_id = "Merge which lead into this one? Its lead id:"
        if not pairs:
            self.app.push_screen(NoteScreen("No likely duplicates. " + ask_id), self._merge_id)
            return
        options = [
            (
                str(pair.other_lead_id),
                Content.assemble(
                    (f"lead {pair.other_lead_id} ", "bold"),
                    plain(f"{pair.other_name} · {pair.other_company or '—'}"),
                    "  ",  # apart from plain(): it strips what it cleans
                    plain(pair.reason, "dim"),
                ),
            )
            for pair in pairs[:MERGE_CHOICES]
        ]
        options.append(("by-id", Content("another lead, by its id…")))

        def chosen(value: str | None) -> None:
            if value == "by-id":
                self.app.push_screen(NoteScreen(ask_id), self._merge_id)
            elif value:
                self._merge_id(value)

        self.app.push_screen(
            ChoiceScreen("Likely duplicates: merge which into this lead?", options), chosen
        )

    def _merge_id(self, text: str | None) -> None:
        """A lead id chosen or typed: checked (a number, a lead, not this one) before the
        confirmation is asked."""
        from callblock.screens.prompts import ConfirmScreen

        if not text or not text.strip():
            return
        if not text.strip().isdigit():
            self._say(plain(f"merge: {text!r} is not a lead id", "$error"))
            return
        other_id = int(text.strip())
        if other_id == self.lead_id:
            self._say(
                plain(
                    f"merge: lead {other_id} is this lead; cannot merge a lead into itself",
                    "$error",
                )
            )
            return
        try:
            other = leads.get_lead(self.ctx.store, other_id)
        except ServiceError as error:
            self._say(plain(str(error), "$error"))
            return
        question = Content.assemble(
            "Merge ",
            plain(f"{other.name} ({other.company}, lead {other.id})", "bold"),
            f" into this lead (lead {self.lead_id})? Its history, notes and callbacks move here.",
        )
        self.app.push_screen(
            ConfirmScreen(question), lambda yes: self._merge(other_id) if yes else None
        )

    def _merge(self, other_id: int) -> None:
        from callblock.domain.merging import kept_where
        from callblock.services.dupes import merge_leads

        ctx = self.ctx
        try:
            merged = merge_leads(
                ctx.store,
                ctx.clock,
                rep=ctx.rep,
                keep=self.lead_id,
                other=other_id,
                settings=ctx.settings,
                session_id=self._own_session(),
            )
        except ServiceError as error:
            self._say(plain(str(error), "$error"))
            return
        moved = merged.moved
        self._changed(
            Content(
                f"✓ merged lead {other_id} here ({plural(moved['touches'], 'touch', 'touches')}, "
                f"{plural(moved['callbacks'], 'callback')}"
                + "".join(f"; kept {f} {clean_line(v, 60)} {kept_where(f)}" for f, v in merged.kept)
                + ")"
            )
        )

    def action_call_now(self) -> None:
        ctx = self.ctx
        lead = leads.get_lead(ctx.store, self.lead_id)
        power = self._power_hour()
        problem = lead_edit.call_now_problem(
            ctx.store, lead, ctx.clock.now(), ctx.settings, session_id=self._own_session()
        )
        if problem:
            self._say(plain(problem, "$error"))
            return
        if power is None:
            self._say(plain("No power hour is running: start one with `callblock dial`.", "$error"))
            return
        self.query_one(NotesPane).finish()
        while self.app.screen is not power:
            self.app.pop_screen()
        power.work_lead(lead.id)
