"""The `?` help screen, generated from the live bindings (so remapped keys show as remapped)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from callblock.domain.outcomes import OUTCOME_BY_CODE

if TYPE_CHECKING:
    from textual.screen import Screen

    from callblock.app import CallblockApp

ABOUT = """\
Each outcome is saved to the database the moment you press its key; the next lead follows.
Callback and meeting ask when, in plain words ("thu 3pm", "tomorrow 10:30", "in 2 days",
"2026-12-01 09:00"), and show the parsed time before you press Enter; a time outside the
lead's calling hours is refused, with the nearest allowed time. A new callback replaces the
lead's open one. Do-not-call asks you to confirm (only a team lead takes it back, with a
reason). Esc only closes prompts; it never ends a block.
Esc then a key, however quickly typed, is Esc then that key (there are no Alt keys).
The lead on screen is yours alone (held 90 s at a time, renewed while shown); {undo} takes a
lead back only if nobody else holds it, and not after its calling hours closed (the queue brings
it back when they open). A dropped link keeps your block: start callblock again the same day to
resume it (counters, undo, the lead and what you were typing). If the database server is out of
reach, the status line says "reconnecting"; an outcome pressed meanwhile waits on screen and is
saved once it answers (Esc gives up: it is then not saved). ctrl+q keeps the block for later;
{end_block} ends it. Times are read in your zone; the lead's local time is beside them.
{script} shows the call script and the voicemail for the lead's step (the team's templates,
rendered for this lead) in place of the research notes; {script} again shows the notes. pgdn
and pgup page the notes or the scripts beside the card.

The queue, top down: (!) your callbacks and meetings due (from 5 minutes before), then other
reps' promises missed by more than 15 minutes; (+) fresh inbound leads, youngest first after
their first minute (calling within 5 minutes gave 100x the contact odds of 30 minutes:
InsideSales.com/MIT); (·) follow-ups due under the team's schedule ({schedule}; its steps
that are not calls are tasks, t on the week screen; the default is 6 call attempts: at once,
+30 min, +1 h, day 5, day 14, day 15; 93% of converting leads are reached by the 6th attempt,
Velocify), ranked by temperature, fit, and the weight of the lead's local hour (best 16-17 h,
then 08-10 h) and weekday; a quarter of the follow-up slots go to warm leads; (~) a little
long-term nurture. The card's "why" line says why each lead is where it is. "Up next" is kept
fresh during a long call (a callback due or a lead arriving meanwhile is next); with other reps
working, the key itself builds the queue, so no lead they took is ever offered.
Never queued: do-not-call, bad numbers, leads outside their legal calling hours at their local
time (08:00-21:00, 47 CFR 64.1200(c)(1); Florida 08:00-20:00 and at most 3 calls a day), leads
touched in the last 30 minutes, leads another rep has on screen or owns.
From any screen: {search} finds a lead, {new_lead} adds one{import_leads}, ctrl+p opens the
command palette (every command by name, and the theme, kept for your next start), ctrl+l draws
the screen again. A click on an item of the key bar presses its key.
Keys can be remapped in the [keys] section of the config file."""

WEEK_ABOUT = """\
t shows the cadence's tasks due (its emails, LinkedIn notes and texts, one at a time, rendered
for the lead); T the team's templates (scripts, voicemails, messages: a team lead edits them).
Blocks come from the [[blocks]] rules in the config (RRULEs); by default a power hour every
weekday at 09:00 and a second one on Wednesday and Thursday at 16:00, the best contact days
(contact index Mon 0.70, Tue 0.68, Wed 0.97, Thu 1.00, Fri 0.85: InsideSales.com/MIT Lead
Response Management study, 2007). Flexible follow-ups (the day-5/14/15 attempts) move up to
{slack_days} days to the best-weighted day; promises and fresh leads never move.
No block is planned above its target. Promises take their block (or the next that day),
fresh inbound the next block with room; follow-ups the best-weighted block of their day with
room, the backlog (due by now) of today and the next {slack_days} days, else the next block
with room. What fits nowhere shows as "Over capacity: N dials": add a block or raise a target
([[blocks]] in the config). A block that is over shows the dials and contacts done in it.

Weights learn from the team's log. For each weekday (and local hour) d with n_d dials:
  observed_d = (contacts_d / dials_d) / (all contacts / all dials) x mean prior
  blended_d  = (n_d x observed_d + m x prior_d) / (n_d + m),  m = {prior_dials} dials
so a day with few dials keeps its published prior, and one with many follows the team.
Expected contacts = planned dials x the team's contact rate x block weight / 0.62 (an average
calling hour's weight)."""


def about_power_hour(app: CallblockApp) -> str:
    """ABOUT with the keys as they are (remapped in the config or not), never fixed letters."""
    keys = {
        ident: app.key_display(ident)
        for ident in ("undo", "end_block", "search", "new_lead", "script")
    }
    imports = f", {app.key_display('import_leads')} imports a CSV file (with a preview)"
    if not app.context.may_import:
        imports = (
            " (importing a CSV file is a team lead's, and over SSH it is "
            "`ssh HOST import - < leads.csv`)"
        )
    schedule = ", ".join(step.text for step in app.context.settings.cadence.steps)
    return ABOUT.format(**keys, import_leads=imports, schedule=schedule)


def help_entries(screen: Screen[object], *bindings: Binding) -> list[tuple[str, Binding]]:
    """Every key of `screen` as (key shown, binding): the active ones (the app's included, as
    remapped), the hidden ones with a help text (ctrl+l, ctrl+p), and `bindings` that a focused
    widget shadows (Enter on the week's block list)."""
    seen: set[str] = set()
    entries: list[tuple[str, Binding]] = []
    active = [binding for _node, binding, _on, _tip in screen.active_bindings.values()]
    for binding in [*active, *bindings]:
        if binding.action in seen or not (binding.show or binding.tooltip):
            continue
        if binding.action in ("escape", "app.quit") and not binding.show:
            continue
        seen.add(binding.action)
        entries.append((screen.app.get_key_display(binding), binding))
    return entries


def reflow(text: str) -> str:
    """Join the lines of each paragraph so the help wraps to the terminal's width; lines that
    start with spaces (formulas) stay as they are."""
    out: list[str] = []
    for line in text.splitlines():
        joinable = out and out[-1] and line and not line.startswith(" ")
        if joinable and not out[-1].startswith(" "):
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, Binding]], about: str = "") -> None:
        super().__init__()
        self._entries = bindings
        self._about = about

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="help"):
            yield Static(Content.styled("callblock keys", "bold"))
            yield Static(self._table())
            yield Static(Content(reflow(self._about)))
            yield Static(Content.styled("Esc, q or ? closes this help", "dim"))

    def _table(self) -> Content:
        lines: list[Content | str | tuple[str, str]] = []
        for key_display, binding in self._entries:
            outcome = OUTCOME_BY_CODE.get(binding.id or "")
            detail = ""
            if outcome:
                flags = [
                    f
                    for f, on in (
                        ("dial", outcome.is_dial),
                        ("contact", outcome.is_contact),
                        ("asks when", outcome.asks_when),
                        ("confirms", outcome.confirm),
                    )
                    if on
                ]
                detail = f"  ({outcome.code}: {', '.join(flags)})"
            lines += [
                (f"{key_display:>3}", "bold $accent"),
                f"  {binding.tooltip or binding.description}",
                (f"{detail}\n", "dim"),
            ]
        return Content.assemble(*lines)

    def action_close(self) -> None:
        self.dismiss(None)
