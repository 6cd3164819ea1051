"""Notes keep the line breaks the rep typed, on the power hour and in Review's drill-down (one
renderer for both)."""

from __future__ import annotations

from rich.console import Console
from rich.markdown import Markdown

from callblock.app import create_app
from callblock.screens.lead_detail import LeadDetailScreen
from callblock.widgets.notes import NotesPane, notes_markdown
from tests.power_hour_helpers import SIZE
from tests.review_helpers import at, build_team_log
from tests.screen_text import screen_text, widget_text
from tests.test_review_screen import settle

NOTES = "Uses HubSpot.\nCalls after 4pm\n\n**Owner** is Dana"


def rendered(renderable: object) -> list[str]:
    console = Console(width=40, record=True, color_system=None)
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines() if line.strip()]


def test_soft_breaks_render_as_breaks() -> None:
    assert rendered(Markdown(NOTES))[0] == "Uses HubSpot. Calls after 4pm"  # what Markdown does
    assert rendered(notes_markdown(NOTES)) == ["Uses HubSpot.", "Calls after 4pm", "Owner is Dana"]


def lines_with(text: str, *needles: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if any(n in line for n in needles)]


async def test_power_hour_notes_keep_line_breaks(make_app, make_lead) -> None:
    make_lead(notes=NOTES)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        text = widget_text(app, app.screen.query_one(NotesPane))
        found = lines_with(text, "HubSpot", "4pm", "Dana")
        assert [line.split("  ")[0] for line in found] == [
            "Uses HubSpot.",
            "Calls after 4pm",
            "Owner is Dana",
        ]


async def test_review_drill_down_renders_notes_like_the_power_hour(store, clock, settings) -> None:
    leads = build_team_log(store, clock)
    store.leads.set_notes(leads["a"], NOTES)
    clock.set(at(23, 30))
    app = create_app(settings=settings, store=store, clock=clock, rep="lead", start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter")  # bob's dial on lead a
        assert isinstance(app.screen, LeadDetailScreen)
        app.screen.query_one("#lead-detail").scroll_end(animate=False)
        await pilot.pause()
        found = lines_with(screen_text(app), "HubSpot", "4pm", "Dana")
        assert [line.strip("│▁▎▊▐▌█ ") for line in found] == [
            "Uses HubSpot.",
            "Calls after 4pm",
            "Owner is Dana",  # Markdown, as on the power hour: no asterisks
        ]
