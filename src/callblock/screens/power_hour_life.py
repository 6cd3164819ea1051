"""The power hour's block as time passes: the clock and the session bar each second, the
lead's lease renewed (a heartbeat), a block taken over by another window or ended by the rep's
removal, the list behind the lead rebuilt while the rep is on a call (so a key never waits for
it), and a terminal that hangs up (the block and what was typed are kept)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from typing import TYPE_CHECKING

from callblock.domain.calling import local_time
from callblock.screens.block_drafts import typed_draft
from callblock.services import sessions
from callblock.store import DatabaseBusy, StoreFault
from callblock.store.pg import ServerUnreachable
from callblock.widgets.app_header import AppHeader
from callblock.widgets.notes import NotesPane
from callblock.widgets.plain import plain
from callblock.widgets.session_bar import SessionBar

if TYPE_CHECKING:
    from callblock.screens.power_hour import PowerHourScreen

    _Base = PowerHourScreen
else:
    _Base = object

HEARTBEAT_WAIT_MS = 100


class BlockLife(_Base):
    """Mixed into PowerHourScreen: what happens to the block as time passes."""

    _unreachable = False  # the server was out of reach at the last tick

    def _refresh_session(self) -> None:
        ctx = self.ctx
        self.query_one(SessionBar).stats = sessions.session_stats(
            ctx.store, self.session, ctx.clock.now()
        )

    def _tick(self) -> None:
        ctx = self.ctx
        block = self.block
        if block is None or block.taken_over or block.ended:
            return
        now = ctx.clock.now()
        # Held by an import: renewed at a later tick (the lease outlives a few), never a freeze.
        # A server out of reach is said once, and that it answers again (writes wait meanwhile).
        alive = True
        try:
            with ctx.store.patience(HEARTBEAT_WAIT_MS):
                alive = block.heartbeat()
        except ServerUnreachable as error:
            if not self._unreachable:
                self._say(plain(f"reconnecting: {error}", "$warning"))
            self._unreachable = True
            return
        except DatabaseBusy:
            pass
        if self._unreachable:
            self._unreachable = False
            self._say(plain("the database answers again", "$success"))
        if not alive:
            self._taken_over()
            return
        if block.lost is not None:
            (item, holder), block.lost = block.lost, None
            self._say(plain(f"{item.lead.name} is on {holder}'s screen now; moved on", "$warning"))
            self.advance()
            return
        header = self.query_one(AppHeader)
        shown = local_time(now, ctx.rep_zone).replace(second=0, microsecond=0)
        if header.now != shown:
            header.now = shown
        bar = self.query_one(SessionBar)
        if bar.stats is not None:
            elapsed = now - self.session.started_at
            if int(elapsed.total_seconds() // 60) != int(bar.stats.elapsed.total_seconds() // 60):
                bar.stats = replace(bar.stats, elapsed=elapsed)
        item = self.current
        editing = self.query_one(NotesPane).editing
        if item and not editing and block.window_closed():
            self._say(plain(f"{item.lead.name}: calling hours have closed; moved on"))
            self.advance()
        elif item and block.ahead_is_stale():
            self._rebuild_ahead(item.lead.id)

    def _taken_over(self) -> None:
        """Another window of this rep took the block over, or the rep was removed from the team
        (which ends their blocks): this one stops showing its lead and says why."""
        self._show(None, [])
        while self in self.app.screen_stack and self.app.screen is not self:
            self.app.pop_screen()
        registered = self.ctx.store.admin.get_rep(self.ctx.rep)
        why = (
            "you were removed from the team: this block has ended"
            if registered is not None and not registered.current
            else "this block was taken over by another window"
        )
        end = self.callblock.key_display("end_block")
        self._say(plain(f"{why[0].upper()}{why[1:]}; nothing here is saved. {end} quits."))
        self.app.notify(f"{why[0].upper()}{why[1:]}.", severity="warning", markup=False)

    def hang_up(self) -> bool:
        """The terminal is gone (SIGHUP, SIGTERM, a lost link) or the app quits: keep what is
        typed, let go of the lead on screen, keep the block for the rep's next start. True when
        a block was kept. Runs in well under a second."""
        block = self.block
        if block is None or block.taken_over or block.ended:
            return False
        with suppress(StoreFault):  # busy or failing: the draft went to the spool instead
            block.suspend(typed_draft(self, self.ctx.store, self._prompt))
        return True
