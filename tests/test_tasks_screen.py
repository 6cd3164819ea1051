"""The Tasks screen at 80x24 (issue 11 review): the lead line spaced, the LinkedIn profile link
shown whole, an old due date shown with its date."""

from __future__ import annotations

from dataclasses import replace

from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.cadence import Cadence, parse_step
from callblock.domain.models import Template, TemplateChannel
from callblock.screens.tasks import TasksScreen
from callblock.services.templates import save_template
from callblock.store import Store
from tests.channel_helpers import home_app, settle
from tests.conftest import NOW, LeadMaker
from tests.power_hour_helpers import SIZE
from tests.screen_text import screen_text, widget_text

# The Tasks screen ----------------------------------------------------------------------------


def linkedin_settings(settings: Settings) -> Settings:
    steps = tuple(map(parse_step, ("linkedin now", "call +2d")))
    return replace(settings, cadence=Cadence(steps=steps))


async def test_a_linkedin_task_shows_the_whole_profile_link_and_a_spaced_lead_line(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    settings = linkedin_settings(settings)
    note = Template("connect", TemplateChannel.LINKEDIN, "Hi {{ first_name }}.", step=1)
    save_template(store, note, rep="lead", now=NOW)
    link = "https://www.linkedin.com/in/maximiliana-oconnor-whitfield-3a9b2c71"
    lead_id = make_lead(
        name="Maximiliana Whitfield",
        title="Vice President of Revenue Operations",
        company="Consolidated Widgets International",
        settings=settings,
    )
    store.leads.update_lead_fields(lead_id, {"links": [link]})
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TasksScreen)
        shown = screen_text(app)
        assert link in shown  # whole, on one line: the rep opens it to paste the note
        lead_line = widget_text(app, app.screen.query_one("#task-lead"))
        assert "Maximiliana Whitfield · Vice President" in lead_line


async def test_a_task_due_weeks_ago_shows_its_date_not_only_a_weekday(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    settings = linkedin_settings(settings)
    note = Template("connect", TemplateChannel.LINKEDIN, "Hi {{ first_name }}.", step=1)
    save_template(store, note, rep="lead", now=NOW)
    created = NOW.replace(month=10, day=28)  # Wednesday 28 Oct: almost four weeks ago
    make_lead(name="Jim Brodo", company="Brodo Inc", created=created, settings=settings)
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        title = widget_text(app, app.screen.query_one("#task-title"))
        assert "28 Oct" in title, title


async def test_an_email_task_shows_the_whole_address_it_goes_to(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    steps = tuple(map(parse_step, ("email now", "call +2d")))
    settings = replace(settings, cadence=Cadence(steps=steps))
    email = Template(
        "hello", TemplateChannel.EMAIL, "Hi {{ first_name }}.", step=1, subject="Hello"
    )
    save_template(store, email, rep="lead", now=NOW)
    address = "maximiliana.whitfield@consolidated-widgets-international.example.com"
    make_lead(
        name="Maximiliana Whitfield",
        title="Vice President of Revenue Operations",
        company="Consolidated Widgets International",
        email=address,
        settings=settings,
    )
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        line = widget_text(app, app.screen.query_one("#task-template"))
        assert f"to {address}" in line, line
