"""The Review screen's help: its keys and what every figure means (same words as the README)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

DEFINITIONS = """\
Keys: 1-5 switch tabs (log, reps, heat map, cracks, templates) · Enter on a row shows
the lead · f filters (Tab moves between them; Enter on a date applies it) · m more log
rows · r reload · Esc leaves the filters · q back.
Days are whole days in the team's zone (config `timezone`). Dates: YYYY-MM-DD, today,
yesterday or -N (N days ago).

dial: a call that was not undone. Undone outcomes never count anywhere; the log still
  shows them, struck through.
contact: a dial that reached the lead itself (connected, callback, meeting, not
  interested, do not call; a gatekeeper is not). rate = contacts / dials.
conversation (conv): a contact that went somewhere: connected, callback or meeting.
meet: meetings booked. cb: callbacks set, once per promise (moving a callback the lead
  still had open sets no new one).
kept: the rep's callbacks due in the period that a dial by anyone made from 5 min
  before to 30 min after the promised time.
att: average attempt number (all reps, all time) of the leads the rep dialed, at the
  rep's last dial on each. Most leads that convert are reached by the 6th attempt
  (Velocify, 3.5 M leads); reps average only 1.6.
1st m: median time (min, h or d) from a lead's arrival to its first call, for leads
  first called in the period, credited to the rep who called. Within 5 minutes gives
  100x the odds of contact of 30 minutes (Lead Response Management study,
  InsideSales.com/MIT, 2007).
/h: dials in sessions per hour of session, – under 15 minutes of session; sess: sessions
  (blocks) started. Reps: every rep of the team (else everyone active in the period), the
  same rows whatever the filters; the outcome and block filters apply to the log only.

Heat map: contact rate of the last 8 weeks by the lead's local weekday and hour. The
shading says the band, colour only repeats it: ░ under 0.75x the team rate, ▒ under
1x, ▓ under 1.25x, █ above; ·· fewer than 5 dials; best and worst hours are named
only among cells of at least 20 dials. Published: contact best 16-17h, worst 11-12h;
Wednesday and Thursday best (same study). Sparklines: dials per day, 4 weeks.

Cracks: callbacks overdue (open, 30 min past their time) or missed (called after that);
inbound leads not called within an hour of arriving; warm leads untouched for more than
[review] warm_untouched_days (default 14); leads touched by two reps the same day;
leads stopped with fewer attempts than [queue] max_attempts, no open promise and no
touch for 10 days. The first, third and last are as of now; the others in the period.

Templates: per template, variant and segment (the lead's temperature), the whole team's
touches in the period: sent (an email, note or SMS sent, a call script or voicemail on
a dial; replies, bounces and skipped tasks are not), repl (replies, counted for the
message they answer), cont and meet (dials that reached the lead or booked a meeting),
repl% and meet% (of sent). A note says when variants of a step are compared on under 30
sends each: the difference may be chance."""


class ReviewHelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "close", id="review-help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="help"):
            yield Static(Content.styled("Review: keys and definitions", "bold"))
            yield Static(Content(DEFINITIONS))
            yield Static(Content.styled("Esc, q or ? closes this help", "dim"))

    def action_close(self) -> None:
        self.dismiss(None)
