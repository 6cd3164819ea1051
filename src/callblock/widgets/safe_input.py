"""Input and TextArea that neutralize control characters on the way in, and do not blink.

Typing, bracketed paste and Ctrl+V all reach `Input.replace` and `TextArea.edit`, so cleaning
there keeps raw ESC sequences (screen clears, OSC 52 clipboard writes) off the screen while the
rep is still typing, not only once the text is saved.

The cursor does not blink: each blink repaints the box, ~1.8 KB/s over SSH for an idle prompt,
where a remote rep's link should carry under 100 B/s. It stays shown while the box has focus.
"""

from __future__ import annotations

from textual.document._edit import Edit, EditResult
from textual.reactive import reactive
from textual.widgets import Input, TextArea

from callblock.domain.text import neutralize


class SafeInput(Input):
    cursor_blink = reactive(False, init=False)

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(neutralize(text, multiline=False), start, end)


class SafeTextArea(TextArea):
    cursor_blink = reactive(False, init=False)

    def edit(self, edit: Edit) -> EditResult:
        edit.text = neutralize(edit.text, multiline=True)
        return super().edit(edit)

    def load_text(self, text: str) -> None:
        super().load_text(neutralize(text, multiline=True))
