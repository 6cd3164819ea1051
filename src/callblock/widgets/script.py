"""The lead's call script and voicemail script, rendered, as plain text (the power hour's side
pane shows them in place of the research notes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from callblock.domain.text import clean_block
from callblock.widgets.plain import plain

if TYPE_CHECKING:  # the scripts' modules load when the pane is first shown, not at start-up
    from callblock.services.scripts import Script

TITLES = {"call-script": "Call script", "voicemail": "Voicemail"}


def script_content(scripts: list[Script], notes_key: str) -> Content:
    parts: list[Content | str] = []
    for script in scripts:
        title = TITLES.get(script.channel.value, script.channel.value)
        if script.template is None and script.problems:  # the database was busy
            parts += [plain(f"{title}: {p}", "$error") for p in script.problems]
            parts += ["\n", plain(f"({notes_key} twice tries again)", "dim"), "\n\n"]
            continue
        if script.template is None:
            parts += [
                plain(f"{title}: none for this step", "bold dim"),
                "\n",
                plain("(a team lead adds one: T on the week screen)", "dim"),
                "\n\n",
            ]
            continue
        variant = f" {script.template.variant}" if script.template.variant else ""
        parts += [plain(f"{title} · {script.template.name}{variant}", "bold"), "\n"]
        if script.problems:
            parts += [part for p in script.problems for part in (plain(p, "$error"), "\n")]
            parts.append("\n")
            continue
        for warning in script.warnings:
            parts += [plain(f"⚠ {warning}", "$warning"), "\n"]
        parts += [Content(clean_block(script.text)), "\n\n"]
    parts.append(plain(f"{notes_key}: back to the research notes", "dim"))
    return Content.assemble(*parts)


class ScriptPane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(id="script-view")

    def show(self, scripts: list[Script], notes_key: str) -> None:
        self.query_one("#script-view", Static).update(script_content(scripts, notes_key))
        self.scroll_home(animate=False)
