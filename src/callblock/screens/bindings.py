"""The power-hour key table, built once from the outcome table and the command keys.

Binding ids are the names used in the config's [keys] section; the key bar and the help screen
both read these bindings, so they cannot disagree.
"""

from __future__ import annotations

from textual.binding import Binding

from callblock.config import COMMAND_KEYS
from callblock.domain.outcomes import OUTCOMES

COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    # id, action, short label, help text
    ("undo", "undo", "undo", "Undo the last outcome of this block (kept in the audit trail)"),
    ("skip", "skip", "skip", "Skip this lead for the rest of the block, recording nothing"),
    ("note", "note", "note", "Add a one-line note to the outcome just recorded"),
    ("edit_notes", "edit_notes", "notes", "Edit the research notes (Esc saves and leaves)"),
    (
        "script",
        "script",
        "script",
        "Switch between the research notes and the call and voicemail scripts for this lead",
    ),
    ("help", "help", "help", "Show this help"),
    ("end_block", "end_block", "end", "End the block and show its summary"),
)


def power_hour_bindings() -> list[Binding]:
    outcomes = [
        Binding(o.key, f"outcome('{o.code}')", o.short, id=o.code, tooltip=o.label)
        for o in OUTCOMES
    ]
    commands = [
        Binding(COMMAND_KEYS[ident], action, short, id=ident, tooltip=text)
        for ident, action, short, text in COMMANDS
    ]
    escape = Binding("escape", "escape", "close", show=False, id="escape")
    # The side pane (research notes or scripts) is a few lines high at 80x24: the page keys read
    # it to the end without a mouse, wherever the focus is (a text box keeps them: the action
    # skips). Not in the key bar; in the help.
    pages = [
        Binding(
            key,
            f"scroll_side({step})",
            label,
            show=False,
            priority=True,
            id=f"side_{label}",
            tooltip=f"Page the research notes or the scripts {label}",
        )
        for key, step, label in (("pagedown", 1, "down"), ("pageup", -1, "up"))
    ]
    return [*outcomes, *commands, *pages, escape]
