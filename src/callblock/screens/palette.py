"""The command palette's commands (ctrl+p): callblock's own, by role, then the theme and quit.

Each runs the same action as its key, so the palette and the keys cannot disagree; Review and
import are offered only to who may use them (AppContext.may_review / may_import).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

if TYPE_CHECKING:
    from callblock.app import CallblockApp


def callblock_commands(app: CallblockApp, screen: Screen[object]) -> Iterator[SystemCommand]:
    from callblock.screens.power_hour import PowerHourScreen
    from callblock.screens.review import ReviewScreen
    from callblock.screens.week import WeekScreen

    ctx = app.context
    in_block = any(isinstance(s, PowerHourScreen) for s in app.screen_stack)
    if isinstance(screen, WeekScreen):
        yield SystemCommand(
            "Start block",
            "Start the highlighted block: a power hour under its name and target",
            screen.action_start_block,
        )
    if not in_block:
        yield SystemCommand(
            "Power hour now", "Start an ad-hoc power hour now", _push(app, PowerHourScreen)
        )
    yield SystemCommand(
        "Search leads", "Find a lead by name, company, email or phone", app.action_search
    )
    yield SystemCommand(
        "New lead", "Add a lead by hand (it arrives now, as fresh inbound)", app.action_new_lead
    )
    if ctx.may_import:
        yield SystemCommand(
            "Import leads", "Import leads from a CSV file, with a preview", app.action_import_leads
        )
    if isinstance(screen, WeekScreen):
        yield SystemCommand(
            "Tasks",
            "The cadence's emails, LinkedIn notes and texts due, one at a time",
            screen.action_tasks,
        )
        yield SystemCommand(
            "Templates",
            "The team's scripts, voicemails and messages (a team lead edits them)",
            screen.action_templates,
        )
    if ctx.may_review and not any(isinstance(s, ReviewScreen) for s in app.screen_stack):
        yield SystemCommand(
            "Review",
            "The team lead's review: log, reps, heat map, what fell through the cracks",
            _push(app, ReviewScreen),
        )
    yield SystemCommand(
        "Theme", "Change the colours (kept for your next start)", app.action_change_theme
    )
    yield SystemCommand(
        "Quit", "Quit callblock (a block not ended is kept for your next start)", app.action_quit
    )


def _push(app: CallblockApp, screen_type: type[Screen[None]]):  # type: ignore[no-untyped-def]
    def push() -> None:
        app.push_screen(screen_type())

    return push
