"""The key bar: every active binding of the screen, laid out whole items to a line (an item is
never cut between its key and its words), each item clickable (a click presses its key).

Built from the same bindings (and keymap) as the help screen, so the two never disagree.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widgets import Static

GAP = 2  # cells between items


class KeyBar(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: list[tuple[Content, str]] = []  # (what shows, the key a click presses)
        self._shown: list[tuple[str, str, str, bool]] = []
        self._width = 0  # the width the items were last laid out for

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        shown: list[tuple[str, str, str, bool]] = []  # (key, its display, words, enabled)
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = binding.key.split(",")[0]
            shown.append((key, self.app.get_key_display(binding), binding.description, enabled))
        if shown == self._shown:
            return  # the screen refreshes its bindings with each lead: redraw only a change
        self._shown = shown
        self._items = [
            (
                Content.assemble(
                    (display, "bold $accent" if enabled else "dim"),
                    " ",
                    (words, "" if enabled else "dim"),
                ).stylize(Style.from_meta({"key_bar": index})),
                key,
            )
            for index, (key, display, words, enabled) in enumerate(shown)
        ]
        self._lay_out()

    def on_resize(self, event: events.Resize) -> None:
        if self.content_region.width != self._width:  # its own height follows the items
            self._lay_out()

    def _lay_out(self) -> None:
        """Whole items to a line, as many lines as the width needs."""
        self._width = self.content_region.width
        width = self._width or self.app.size.width - 2
        lines: list[Content] = []
        line = Content()
        for item, _key in self._items:
            if line.cell_length and line.cell_length + GAP + item.cell_length > width:
                lines.append(line)
                line = Content()
            line = line + " " * GAP + item if line.cell_length else item
        lines.append(line)
        self.update(Content("\n").join(lines))

    def on_click(self, event: events.Click) -> None:
        index = event.style.meta.get("key_bar")
        if isinstance(index, int) and 0 <= index < len(self._items):
            event.stop()
            self.app.simulate_key(self._items[index][1])
