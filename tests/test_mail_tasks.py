"""A sent email that is the lead's pending email task is recorded by the cadence track's
`complete_task` (which moves the cadence on); any other is one email touch of its own.

Here `callblock.services.tasks` is a spy that records how mail called it and writes the touch
as the interface says; tests/test_cadence_mail.py runs the same send through the real one."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from callblock.clock import iso
from callblock.config import Settings
from callblock.config.smtp import SmtpSettings
from callblock.domain.models import Channel, Template, TemplateChannel
from callblock.domain.reps import Rep
from callblock.services.mail import send_template
from callblock.store import Store
from tests.conftest import NOW, ZONE, LeadMaker
from tests.mail_helpers import Server, make_certificate, run_server, use_render


@pytest.fixture
def relay(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    cert, key = make_certificate(tmp_path_factory.mktemp("tls"))
    yield from run_server("none", cert, key, login=False)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, store: Store) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def complete_task(store_: Store, settings: Settings, **kwargs: Any) -> int:
        seen.append(kwargs)
        with store_.transaction():
            return store_.touches.insert_touch(
                lead_id=kwargs["lead_id"],
                rep=kwargs["rep"],
                at=iso(kwargs["now"]),
                channel="email",
                outcome=kwargs["outcome"],
                note="",
                session_id=None,
                lead_before={},
                template=kwargs["template"],
                variant=kwargs["variant"],
                message_id=kwargs["message_id"],
            )

    module = types.ModuleType("callblock.services.tasks")
    module.complete_task = complete_task  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "callblock.services.tasks", module)
    return seen


def _setup(store: Store, make_lead: LeadMaker, *, task: tuple[str, int] | None) -> int:
    store.admin.save_rep(Rep("alice", "lead", None, "alice@example.com"), iso(NOW))
    lead = make_lead(email="jim@example.org", tz=ZONE)
    if task is not None:
        with store.transaction():
            store.conn.execute(
                "UPDATE leads SET task_channel = ?, task_step = ?, task_due_at = ? WHERE id = ?",
                (task[0], task[1], iso(NOW), lead),
            )
    templates = [
        Template("day-7", TemplateChannel.EMAIL, "Body", step=6, variant="B", subject="Hi"),
        Template("any-step", TemplateChannel.EMAIL, "Body", subject="Hi"),
        Template("hour-1", TemplateChannel.EMAIL, "Body", step=2, subject="Hi"),
    ]
    store.templates.save_templates(templates, at=iso(NOW), rep="alice")
    return lead


def _send(store: Store, relay: Server, lead: int, name: str) -> Any:
    settings = Settings(timezone=ZONE, smtp=SmtpSettings("127.0.0.1", relay.port, "none"))
    return send_template(store, settings, lead_id=lead, template_name=name, rep="alice", now=NOW)


@pytest.mark.parametrize("name", ["day-7", "any-step"])
def test_the_email_of_the_pending_task_completes_it(
    store: Store,
    make_lead: LeadMaker,
    relay: Server,
    calls: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    use_render(monkeypatch, stand_in=True)
    lead = _setup(store, make_lead, task=("email", 5))  # step 6 (1-based) is an email task
    sent = _send(store, relay, lead, name)
    variant = "B" if name == "day-7" else None
    assert calls == [
        {
            "lead_id": lead,
            "rep": "alice",
            "outcome": "sent",
            "now": NOW,
            "template": name,
            "variant": variant,
            "message_id": sent.message_id,
        }
    ]
    [touch] = [t for t in store.touches.touches_for_lead(lead) if t.channel is Channel.EMAIL]
    assert touch.id == sent.touch_id and touch.message_id == sent.message_id
    assert len(relay.inbox.messages) == 1


@pytest.mark.parametrize(
    ("task", "name"),
    [
        (None, "day-7"),  # no task pending
        (("linkedin", 5), "day-7"),  # the pending task is not an email
        (("email", 5), "hour-1"),  # an email of another step
    ],
)
def test_any_other_email_is_a_touch_of_its_own(
    store: Store,
    make_lead: LeadMaker,
    relay: Server,
    calls: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    task: tuple[str, int] | None,
    name: str,
) -> None:
    use_render(monkeypatch, stand_in=True)
    lead = _setup(store, make_lead, task=task)
    sent = _send(store, relay, lead, name)
    assert calls == []
    touch = store.touches.get_touch(sent.touch_id)
    assert touch is not None and (touch.channel, touch.outcome) == (Channel.EMAIL, "sent")
    assert (touch.template, touch.message_id) == (name, sent.message_id)
    assert store.leads.get_lead(lead).task_channel == (task[0] if task else None)  # type: ignore[union-attr]
