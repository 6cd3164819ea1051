"""The multi-channel cadence (issue 11): steps with a channel, tasks due instead of calls,
completing, postponing, a reply ending the sequence, the goodbye step moving the lead to
nurture, and the touch's template and variant."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from callblock.clock import FixedClock, iso
from callblock.config import ConfigError, Settings, load_settings
from callblock.domain.cadence import Cadence, ScheduleError, parse_step
from callblock.domain.models import LeadStatus, Template, TemplateChannel
from callblock.services import ServiceError, dialing, tasks
from callblock.services.cadence import ensure_due_times, refresh_due
from callblock.services.queue import next_leads_for_rep
from callblock.store import Store
from tests.conftest import NOW, ZONE

SCHEDULE = (
    "call now",
    "email +1h",
    "call +1d",
    "linkedin day 3",
    "call day 5",
    "email day 7",
    "call day 14",
    "goodbye-email day 15",
)


@pytest.fixture
def multi() -> Settings:
    return Settings(timezone=ZONE, cadence=Cadence(steps=tuple(map(parse_step, SCHEDULE))))


def dial(store: Store, settings: Settings, lead_id: int, at=NOW, code="no-answer", **kw) -> int:
    recorded = dialing.record_outcome(
        store, FixedClock(at), rep="alice", lead_id=lead_id, code=code, settings=settings, **kw
    )
    return recorded.touch_id


def lead_of(store: Store, lead_id: int):
    lead = store.leads.get_lead(lead_id)
    assert lead is not None
    return lead


# the schedule's words --------------------------------------------------------------------------
def test_steps_carry_a_channel_and_a_bare_step_is_a_call() -> None:
    steps = [parse_step(text) for text in SCHEDULE]
    assert [(s.channel, s.goodbye) for s in steps] == [
        ("call", False),
        ("email", False),
        ("call", False),
        ("linkedin", False),
        ("call", False),
        ("email", False),
        ("call", False),
        ("email", True),
    ]
    assert [(s.after_minutes, s.day) for s in steps[:4]] == [
        (0, None),
        (60, None),
        (1440, None),
        (None, 3),
    ]
    assert parse_step("day 5") == parse_step("day 5")  # today's words unchanged
    assert (parse_step("+30m").channel, parse_step("SMS +2d").channel) == ("call", "sms")
    assert Cadence(steps=tuple(map(parse_step, SCHEDULE))).calls == 4
    assert Cadence().calls == Cadence().max_attempts == 6


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("fax +1h", "unknown channel 'fax' (known: call, email, linkedin, sms)"),
        ("goodbye-call day 15", "a goodbye is a message"),
        ("goodbye day 15", "unknown channel 'goodbye'"),
        ("email", "is not a step like"),
        ("email in a week", "is not a step like"),
        ("linkedin day 0", "days count from 1"),
        ("email +99999d", "at most 3650 days"),
    ],
)
def test_a_bad_step_is_named(text: str, says: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_step(text)
    assert str(caught.value).startswith(repr(text)) and says in str(caught.value)


def test_the_config_loader_names_a_bad_step_its_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[queue]\nschedule = [\n  "call now",\n  "fax +1h",\n]\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, required=True, machine_zone="UTC")
    message = str(caught.value)
    assert "queue.schedule" in message and "line 2" in message and "'fax +1h'" in message
    path.write_text('[queue]\nschedule = ["now", "email +1h", "goodbye-email day 3"]\n')
    steps = load_settings(path, required=True, machine_zone="UTC").cadence.steps
    assert [s.text for s in steps] == ["now", "email +1h", "goodbye-email day 3"]


# call steps feed the queue, the others become tasks ---------------------------------------------
def test_a_due_email_step_is_a_task_and_leaves_the_queue_alone(
    store: Store, make_lead, multi: Settings
) -> None:
    lead_id = make_lead(settings=multi)
    assert lead_of(store, lead_id).next_due_at == NOW  # step 1 is a call, due at once
    dial(store, multi, lead_id)
    lead = lead_of(store, lead_id)
    assert (lead.attempts, lead.steps_done, lead.next_due_at) == (1, 1, None)
    assert (lead.task_step, lead.task_channel, lead.task_due_at) == (
        1,
        "email",
        NOW + timedelta(hours=1),
    )
    later = NOW + timedelta(hours=2)
    assert lead_id not in [
        i.lead.id for i in next_leads_for_rep(store, multi, rep="alice", now=later)
    ]
    [task] = tasks.due_tasks(store, multi, "alice", later)
    assert (task.lead.id, task.channel, task.step, task.due, task.goodbye, task.template) == (
        lead_id,
        "email",
        2,
        NOW + timedelta(hours=1),
        False,
        None,
    )
    assert tasks.due_tasks(store, multi, "alice", NOW + timedelta(minutes=59)) == []


def test_completing_a_task_advances_the_cadence_to_the_next_call(
    store: Store, make_lead, multi: Settings
) -> None:
    lead_id = make_lead(settings=multi)
    dial(store, multi, lead_id)
    sent_at = NOW + timedelta(hours=2)
    touch_id = tasks.complete_task(
        store,
        multi,
        lead_id=lead_id,
        rep="alice",
        outcome="sent",
        now=sent_at,
        template="follow-up-1",
        variant="B",
        message_id="<m1@x>",
    )
    touch = store.touches.get_touch(touch_id)
    assert touch is not None
    assert (touch.channel, touch.outcome, touch.template, touch.variant, touch.message_id) == (
        "email",
        "sent",
        "follow-up-1",
        "B",
        "<m1@x>",
    )
    lead = lead_of(store, lead_id)
    assert (lead.attempts, lead.steps_done, lead.task_step, lead.task_due_at) == (1, 2, None, None)
    assert lead.next_due_at == sent_at + timedelta(days=1)  # "call +1d" after the email
    with pytest.raises(ServiceError, match=f"lead {lead_id} has no task to do"):
        tasks.complete_task(store, multi, lead_id=lead_id, rep="alice", outcome="done", now=sent_at)
    with pytest.raises(ServiceError, match="does not complete a task"):
        tasks.complete_task(
            store, multi, lead_id=lead_id, rep="alice", outcome="replied", now=sent_at
        )


def test_a_schedule_may_start_with_a_task(store: Store, make_lead) -> None:
    settings = Settings(
        timezone=ZONE, cadence=Cadence(steps=(parse_step("email now"), parse_step("call +1d")))
    )
    lead_id = make_lead(settings=settings)
    lead = lead_of(store, lead_id)
    assert (lead.next_due_at, lead.task_step, lead.task_channel, lead.task_due_at) == (
        None,
        0,
        "email",
        NOW,
    )
    tasks.complete_task(store, settings, lead_id=lead_id, rep="alice", outcome="done", now=NOW)
    lead = lead_of(store, lead_id)
    assert (lead.status, lead.steps_done, lead.next_due_at) == (
        LeadStatus.WORKING,
        1,
        NOW + timedelta(days=1),
    )


def test_tasks_are_the_reps_own_or_the_pools_longest_waiting_first(
    store: Store, make_lead, multi: Settings
) -> None:
    mine = make_lead(settings=multi, owner="alice")
    pool = make_lead(settings=multi)
    bobs = make_lead(settings=multi, owner="bob")
    dial(store, multi, pool, at=NOW)
    dial(store, multi, mine, at=NOW + timedelta(minutes=5))
    dial(store, multi, bobs, at=NOW)
    later = NOW + timedelta(hours=3)
    assert [t.lead.id for t in tasks.due_tasks(store, multi, "alice", later)] == [pool, mine]
    assert [t.lead.id for t in tasks.due_tasks(store, multi, "alice", later, limit=1)] == [pool]
    assert [t.lead.id for t in tasks.due_tasks(store, multi, "bob", later)] == [pool, bobs]
    store.leads.set_lead_state(pool, "do-not-call", False)
    refresh_due(store, multi, multi.weights, [pool])
    assert [t.lead.id for t in tasks.due_tasks(store, multi, "alice", later)] == [mine]


def test_a_task_gets_the_leads_variant_evenly_and_stably(
    store: Store, make_lead, multi: Settings
) -> None:
    store.templates.save_templates(
        [
            Template("f1-a", TemplateChannel.EMAIL, "Hi A", step=2, variant="A", subject="a"),
            Template("f1-b", TemplateChannel.EMAIL, "Hi B", step=2, variant="B", subject="b"),
            Template("note", TemplateChannel.LINKEDIN, "Hi", step=None),
        ],
        at=iso(NOW),
        rep="lead",
    )
    ids = [make_lead(settings=multi) for _ in range(4)]
    for lead_id in ids:
        dial(store, multi, lead_id)
    later = NOW + timedelta(hours=3)
    first = {
        t.lead.id: t.template.name
        for t in tasks.due_tasks(store, multi, "alice", later)
        if t.template
    }
    again = {
        t.lead.id: t.template.name
        for t in tasks.due_tasks(store, multi, "alice", later)
        if t.template
    }
    assert first == again and sorted(first.values()) == ["f1-a", "f1-a", "f1-b", "f1-b"]
    lead = lead_of(store, ids[0])
    assert tasks.step_template(store, lead, "linkedin", 4).name == "note"  # no step: any step
    assert tasks.step_template(store, lead, "sms", 4) is None


def test_a_postponed_task_keeps_its_time_until_its_step_is_done(
    store: Store, make_lead, multi: Settings
) -> None:
    lead_id = make_lead(settings=multi)
    dial(store, multi, lead_id)
    until = NOW + timedelta(days=1)
    tasks.postpone_task(store, multi, lead_id=lead_id, until=until)
    assert lead_of(store, lead_id).task_due_at == until
    store.admin.set_meta(
        "cadence", "changed"
    )  # the config changed: every due time is computed again
    assert ensure_due_times(store, multi, multi.weights)
    assert lead_of(store, lead_id).task_due_at == until
    assert tasks.due_tasks(store, multi, "alice", NOW + timedelta(hours=3)) == []
    with pytest.raises(ServiceError, match="not after the task's due time"):
        tasks.postpone_task(store, multi, lead_id=lead_id, until=NOW)
    tasks.complete_task(store, multi, lead_id=lead_id, rep="alice", outcome="skipped", now=until)
    assert lead_of(store, lead_id).task_due_at is None
    with pytest.raises(ServiceError, match="no task to postpone"):
        tasks.postpone_task(store, multi, lead_id=lead_id, until=until + timedelta(days=1))


# the end of the sequence -----------------------------------------------------------------------
def walk(store: Store, settings: Settings, lead_id: int, steps: int) -> None:
    """Do the lead's next `steps` steps, each when it is due (calls as no-answers)."""
    for _ in range(steps):
        lead = lead_of(store, lead_id)
        if lead.task_step is not None:
            assert lead.task_due_at is not None
            tasks.complete_task(
                store, settings, lead_id=lead_id, rep="alice", outcome="sent", now=lead.task_due_at
            )
        else:
            assert lead.next_due_at is not None
            dial(store, settings, lead_id, at=lead.next_due_at + timedelta(hours=15))


def test_after_the_goodbye_message_the_lead_moves_to_nurture(
    store: Store, make_lead, multi: Settings
) -> None:
    lead_id = make_lead(settings=multi)
    walk(store, multi, lead_id, 7)
    lead = lead_of(store, lead_id)
    assert (lead.status, lead.steps_done, lead.attempts, lead.task_channel) == (
        LeadStatus.WORKING,
        7,
        4,
        "email",
    )
    [task] = tasks.due_tasks(store, multi, "alice", lead.task_due_at)
    assert (task.step, task.goodbye) == (8, True)
    walk(store, multi, lead_id, 1)
    lead = lead_of(store, lead_id)
    assert (lead.status, lead.steps_done, lead.task_step) == (LeadStatus.NURTURE, 8, None)
    assert lead.next_due_at == lead.last_touch_at + multi.cadence.nurture_every
    assert store.touches.open_promises(lead_id) == []  # the goodbye was the message itself


def test_a_schedule_ending_on_another_task_leaves_a_goodbye_task(store: Store, make_lead) -> None:
    settings = Settings(
        timezone=ZONE, cadence=Cadence(steps=(parse_step("now"), parse_step("sms +1d")))
    )
    lead_id = make_lead(settings=settings)
    walk(store, settings, lead_id, 2)
    assert lead_of(store, lead_id).status is LeadStatus.NURTURE
    assert [p.kind for p in store.touches.open_promises(lead_id)] == ["goodbye"]


def test_a_reply_ends_the_sequence_and_tops_the_owners_queue(
    store: Store, make_lead, multi: Settings
) -> None:
    lead_id = make_lead(settings=multi, owner="bob")
    other = make_lead(settings=multi, owner="bob", temperature="hot")
    dial(store, multi, lead_id)
    sent_at = NOW + timedelta(hours=1)
    tasks.complete_task(
        store,
        multi,
        lead_id=lead_id,
        rep="bob",
        outcome="sent",
        now=sent_at,
        template="follow-up-1",
        variant="A",
    )
    replied_at = sent_at + timedelta(minutes=40)
    reply = tasks.record_channel_touch(
        store,
        multi,
        lead_id=lead_id,
        rep="alice",
        channel="email",
        outcome="replied",
        now=replied_at,
    )
    touch = store.touches.get_touch(reply.touch_id)
    assert touch is not None
    assert (touch.outcome, touch.template, touch.variant) == ("replied", "follow-up-1", "A")
    assert reply.callback_at == replied_at
    [promise] = store.touches.open_promises(lead_id)
    assert (promise.kind, promise.rep, promise.due_at) == ("callback", "bob", replied_at)
    lead = lead_of(store, lead_id)
    assert (lead.next_due_at, lead.task_step, lead.task_due_at) == (None, None, None)
    queue = next_leads_for_rep(store, multi, rep="bob", now=replied_at + timedelta(minutes=1))
    assert queue[0].lead.id == lead_id and other in [i.lead.id for i in queue]
    # The sequence stays over: a recount of every due time brings back no task, no call.
    store.admin.set_meta("cadence", "changed")
    ensure_due_times(store, multi, multi.weights)
    lead = lead_of(store, lead_id)
    assert (lead.next_due_at, lead.task_step) == (None, None)
    assert tasks.due_tasks(store, multi, "bob", NOW + timedelta(days=30)) == []


def test_a_reply_outside_the_calling_hours_calls_back_when_they_open(
    store: Store, make_lead, multi: Settings
) -> None:
    lead_id = make_lead(settings=multi)
    night = NOW.replace(hour=4)  # 23:00 in New York the day before
    reply = tasks.record_reply(
        store, multi, lead_id=lead_id, rep="alice", channel="linkedin", now=night
    )
    assert reply.callback_at is not None and reply.callback_at.astimezone().hour != night.hour
    assert iso(reply.callback_at) == "2026-11-23T13:00:00+00:00"  # 08:00 in New York
    touch = store.touches.get_touch(reply.touch_id)
    assert touch is not None and (touch.channel, touch.template) == ("linkedin", None)
    dnc = make_lead(settings=multi)
    store.leads.set_lead_state(dnc, "do-not-call", False)
    reply = tasks.record_reply(store, multi, lead_id=dnc, rep="alice", channel="email", now=NOW)
    assert reply.callback_at is None and store.touches.open_promises(dnc) == []


def test_bounces_and_messages_off_the_schedule_do_not_advance_it(
    store: Store, make_lead, multi: Settings
) -> None:
    lead_id = make_lead(settings=multi)
    dial(store, multi, lead_id)
    later = NOW + timedelta(hours=2)
    bounce = tasks.record_channel_touch(
        store, multi, lead_id=lead_id, rep="alice", channel="email", outcome="bounced", now=later
    )
    off = tasks.record_channel_touch(
        store, multi, lead_id=lead_id, rep="alice", channel="sms", outcome="sent", now=later
    )
    assert (bounce.completed_step, off.completed_step) == (None, None)
    lead = lead_of(store, lead_id)
    assert (lead.steps_done, lead.task_step, lead.task_channel) == (1, 1, "email")
    done = tasks.record_channel_touch(
        store, multi, lead_id=lead_id, rep="alice", channel="email", outcome="sent", now=later
    )
    assert done.completed_step == 2 and lead_of(store, lead_id).steps_done == 2
    with pytest.raises(ServiceError, match="'no-answer' is not an outcome on email"):
        tasks.record_channel_touch(
            store,
            multi,
            lead_id=lead_id,
            rep="alice",
            channel="email",
            outcome="no-answer",
            now=later,
        )


def test_dials_count_as_steps_and_undo_takes_the_step_back(
    store: Store, make_lead, multi: Settings
) -> None:
    from callblock.services.sessions import start_session

    lead_id = make_lead(settings=multi)
    session = start_session(store, FixedClock(NOW), rep="alice", block_name="b", target=10)
    dial(store, multi, lead_id, session_id=session.id, template="call-script", variant="A")
    [touch] = store.touches.touches_for_lead(lead_id)
    assert (touch.template, touch.variant) == ("call-script", "A")
    assert lead_of(store, lead_id).task_channel == "email"
    dialing.undo_last(store, FixedClock(NOW), rep="alice", session_id=session.id, settings=multi)
    lead = lead_of(store, lead_id)
    assert (lead.steps_done, lead.task_step, lead.next_due_at) == (0, None, NOW)


def test_a_call_only_schedule_works_as_before(store: Store, make_lead) -> None:
    settings = Settings(timezone=ZONE)
    lead_id = make_lead()
    at = NOW
    for _ in range(settings.max_attempts):
        lead = lead_of(store, lead_id)
        assert lead.task_step is None and lead.next_due_at is not None
        at = max(at, lead.next_due_at) + timedelta(hours=1)
        dial(store, settings, lead_id, at=at)
    lead = lead_of(store, lead_id)
    assert (lead.status, lead.attempts, lead.steps_done) == (LeadStatus.NURTURE, 6, 6)
    assert [p.kind for p in store.touches.open_promises(lead_id)] == ["goodbye"]
    assert replace(settings.cadence).calls == 6


# the command line ------------------------------------------------------------------------------
def cli(capsys, tmp_path: Path, now: str, *args: str) -> tuple[int, str, str]:
    from callblock.cli import main

    config = tmp_path / "config.toml"
    if not config.exists():
        config.write_text(
            f'timezone = "{ZONE}"\n[queue]\nschedule = {list(SCHEDULE)!r}\n'.replace("'", '"')
        )
    argv = ["--db", str(tmp_path / "cb.db"), "--config", str(config), "--rep", "alice"]
    code = main([*argv, "--now", now, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_tasks_log_channel_and_history_on_the_command_line(capsys, tmp_path: Path) -> None:
    import json

    at = "2026-11-23T19:00:00Z"
    code, out, err = cli(
        capsys,
        tmp_path,
        at,
        "add",
        "--name",
        "Jim Brodo",
        "--company",
        "Brodo Inc",
        "--phone",
        "(212) 555-0143",
        "--json",
    )
    assert code == 0, err
    lead_id = json.loads(out)["lead_id"]
    assert (
        cli(capsys, tmp_path, at, "log", "--lead", str(lead_id), "--outcome", "voicemail")[0] == 0
    )
    code, out, _ = cli(capsys, tmp_path, at, "tasks", "--json")
    assert (code, json.loads(out)) == (0, [])
    later = "2026-11-23T20:30:00Z"
    code, out, _ = cli(capsys, tmp_path, later, "tasks", "--json")
    assert code == 0
    assert json.loads(out) == [
        {
            "lead_id": lead_id,
            "name": "Jim Brodo",
            "channel": "email",
            "step": 2,
            "due": "2026-11-23T20:00:00+00:00",
            "template": None,
            "goodbye": False,
        }
    ]
    code, out, _ = cli(capsys, tmp_path, later, "tasks")
    assert code == 0 and "Jim Brodo" in out and "email" in out and "2026-11-23 15:00" in out
    code, _, err = cli(
        capsys,
        tmp_path,
        later,
        "log",
        "--lead",
        str(lead_id),
        "--channel",
        "email",
        "--outcome",
        "no-answer",
    )
    assert code == 1 and "'no-answer' is not an outcome on email" in err
    with pytest.raises(SystemExit) as exited:
        cli(capsys, tmp_path, later, "log", "--lead", "1", "--channel", "fax", "--outcome", "sent")
    assert exited.value.code == 2 and "--channel" in capsys.readouterr().err
    code, _, err = cli(
        capsys,
        tmp_path,
        later,
        "log",
        "--lead",
        str(lead_id),
        "--channel",
        "email",
        "--outcome",
        "sent",
        "--when",
        "tomorrow",
    )
    assert code == 1 and "takes no time" in err
    code, out, err = cli(
        capsys,
        tmp_path,
        later,
        "log",
        "--lead",
        str(lead_id),
        "--channel",
        "email",
        "--outcome",
        "sent",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["step"] == 2
    code, out, _ = cli(
        capsys,
        tmp_path,
        "2026-11-23T21:00:00Z",
        "log",
        "--lead",
        str(lead_id),
        "--channel",
        "email",
        "--outcome",
        "replied",
    )
    assert code == 0 and "sequence ended, callback due 2026-11-23 16:00" in out
    code, out, _ = cli(
        capsys, tmp_path, "2026-11-23T21:00:00Z", "history", "--lead", str(lead_id), "--json"
    )
    assert [(r["channel"], r["outcome"], r["template"], r["variant"]) for r in json.loads(out)] == [
        ("email", "replied", None, None),
        ("email", "sent", None, None),
        ("call", "voicemail", None, None),
    ]
    code, out, _ = cli(capsys, tmp_path, "2026-11-23T21:00:00Z", "queue", "--json")
    assert [r["lead_id"] for r in json.loads(out)][:1] == [lead_id]
    assert json.loads(out)[0]["tier"] == "promise"


# the demo's schedule, hostile text -------------------------------------------------------------
def test_the_demo_runs_the_multi_channel_schedule_with_tasks_due(capsys, tmp_path: Path) -> None:
    import json

    from callblock.cli import main
    from callblock.services.cadence import DEMO_SCHEDULE, SCHEDULE_KEY, with_database_schedule

    db = tmp_path / "demo.db"
    assert main(["--db", str(db), "--now", "2026-11-23T19:00:00Z", "demo", "--leads", "60"]) == 0
    capsys.readouterr()
    code = main(
        ["--db", str(db), "--rep", "alice", "--now", "2026-11-23T19:00:00Z", "tasks", "--json"]
    )
    due = json.loads(capsys.readouterr().out)
    assert code == 0 and {t["channel"] for t in due} == {"email", "linkedin"}
    store = Store.open(db)
    try:
        settings = with_database_schedule(store, Settings())
        assert [s.text for s in settings.cadence.steps] == list(DEMO_SCHEDULE)
        kinds = {
            (t.channel, t.outcome)
            for lead in range(1, 61)
            for t in store.touches.touches_for_lead(lead)
        }
        assert {("email", "sent"), ("linkedin", "sent"), ("call", "no-answer")} <= kinds
        linkedin = next(t["lead_id"] for t in due if t["channel"] == "linkedin")
        lead = store.leads.get_lead(linkedin)
        assert lead is not None and (lead.steps_done, lead.attempts) == (3, 2)  # call email call
        # A config file's own schedule wins over the database's.
        own = Settings(cadence=Cadence(steps=(parse_step("now"), parse_step("+1d"))))
        assert with_database_schedule(store, own) is own
        store.admin.set_meta(SCHEDULE_KEY, '["now", "fax +1h"]')
        with pytest.raises(ServiceError, match="the database's own schedule: 'fax \\+1h'"):
            with_database_schedule(store, Settings())
    finally:
        store.close()


def test_tasks_and_history_print_hostile_text_clean(
    capsys, tmp_path: Path, multi: Settings
) -> None:
    import json

    from callblock.cli import main
    from callblock.services.cadence import DEMO_SCHEDULE, SCHEDULE_KEY
    from callblock.services.leads import add_lead
    from tests.hostile import HOSTILE, assert_clean_bytes

    db = tmp_path / "cb.db"
    store = Store.open(db)
    try:
        store.admin.set_meta(SCHEDULE_KEY, json.dumps(DEMO_SCHEDULE))
        ids = []
        for n, value in enumerate(HOSTILE):
            lead_id = add_lead(
                store,
                FixedClock(NOW - timedelta(hours=3)),
                name=f"L{n}",
                company="Co",
                phone=f"+1 212 555 {n:04d}",
                tz=ZONE,
                settings=multi,
            )
            dial(store, multi, lead_id, at=NOW - timedelta(hours=2))
            store.conn.execute("UPDATE leads SET name = ? WHERE id = ?", (f"N{value}", lead_id))
            store.conn.execute(
                "UPDATE touches SET template = ?, variant = ? WHERE lead_id = ?",
                (f"T{value}", f"V{value}", lead_id),
            )
            ids.append(lead_id)
        store.conn.execute(
            "INSERT INTO templates (name, channel, step, body, updated_at) VALUES (?, ?, ?, ?, ?)",
            (f"X{HOSTILE[0]}", "email", 2, "Hi", iso(NOW)),
        )
        store.conn.commit()
    finally:
        store.close()
    base = ["--db", str(db), "--rep", "alice", "--now", iso(NOW)]
    for args in (
        ["tasks"],
        ["tasks", "--json"],
        ["history", "--lead", str(ids[0])],
        ["history", "--lead", str(ids[-1]), "--json"],
    ):
        assert main([*base, *args]) == 0
        out, err = capsys.readouterr()
        assert_clean_bytes(out.encode(), f"stdout of {args}")
        assert_clean_bytes(err.encode(), f"stderr of {args}")
    assert main([*base, "tasks", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in listed] == [f"N{value}" for value in HOSTILE]  # exact in JSON
    assert {t["template"] for t in listed} == {f"X{HOSTILE[0]}"}


def test_imported_leads_get_a_first_task_when_the_schedule_starts_with_one(
    store: Store, clock: FixedClock, tmp_path: Path
) -> None:
    from callblock.services.importer import ImportOptions, import_csv

    settings = Settings(
        timezone=ZONE, cadence=Cadence(steps=(parse_step("email now"), parse_step("call +1d")))
    )
    rows = ["Name,Company,Phone"] + [f"P{n},Co{n},+1 212 555 {n:04d}" for n in range(3)]
    path = tmp_path / "leads.csv"
    path.write_text("\n".join(rows) + "\n")
    report = import_csv(store, clock, path, ImportOptions(settings=settings))
    assert len(report.lead_ids) == 3
    assert [t.lead.id for t in tasks.due_tasks(store, settings, "alice", NOW)] == report.lead_ids
    assert all(lead_of(store, i).next_due_at is None for i in report.lead_ids)
