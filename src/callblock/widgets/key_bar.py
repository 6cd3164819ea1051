"""The key bar: every active binding of the screen, wrapped onto as many lines as it needs.

Built from the same bindings (and keymap) as the help screen, so the two never disagree.
"""

from __future__ import annotations

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        parts: list[Content | str | tuple[str, str]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key_style = "bold $accent" if enabled else "dim"
            parts += [
                (self.app.get_key_display(binding), key_style),
                " ",
                (binding.description, "" if enabled else "dim"),
                "  ",
            ]
        self.update(Content.assemble(*parts))
