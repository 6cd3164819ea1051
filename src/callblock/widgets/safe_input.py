"""Input and TextArea that neutralize control characters on the way in.

Typing, bracketed paste and Ctrl+V all reach `Input.replace` and `TextArea.edit`, so cleaning
there keeps raw ESC sequences (screen clears, OSC 52 clipboard writes) off the screen while the
rep is still typing, not only once the text is saved.
"""

from __future__ import annotations

from textual.document._edit import Edit, EditResult
from textual.widgets import Input, TextArea

from callblock.domain.text import neutralize


class SafeInput(Input):
    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(neutralize(text, multiline=False), start, end)


class SafeTextArea(TextArea):
    def edit(self, edit: Edit) -> EditResult:
        edit.text = neutralize(edit.text, multiline=True)
        return super().edit(edit)

    def load_text(self, text: str) -> None:
        super().load_text(neutralize(text, multiline=True))
