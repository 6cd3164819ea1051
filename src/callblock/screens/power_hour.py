"""The power-hour screen: one lead at a time, one key per outcome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, TypeVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from callblock.context import AppContext, LastOutcome
from callblock.domain.calling import local_time
from callblock.domain.outcomes import OUTCOME_BY_CODE
from callblock.domain.priority import QueueItem
from callblock.domain.text import clean_line
from callblock.screens.bindings import power_hour_bindings
from callblock.screens.block_drafts import restore_draft
from callblock.screens.busy import write_or_wait
from callblock.screens.notes_saving import save_draft
from callblock.screens.power_hour_life import BlockLife
from callblock.screens.power_hour_notes import NotesActions
from callblock.services import ServiceError, dialing, sessions
from callblock.services.block import Block
from callblock.services.dnc import dnc_events
from callblock.services.sessions import Resumable
from callblock.store import DatabaseBusy
from callblock.widgets.app_header import AppHeader
from callblock.widgets.history import HistoryTable
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.lead_card import CardData, LeadCard
from callblock.widgets.notes import NotesPane
from callblock.widgets.plain import plain
from callblock.widgets.script import ScriptPane
from callblock.widgets.session_bar import SessionBar
from callblock.widgets.up_next import UpNext

if TYPE_CHECKING:
    from callblock.app import CallblockApp
    from callblock.domain.models import Lead, Session, Touch

T = TypeVar("T")
NEEDS_LEAD = {"outcome", "skip", "edit_notes", "script"}
REBUILD_AFTER = 0.05  # s after a lead is shown (its frame is out): the queue behind it rebuilt


class PowerHourScreen(NotesActions, BlockLife, Screen[None]):
    BINDINGS = power_hour_bindings()

    def __init__(
        self,
        block_name: str | None = None,
        target_per_hour: int | None = None,
        resume: Resumable | None = None,
    ) -> None:
        super().__init__()
        self.block_name = block_name
        self.target_per_hour = target_per_hour
        self.resume = resume
        self.block: Block | None = None
        self._prompt: dict[str, object] | None = None  # the outcome prompt open, for a hang-up
        self._key_shown: dict[str, str] = {}  # binding id -> its key as shown (keymap applied)

    @property
    def ctx(self) -> AppContext:
        return self.callblock.context

    @property
    def callblock(self) -> CallblockApp:
        return cast("CallblockApp", self.app)

    @property
    def current(self) -> QueueItem | None:
        return self.block.current if self.block else None

    @property
    def session(self) -> Session:
        assert self.block is not None
        return self.block.session

    def compose(self) -> ComposeResult:
        yield AppHeader(id="app-header")
        yield SessionBar(id="session-bar")
        with Horizontal(id="lead-row"):
            yield LeadCard(id="lead-card", end_key=self.callblock.key_display("end_block"))
            with Vertical(id="side"):
                yield NotesPane(id="notes", edit_key=self.callblock.key_display("edit_notes"))
                yield ScriptPane(id="script")
                yield UpNext(id="up-next")
        yield HistoryTable(id="history")
        yield Static(id="status")
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        try:
            self._start_block()
        except ServiceError as error:  # a rep removed from the team while the app was open
            self.callblock.fault = str(error)  # the one line the terminal is left with
            self.app.exit(return_code=1)

    def _start_block(self) -> None:
        ctx = self.ctx
        self.block, draft = sessions.start_block(
            ctx.store,
            ctx.clock,
            ctx.settings,
            rep=ctx.rep,
            block_name=self.block_name or ctx.settings.block_name,
            target=self.target_per_hour or ctx.settings.target_per_hour,
            resume=self.resume,
        )
        self.query_one(AppHeader).rep = ctx.rep
        self.query_one(SessionBar).block_name = self.session.block_name
        self._refresh_session()
        self._tick()
        self.advance()
        if self.resume is not None:
            when = local_time(self.session.started_at, ctx.rep_zone)
            self._say(plain(f"Resumed your block started at {when:%H:%M}.", "$success"))
            self._restore_draft(draft or {})
        self.set_interval(1.0, self._tick)

    def on_screen_resume(self) -> None:
        """Back from another screen (a lead opened by search, a prompt): the lead on screen is
        read again, so notes, status or phone changed there are what the rep sees and edits."""
        item = self.current
        if item is None or not self.is_mounted or self.block is None:
            return
        lead = self.ctx.store.leads.get_lead(item.lead.id)
        if lead is None or lead == item.lead:
            return
        fresh = self.block.recheck_current()
        if fresh is None:
            self._say(plain(f"{lead.name}: changed elsewhere and not to be called now; moved on"))
            self.advance()
        else:
            self._show(fresh)

    # showing leads --------------------------------------------------------------------------
    def advance(self) -> None:
        """Draw the next lead, claimed for this session (see services/block.py); the queue
        behind it is rebuilt right after its frame is out."""
        block = self.block
        assert block is not None
        self._finish_notes()
        self._write("the next lead", block.advance, self._advanced)

    def _advanced(self, item: QueueItem | None) -> None:
        assert self.block is not None
        self._show(item, self.block.upcoming)
        if item is not None:  # once this frame is out (a quick rep meets a re-checked list)
            self.set_timer(REBUILD_AFTER, partial(self._rebuild_ahead, item.lead.id))

    def _rebuild_ahead(self, lead_id: int) -> None:
        if self.current is None or self.current.lead.id != lead_id or self.block is None:
            return  # the rep has moved on already
        try:
            ahead = self.block.rebuild_ahead()
        except DatabaseBusy:  # busy or out of reach (the tick says so): the list stays as it is
            return
        self.query_one(UpNext).items = tuple(ahead)

    def work_lead(self, lead_id: int) -> None:
        """Show `lead_id` now, ahead of the queue (the lead screen's "call now")."""
        assert self.block is not None
        block = self.block
        self._finish_notes()
        self._write("call now", partial(block.work_lead, lead_id), self._show)

    def _show(self, item: QueueItem | None, upcoming: list[QueueItem] | None = None) -> None:
        self._finish_notes()
        if self.block is not None:
            self.block.current = item
        if upcoming is not None:
            self.query_one(UpNext).items = tuple(upcoming)
        ctx = self.ctx
        card = self.query_one(LeadCard)
        history = self.query_one(HistoryTable)
        notes = self.query_one(NotesPane)
        if item is None:
            card.data = None
            history.show([], ctx.rep_zone)
            notes.show(0, "")
        else:
            touches = ctx.store.touches.touches_for_lead(item.lead.id)
            card.data = CardData(
                item=item,
                zone=item.lead.zone(ctx.settings.timezone),
                # the schedule's call steps, as the queue's "why" counts them (not its emails)
                max_attempts=max(ctx.settings.cadence.calls, 1),
                last_touch=touches[0] if touches else None,
                rep_zone=ctx.rep_zone,
            )
            history.show(touches, ctx.rep_zone, dnc_events(ctx.store, item.lead.id))
            notes.show(item.lead.id, item.lead.notes)
        self._show_script()
        self.refresh_bindings()

    def _restore_draft(self, draft: dict[str, object]) -> None:
        restore_draft(self, draft)

    def _say(self, message: Content) -> None:
        self.query_one("#status", Static).update(message)

    # actions --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        editing = self.is_mounted and self.query_one(NotesPane).editing
        if action in NEEDS_LEAD and (self.current is None or editing):
            return None  # shown, dimmed
        if action == "note" and (self.block is None or self.block.last is None or editing):
            return None
        return True

    def action_outcome(self, code: str, initial: str = "") -> None:
        item = self.current
        if item is None or self.block is None or self.block.taken_over:
            return
        outcome = OUTCOME_BY_CODE[code]
        lead = item.lead
        if outcome.confirm:
            from callblock.screens.prompts import ConfirmScreen  # off the first frame's path

            question = Content.assemble(
                "Mark ",
                plain(lead.name, "bold"),
                " as ",
                ("do not call", "bold $error"),
                "? They will never be queued again.",
            )

            def confirmed(answer: bool | None) -> None:
                if answer:
                    self._record(item, code, None)

            self.app.push_screen(ConfirmScreen(question), confirmed)
        elif outcome.asks_when:
            from callblock.screens.prompts import WhenScreen

            ctx = self.ctx
            prompt = WhenScreen(
                f"{outcome.label}: {lead.name} — when?",
                ctx.clock.now(),
                ctx.rep_zone,
                lead.zone(ctx.settings.timezone),
                initial,
                refuse=partial(self._outside_hours, lead),
            )
            self._prompt = {"kind": "when", "code": code, "lead": lead.id}

            def chosen(when: datetime | None) -> None:
                self._prompt = None
                if when is not None:
                    self._record(item, code, when)

            self.app.push_screen(prompt, chosen)
        else:
            self._record(item, code, None)

    def _outside_hours(self, lead: Lead, when: datetime) -> str | None:
        """A callback or meeting time outside the lead's calling hours: why, and the nearest
        allowed time (for the when prompt)."""
        ctx = self.ctx
        problem = dialing.promise_problem(lead, when, ctx.settings, ctx.clock.now())
        return problem.message(ctx.rep_zone) if problem else None

    def _record(self, item: QueueItem, code: str, when: datetime | None) -> None:
        block = self.block
        assert block is not None
        if block.current is None or block.current.lead.id != item.lead.id:
            return  # the lead left the screen while the prompt was open
        what = f"{OUTCOME_BY_CODE[code].label} · {clean_line(item.lead.name, 60)}"
        self.callblock.last_outcome = LastOutcome(what, saved=False)
        template, variant = self._script_used(item, code)
        record = partial(block.record, code, when, template=template, variant=variant)
        self._write(what, record, partial(self._recorded, item, what))

    def _recorded(self, item: QueueItem, what: str, recorded: dialing.Recorded) -> None:
        self.callblock.last_outcome = LastOutcome(what, saved=True)
        self.advance()
        self._refresh_session()
        note_key, undo_key = self._key_display("note"), self._key_display("undo")
        self._say(
            Content.assemble(
                ("✓ ", "$success"),
                plain(recorded.outcome.label, "bold"),
                " · ",
                plain(item.lead.name),
                (f" · {note_key} note · {undo_key} undo", "dim"),
            )
        )

    def _write(self, what: str, write: Callable[[], T], then: Callable[[T], None]) -> None:
        write_or_wait(self.app, self.ctx.store, what, write, then, self._said_error)

    def _said_error(self, message: str) -> None:
        self._say(plain(message, "$error"))

    def _key_display(self, ident: str) -> str:
        """The key as the rep presses it. The keymap is set once, at the app's mount: kept
        (active_bindings checks every binding of the screen: 0.1 ms, twice an outcome)."""
        if ident not in self._key_shown:
            self._key_shown[ident] = self.app.get_key_display(self._binding(ident))
        return self._key_shown[ident]

    def _binding(self, ident: str) -> Binding:
        for _node, binding, _enabled, _tip in self.active_bindings.values():
            if binding.id == ident:
                return binding
        return next(b for b in self.BINDINGS if getattr(b, "id", None) == ident)

    def action_undo(self) -> None:
        if self.block is not None and not self.block.taken_over:
            self._finish_notes()
            self._write("undo of the last outcome", self.block.undo, self._undone)

    def _undone(self, touch: Touch | None) -> None:
        if touch is None:
            self._say(Content.styled("Nothing to undo in this block.", "$warning"))
            return
        self._show(self.current)
        self._refresh_session()
        if self.block is not None and self.block.held_back is not None:
            lead, why = self.block.held_back
            self._say(
                Content.assemble(
                    ("↶ undone ", "$warning"),
                    plain(f"{touch.outcome} · {lead.name}: {why.message}; "),
                    "back in the queue when the lead's hours open",
                )
            )
            if self.current is None:
                self.advance()
            return
        name = self.current.lead.name if self.current else ""
        self._say(
            Content.assemble(("↶ undone ", "$warning"), plain(f"{touch.outcome} · "), plain(name))
        )

    def action_skip(self) -> None:
        if self.current is not None and self.block is not None:
            name = self.current.lead.name
            self.block.skip()
            self._say(Content.assemble("skipped ", plain(name)))
            self.advance()

    @on(NotesPane.Save)
    def _save_draft(self, event: NotesPane.Save) -> None:
        save_draft(event, self.ctx.store, self._say)

    def action_help(self) -> None:
        from callblock.screens.help import HelpScreen, about_power_hour, help_entries

        self.app.push_screen(HelpScreen(help_entries(self), about=about_power_hour(self.callblock)))

    def action_end_block(self) -> None:
        ctx = self.ctx
        block = self.block
        if block is None:
            return
        if block.taken_over:
            self.app.exit()
            return
        self._finish_notes()
        block.end()
        stats = sessions.session_stats(ctx.store, self.session, ctx.clock.now())
        from callblock.screens.summary import SummaryScreen

        self.app.switch_screen(SummaryScreen(self.session.block_name, stats))
