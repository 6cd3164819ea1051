"""The power-hour screen: one lead at a time, one key per outcome."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
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
from callblock.domain.priority import MixServed, QueueItem
from callblock.domain.text import TOUCH_NOTE_MAX, clean_line
from callblock.screens.bindings import power_hour_bindings
from callblock.screens.busy import write_or_wait
from callblock.screens.notes_saving import finish_notes, save_draft
from callblock.services import dialing, leads, leases, queue, sessions
from callblock.store import DatabaseBusy
from callblock.widgets.app_header import AppHeader
from callblock.widgets.history import HistoryTable
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.lead_card import CardData, LeadCard
from callblock.widgets.notes import NotesPane
from callblock.widgets.plain import plain
from callblock.widgets.session_bar import SessionBar
from callblock.widgets.up_next import UpNext

if TYPE_CHECKING:
    from callblock.app import CallblockApp
    from callblock.domain.models import Touch

T = TypeVar("T")
NEEDS_LEAD = {"outcome", "skip", "edit_notes"}
PREVIEW = 5  # leads shown under "up next"
AHEAD_FRESH = 5.0  # s: an older list is rebuilt (a promise may have come due meanwhile)
REBUILD_AFTER = (
    0.05  # seconds after a lead is shown (its frame is out), the queue behind it is rebuilt
)


class PowerHourScreen(Screen[None]):
    BINDINGS = power_hour_bindings()

    def __init__(self, block_name: str | None = None, target_per_hour: int | None = None) -> None:
        super().__init__()
        self.block_name = block_name
        self.target_per_hour = target_per_hour
        self.current: QueueItem | None = None
        self.last: dialing.Recorded | None = None
        self.done: set[int] = set()  # leads given an outcome in this block
        self.skipped: set[int] = set()
        self.served = MixServed()  # follow-up slots filled so far: the mix goes on from there
        self.ahead: list[QueueItem] = []  # the queue behind the current lead
        self.ahead_at = 0.0  # when it was built (monotonic seconds)

    @property
    def ctx(self) -> AppContext:
        return self.callblock.context

    @property
    def callblock(self) -> CallblockApp:
        return cast("CallblockApp", self.app)

    def compose(self) -> ComposeResult:
        yield AppHeader(id="app-header")
        yield SessionBar(id="session-bar")
        with Horizontal(id="lead-row"):
            yield LeadCard(id="lead-card")
            with Vertical(id="side"):
                yield NotesPane(id="notes")
                yield UpNext(id="up-next")
        yield HistoryTable(id="history")
        yield Static(id="status")
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        ctx = self.ctx
        self.session = sessions.start_session(
            ctx.store,
            ctx.clock,
            rep=ctx.rep,
            block_name=self.block_name or ctx.settings.block_name,
            target=self.target_per_hour or ctx.settings.target_per_hour,
        )
        self.query_one(AppHeader).rep = ctx.rep
        self.query_one(SessionBar).block_name = self.session.block_name
        self._refresh_session()
        self._tick()
        self.advance()
        self.set_interval(1.0, self._tick)

    def on_screen_resume(self) -> None:
        """Back from another screen (a lead opened by search, a prompt): the lead on screen is
        read again, so notes, status or phone changed there are what the rep sees and edits."""
        item = self.current
        if item is None or not self.is_mounted:
            return
        lead = self.ctx.store.get_lead(item.lead.id)
        if lead is None or lead == item.lead:
            return
        fresh = queue.recheck(
            self.ctx.store, self.ctx.settings, item, rep=self.ctx.rep, now=self.ctx.clock.now()
        )
        if fresh is None and item.tier in ("promise", "inbound", "follow-up", "nurture"):
            self._say(plain(f"{lead.name}: changed elsewhere and not to be called now; moved on"))
            self.advance()
        else:
            self._show(replace(item, lead=lead))

    # showing leads --------------------------------------------------------------------------
    def advance(self) -> None:
        """Draw the next lead, leased to this rep so no other rep is handed it while it is on
        this screen. After a quick outcome (under AHEAD_FRESH) the next lead is the head of the
        queue computed when the last one was shown (re-checked now: still callable, not touched
        since, not taken), so the key shows it at once and the queue behind it is rebuilt right
        after that frame; after a longer call the queue is built afresh (a promise may have come
        due, a lead may have arrived)."""
        self._release()
        fresh = time.monotonic() - self.ahead_at < AHEAD_FRESH  # a quick no-answer, not a call
        ahead = self.ahead if fresh else []
        items = self._claim_head(ahead) or self._claim_head(self._queue(self.served))
        self._show(items[0] if items else None, items[1 : PREVIEW + 1])
        self.ahead, self.ahead_at = items[1:], time.monotonic()
        if items:  # once this frame is out (a quick rep meets a still-valid, re-checked list)
            self.set_timer(REBUILD_AFTER, partial(self._rebuild_ahead, items[0].lead.id))

    def _queue(self, served: MixServed, also_exclude: tuple[int, ...] = ()) -> list[QueueItem]:
        ctx = self.ctx
        return queue.next_leads_for_rep(
            ctx.store,
            ctx.settings,
            rep=ctx.rep,
            now=ctx.clock.now(),
            limit=PREVIEW + 2,  # one spare: the preview stays full when the head moves up
            exclude=self.done | self.skipped | set(also_exclude),
            served=served,
            session_id=self.session.id,
        )

    def _claim_head(self, items: list[QueueItem]) -> list[QueueItem]:
        """`items` from the first one that may be called now and could be leased; [] if none."""
        ctx = self.ctx
        for index, item in enumerate(items):
            if item.lead.id in self.done | self.skipped:
                continue
            fresh = queue.recheck(ctx.store, ctx.settings, item, rep=ctx.rep, now=ctx.clock.now())
            if fresh and leases.claim(ctx.store, ctx.clock, self.session.id, ctx.rep, item.lead.id) is None:
                return [fresh, *items[index + 1 :]]
        return []

    def _rebuild_ahead(self, lead_id: int) -> None:
        if self.current is None or self.current.lead.id != lead_id:
            return  # the rep has moved on already
        self.ahead = self._queue(self.served.after(self.current), (lead_id,))
        self.ahead_at = time.monotonic()
        self.query_one(UpNext).items = tuple(self.ahead[:PREVIEW])

    def _release(self) -> None:
        if self.current is not None:
            leases.release(self.ctx.store, self.session.id, self.current.lead.id)

    def work_lead(self, lead_id: int) -> None:
        """Show `lead_id` now, ahead of the queue (the lead screen's "call now")."""
        ctx = self.ctx
        lead = leads.get_lead(ctx.store, lead_id)
        self.skipped.discard(lead_id)
        if leases.claim(ctx.store, ctx.clock, self.session.id, ctx.rep, lead_id) is not None:
            self._say(plain(f"{lead.name} is on another rep's screen right now", "$warning"))
            return
        if self.current is not None and self.current.lead.id != lead_id:
            leases.release(ctx.store, self.session.id, self.current.lead.id)
        local = local_time(ctx.clock.now(), lead.zone(ctx.settings.timezone))
        self._show(QueueItem(lead, 0.0, "chosen", ("picked by you: call now",), local))

    def _show(self, item: QueueItem | None, upcoming: list[QueueItem] | None = None) -> None:
        self._finish_notes()
        self.current = item
        if upcoming is not None:
            self.query_one(UpNext).items = tuple(upcoming)
        ctx = self.ctx
        card = self.query_one(LeadCard)
        history = self.query_one(HistoryTable)
        notes = self.query_one(NotesPane)
        if item is None:
            card.data = None
            history.show([], ctx.settings.timezone)
            notes.show(0, "")
        else:
            touches = ctx.store.touches_for_lead(item.lead.id)
            card.data = CardData(
                item=item,
                zone=item.lead.zone(ctx.settings.timezone),
                max_attempts=ctx.settings.max_attempts,
                last_touch=touches[0] if touches else None,
                rep_zone=ctx.settings.timezone,
            )
            history.show(touches, ctx.settings.timezone)
            notes.show(item.lead.id, item.lead.notes)
        self.refresh_bindings()

    def _refresh_session(self) -> None:
        ctx = self.ctx
        self.query_one(SessionBar).stats = sessions.session_stats(
            ctx.store, self.session, ctx.clock.now()
        )

    def _tick(self) -> None:
        ctx = self.ctx
        now = ctx.clock.now()
        header = self.query_one(AppHeader)
        shown = local_time(now, ctx.settings.timezone).replace(second=0, microsecond=0)
        if header.now != shown:
            header.now = shown
            if self.current is not None:  # renew the lease while the lead is on screen
                with suppress(DatabaseBusy):  # held by an import: renewed next minute
                    leases.claim(ctx.store, ctx.clock, self.session.id, ctx.rep, self.current.lead.id)
        bar = self.query_one(SessionBar)
        if bar.stats is not None:
            elapsed = now - self.session.started_at
            if int(elapsed.total_seconds() // 60) != int(bar.stats.elapsed.total_seconds() // 60):
                bar.stats = replace(bar.stats, elapsed=elapsed)
        item = self.current
        editing = self.query_one(NotesPane).editing
        closed = item and item.tier != "undo" and not queue.still_callable(item, ctx.settings, now)
        if item and closed and not editing:
            self._say(plain(f"{item.lead.name}: calling hours have closed; moved on"))
            self.advance()

    def _say(self, message: Content) -> None:
        self.query_one("#status", Static).update(message)

    # actions --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        editing = self.is_mounted and self.query_one(NotesPane).editing
        if action in NEEDS_LEAD and (self.current is None or editing):
            return None  # shown, dimmed
        if action == "note" and (self.last is None or editing):
            return None
        return True

    def action_outcome(self, code: str) -> None:
        item = self.current
        if item is None:
            return
        outcome = OUTCOME_BY_CODE[code]
        lead = item.lead
        if outcome.confirm:
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

            from callblock.screens.prompts import ConfirmScreen

            self.app.push_screen(ConfirmScreen(question), confirmed)
        elif outcome.asks_when:
            ctx = self.ctx
            from callblock.screens.prompts import WhenScreen

            prompt = WhenScreen(
                f"{outcome.label}: {lead.name} — when?",
                ctx.clock.now(),
                ctx.settings.timezone,
                lead.zone(ctx.settings.timezone),
            )

            def chosen(when: datetime | None) -> None:
                if when is not None:
                    self._record(item, code, when)

            self.app.push_screen(prompt, chosen)
        else:
            self._record(item, code, None)

    def _record(self, item: QueueItem, code: str, when: datetime | None) -> None:
        ctx = self.ctx
        what = f"{OUTCOME_BY_CODE[code].label} · {clean_line(item.lead.name, 60)}"
        self.callblock.last_outcome = LastOutcome(what, saved=False)

        def write() -> dialing.Recorded:
            return dialing.record_outcome(
                ctx.store,
                ctx.clock,
                rep=ctx.rep,
                lead_id=item.lead.id,
                code=code,
                when=when,
                session_id=self.session.id,
                settings=ctx.settings,
            )

        self._write(what, write, partial(self._recorded, item, what))

    def _recorded(self, item: QueueItem, what: str, recorded: dialing.Recorded) -> None:
        self.callblock.last_outcome = LastOutcome(what, saved=True)
        self.last = recorded
        self.done.add(item.lead.id)
        self.served = self.served.after(item)
        self.advance()
        self._refresh_session()
        note_key = self.app.get_key_display(self._binding("note"))
        undo_key = self.app.get_key_display(self._binding("undo"))
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

    def _binding(self, ident: str) -> Binding:
        for _node, binding, _enabled, _tip in self.active_bindings.values():
            if binding.id == ident:
                return binding
        return next(b for b in self.BINDINGS if getattr(b, "id", None) == ident)

    def action_undo(self) -> None:
        ctx = self.ctx

        def write() -> Touch | None:
            return dialing.undo_last(
                ctx.store, ctx.clock, rep=ctx.rep, session_id=self.session.id, settings=ctx.settings
            )

        self._write("undo of the last outcome", write, self._undone)

    def _undone(self, touch: Touch | None) -> None:
        ctx = self.ctx
        if touch is None:
            self._say(Content.styled("Nothing to undo in this block.", "$warning"))
            return
        self.done.discard(touch.lead_id)
        self.last = None
        self._release()
        leases.claim(ctx.store, ctx.clock, self.session.id, ctx.rep, touch.lead_id)  # the rep's own lead again
        lead = leads.get_lead(ctx.store, touch.lead_id)
        zone = lead.zone(ctx.settings.timezone)
        self._show(
            QueueItem(
                lead,
                0.0,
                "undo",
                ("outcome undone: record it again",),
                local_time(ctx.clock.now(), zone),
            )
        )
        self._refresh_session()
        self._say(
            Content.assemble(
                ("↶ undone ", "$warning"), plain(f"{touch.outcome} · "), plain(lead.name)
            )
        )

    def action_skip(self) -> None:
        if self.current is not None:
            self.skipped.add(self.current.lead.id)
            self.served = self.served.after(self.current)
            self._say(Content.assemble("skipped ", plain(self.current.lead.name)))
            self.advance()

    def action_note(self) -> None:
        recorded = self.last
        if recorded is None:
            return
        title = f"Note on {recorded.outcome.label.lower()} · {recorded.lead.name}"

        def saved(note: str) -> None:
            self._say(Content.assemble(("✓ note saved: ", "$success"), plain(note)))
            if self.current and self.current.lead.id == recorded.lead.id:
                self._show(self.current)

        def save(text: str | None) -> None:
            if text is not None and text.strip():
                self._write(
                    f"note on {recorded.lead.name}",
                    lambda: dialing.add_touch_note(self.ctx.store, recorded.touch_id, text),
                    saved,
                )

        from callblock.screens.prompts import NoteScreen

        self.app.push_screen(NoteScreen(title, max_length=TOUCH_NOTE_MAX), save)

    def action_edit_notes(self) -> None:
        if self.current is not None:
            self.query_one(UpNext).display = False  # the editor takes the whole side
            self.query_one(NotesPane).edit()
            self.refresh_bindings()

    def action_escape(self) -> None:
        """Esc closes the notes editor; with nothing open it does nothing (never ends a block)."""
        if self._finish_notes(moving_on=False):
            self._say(Content.styled("✓ research notes saved", "$success"))

    def _finish_notes(self, *, moving_on: bool = True) -> bool:
        """Close the notes editor if open, saving synchronously; True if it was saved. Too-long
        notes are never cut (see screens/notes_saving.py)."""
        pane = self.query_one(NotesPane)
        if not pane.editing:
            return False
        saved = finish_notes(pane, self.ctx.store, self.app, self._say, moving_on=moving_on)
        self.query_one(UpNext).display = not pane.editing
        if saved is not None:
            lead_id, text = saved
            if self.current and self.current.lead.id == lead_id:
                self.current = replace(self.current, lead=replace(self.current.lead, notes=text))
        self.refresh_bindings()
        return saved is not None

    @on(NotesPane.Save)
    def _save_draft(self, event: NotesPane.Save) -> None:
        save_draft(event, self.ctx.store, self._say)

    def action_help(self) -> None:
        shown = [
            (self.app.get_key_display(binding), binding)
            for _node, binding, _enabled, _tip in self.active_bindings.values()
            if binding.show and binding.id
        ]
        from callblock.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(shown))

    def action_end_block(self) -> None:
        ctx = self.ctx
        self._finish_notes()
        self._release()
        sessions.end_session(ctx.store, ctx.clock, self.session)
        stats = sessions.session_stats(ctx.store, self.session, ctx.clock.now())
        from callblock.screens.summary import SummaryScreen

        self.app.switch_screen(SummaryScreen(self.session.block_name, stats))
