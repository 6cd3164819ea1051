"""Shared pieces of the issue-11 screen tests (Tasks, Templates, the script pane): settling the
app, the app on its week screen, and an A/B pair of step-2 emails."""

from __future__ import annotations

from dataclasses import replace

from callblock.app import CallblockApp, create_app
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.domain.models import Template, TemplateChannel
from callblock.store import Store

EMAIL_A = Template(
    name="email-2a",
    channel=TemplateChannel.EMAIL,
    step=2,
    variant="A",
    subject='Following up on {{ interest | default("your request") }} for you and your team',
    body="Hi {{ first_name | default('there') }}, about {{ company }}.",
)
EMAIL_B = replace(EMAIL_A, name="email-2b", variant="B", subject="Quick question on {{ company }}")


async def settle(app: CallblockApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def home_app(store: Store, clock: FixedClock, settings: Settings) -> CallblockApp:
    return create_app(settings=settings, store=store, clock=clock, rep="alice", start="home")
