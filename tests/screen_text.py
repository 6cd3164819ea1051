"""What the user would see: the composed screen (a modal over its background) as plain text.

The screen is rendered the way Textual sends it to the terminal (the compositor's full update,
background screens included), recorded by a Rich console, and split into lines of cells.
`widget_text` crops those lines to a widget's region, so a test asks "what does *this* widget
show?" without trusting the widget's own idea of its content. Raw control characters that a
widget lets through stay in the text, so tests can see them.
"""

from __future__ import annotations

import io
import re

from rich.console import Console
from rich.segment import Segment
from textual.app import App
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

# C0 controls except newline (the line separator here), DEL and C1 controls: never on screen.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def screen_strips(app: App[object]) -> list[Strip]:
    """One Strip per terminal row of what is on screen now (cursor-movement segments dropped)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    with console._record_buffer_lock:
        segments = [segment for segment in console._record_buffer if not segment.control]
    return [Strip(line) for line in Segment.split_lines(segments)][:height]


def screen_text(app: App[object]) -> str:
    """Everything on screen as text, one line per terminal row."""
    return "\n".join(strip.text for strip in screen_strips(app))


def region_text(app: App[object], region: Region) -> str:
    """The text of a rectangle of the screen, one line per row."""
    rows = screen_strips(app)[region.y : region.bottom]
    return "\n".join(strip.crop(region.x, region.right).text for strip in rows)


def widget_text(app: App[object], widget: Widget) -> str:
    """What `widget` shows: its region of the composed screen (so a modal over it counts)."""
    assert widget.is_mounted and widget.display, f"{widget!r} is not displayed"
    assert widget.region.area, f"{widget!r} has no area on screen"
    return region_text(app, widget.region)


def squeeze(text: str) -> str:
    """Text without whitespace: a literal string survives word wrapping and padding this way."""
    return re.sub(r"\s+", "", text)


def shows(haystack: str, needle: str) -> bool:
    """True when `needle` is shown literally in `haystack`, wherever lines were wrapped.

    A control character in `needle` may be shown replaced by one character or dropped; the
    printable text around it must be there, in order, unchanged.
    """
    parts = [re.escape(squeeze(part)) for part in CONTROL.split(needle)]
    return re.search(".?".join(parts), squeeze(haystack)) is not None


def links_and_actions(app: App[object]) -> list[str]:
    """Hyperlinks and click actions attached to anything on screen."""
    found: list[str] = []
    for strip in screen_strips(app):
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            if style.link:
                found.append(f"link {style.link}")
            if style._meta and "@click" in style.meta:
                found.append(f"@click {style.meta['@click']}")
    return found


def assert_screen_safe(app: App[object]) -> None:
    """Nothing on screen is terminal control, a hyperlink or a click action."""
    text = screen_text(app)
    controls = sorted({repr(char) for char in CONTROL.findall(text)})
    assert not controls, f"raw control characters on screen: {controls}\n{text}"
    assert links_and_actions(app) == [], text
