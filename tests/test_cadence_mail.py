"""The cadence with real email: `callblock send` of the lead's due email step completes the task
through services/tasks.py (no stand-in), and a reply to it counts for that template."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.config.smtp import SmtpSettings
from callblock.domain.cadence import Cadence, parse_step
from callblock.domain.models import Channel, Template, TemplateChannel
from callblock.domain.reps import Rep
from callblock.services import dialing, tasks
from callblock.services.mail import send_template
from callblock.store import Store
from tests.conftest import NOW, ZONE, LeadMaker
from tests.mail_helpers import Server, make_certificate, run_server


@pytest.fixture
def relay(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    cert, key = make_certificate(tmp_path_factory.mktemp("tls"))
    yield from run_server("none", cert, key, login=False)


def test_sending_the_due_email_step_moves_the_cadence_on(
    store: Store, make_lead: LeadMaker, relay: Server
) -> None:
    steps = tuple(map(parse_step, ("call now", "email +1h", "call +1d")))
    settings = Settings(
        timezone=ZONE,
        cadence=Cadence(steps=steps),
        smtp=SmtpSettings("127.0.0.1", relay.port, "none"),
    )
    store.admin.save_rep(Rep("alice", "lead", None, "alice@example.com"), iso(NOW))
    store.templates.save_templates(
        [
            Template(
                "f-a", TemplateChannel.EMAIL, "Hi {{ first_name | default('there') }}", 2, "A", "S"
            ),
            Template(
                "f-b",
                TemplateChannel.EMAIL,
                "Hello {{ first_name | default('there') }}",
                2,
                "B",
                "S",
            ),
        ],
        at=iso(NOW),
        rep="alice",
    )
    lead_id = make_lead(email="jim@example.org", settings=settings)
    dialing.record_outcome(
        store, FixedClock(NOW), rep="alice", lead_id=lead_id, code="no-answer", settings=settings
    )
    later = NOW + timedelta(hours=2)
    [task] = tasks.due_tasks(store, settings, "alice", later)
    assert task.template is not None and task.step == 2
    sent = send_template(
        store, settings, lead_id=lead_id, template_name=task.template.name, rep="alice", now=later
    )
    assert len(relay.inbox.messages) == 1
    lead = store.leads.get_lead(lead_id)
    assert lead is not None
    assert (lead.steps_done, lead.task_step, lead.next_due_at) == (
        2,
        None,
        later + timedelta(days=1),
    )
    touch = store.touches.get_touch(sent.touch_id or 0)
    assert touch is not None
    assert (touch.channel, touch.template, touch.variant, touch.message_id) == (
        Channel.EMAIL,
        task.template.name,
        task.template.variant,
        sent.message_id,
    )
    assert tasks.due_tasks(store, settings, "alice", later) == []
    reply = tasks.record_reply(
        store,
        settings,
        lead_id=lead_id,
        rep="alice",
        channel="email",
        now=later + timedelta(hours=1),
    )
    answered = store.touches.get_touch(reply.touch_id)
    assert answered is not None and (answered.template, answered.variant) == (
        task.template.name,
        task.template.variant,
    )
