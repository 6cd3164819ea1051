"""The screens of issue 11 at 80x24, pressing the real keys: the Templates screen (T on the week
screen), the power hour's script pane (k), and the Tasks screen (t)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Input, TextArea

from callblock.app import CallblockApp, create_app
from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.config.smtp import SmtpSettings
from callblock.domain.cadence import Cadence, parse_step
from callblock.domain.models import Channel, Template, TemplateChannel
from callblock.domain.reps import Rep
from callblock.screens.power_hour import PowerHourScreen
from callblock.screens.prompts import ConfirmScreen, WhenScreen
from callblock.screens.tasks import TasksScreen
from callblock.screens.templates import TemplatesScreen
from callblock.screens.week import WeekScreen
from callblock.services.templates import save_template
from callblock.store import DatabaseBusy, Store
from callblock.widgets.notes import NotesPane
from callblock.widgets.script import ScriptPane
from tests.channel_helpers import home_app, settle
from tests.conftest import NOW, LeadMaker
from tests.mail_helpers import make_certificate, run_server
from tests.power_hour_helpers import SIZE, WHEN_UTC
from tests.screen_text import screen_text, widget_text

CALL_SCRIPT = Template(
    name="opener",
    channel=TemplateChannel.CALL_SCRIPT,
    step=1,
    body="Hi {{ first_name }}, this is {{ rep.name }}. You asked about {{ interest }}.",
)
VOICEMAIL = Template(
    name="vm-1",
    channel=TemplateChannel.VOICEMAIL,
    step=1,
    body=(
        "Hi {{ first_name | default('there') }}, {{ rep.name }} here about {{ company }}. "
        "Call me back on {{ rep.phone | default('the number on your caller ID') }}."
    ),
)


async def test_a_team_lead_writes_a_template_and_a_broken_one_is_refused_naming_the_line(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, WeekScreen)
        await pilot.press("T")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)
        assert "0 templates" in screen_text(app)
        await pilot.press("ctrl+n")
        await pilot.press(*"follow-up-1", "tab", "tab", "2", "tab", "a")  # channel: email
        app.screen.query_one("#template-subject", Input).value = "About {{ interest }}"
        body = app.screen.query_one(TextArea)
        body.load_text("Hi {{ first_name }},\nthanks for {{ intrest }}.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        shown = screen_text(app)
        assert "not saved" in shown and "intrest" in shown and "line 2" in shown
        assert store.templates.templates() == []  # nothing saved
        body.load_text("Hi {{ first_name }},\nthanks for {{ interest }}.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        [saved] = store.templates.templates()
        assert (saved.name, saved.channel, saved.step, saved.variant) == (
            "follow-up-1",
            TemplateChannel.EMAIL,
            2,
            "A",
        )
        assert saved.subject == "About {{ interest }}"
        assert "✓ saved follow-up-1" in screen_text(app)
        assert "follow-up-1" in screen_text(app)  # listed
        await pilot.press("escape")  # from the body editor: Esc leaves the screen
        await settle(app, pilot)
        assert isinstance(app.screen, WeekScreen)


async def test_a_rep_on_a_team_database_reads_templates_but_cannot_save(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    save_template(store, CALL_SCRIPT, rep="lead", now=NOW)
    app = home_app(store, clock, settings)
    app = CallblockApp(replace(app.context, role="rep"), start="home")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)
        shown = screen_text(app)
        assert "read only" in shown and "opener" in shown
        assert "ctrl+s" not in widget_text(app, app.screen.query_one("#key-bar"))
        app.screen.query_one(TextArea).load_text("changed {{ nope }}")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        kept = store.templates.template("opener")
        assert kept is not None and kept.body == CALL_SCRIPT.body


async def test_k_shows_the_call_and_voicemail_scripts_for_the_lead_and_k_again_the_notes(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    save_template(store, CALL_SCRIPT, rep="lead", now=NOW)
    save_template(store, VOICEMAIL, rep="lead", now=NOW)
    make_lead(name="Jim Brodo", company="Brodo Inc", interest="the pricing guide", notes="N1")
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, PowerHourScreen)
        notes, pane = app.screen.query_one(NotesPane), app.screen.query_one(ScriptPane)
        assert notes.display and not pane.display
        await pilot.press("k")
        await settle(app, pilot)
        assert pane.display and not notes.display
        shown = " ".join(widget_text(app, pane).split())  # as one line, however it wraps
        assert "Call script · opener" in shown
        assert "Hi Jim, this is alice." in shown
        assert "You asked about the pricing guide." in shown
        assert "Voicemail · vm-1" in shown
        await pilot.press("k")
        await settle(app, pilot)
        assert notes.display and not pane.display
        assert "N1" in widget_text(app, notes)


async def test_a_script_the_lead_cannot_fill_names_the_missing_field_never_a_half_message(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    save_template(store, CALL_SCRIPT, rep="lead", now=NOW)
    lead_id = make_lead(name="Jim Brodo", company="Brodo Inc")  # no interest
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("k")
        await settle(app, pilot)
        shown = widget_text(app, app.screen.query_one(ScriptPane))
        assert f"lead {lead_id} has no interest" in shown
        assert "{{" not in shown and "You asked about" not in shown
        assert "Voicemail: none for this step" in shown


async def test_the_script_stays_shown_for_the_next_lead_and_the_touch_records_its_template(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    save_template(store, CALL_SCRIPT, rep="lead", now=NOW)
    save_template(store, VOICEMAIL, rep="lead", now=NOW)
    make_lead(name="Jim Brodo", company="Brodo Inc", interest="pricing")
    make_lead(name="Ann Lee", company="Lee Co", interest="the demo")
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("k")
        await settle(app, pilot)
        shown_first = widget_text(app, app.screen.query_one(ScriptPane))
        first = app.screen.current.lead.id
        await pilot.press("v")  # left a voicemail, reading the voicemail script
        await settle(app, pilot)
        shown_next = widget_text(app, app.screen.query_one(ScriptPane))
        assert shown_next != shown_first and app.screen.query_one(ScriptPane).display
        [touch] = store.touches.touches_for_lead(first)
        assert (touch.template, touch.variant) == ("vm-1", None)


# The Tasks screen ----------------------------------------------------------------------------
EMAIL = Template(
    name="hello-email",
    channel=TemplateChannel.EMAIL,
    step=1,
    subject="About {{ interest }}",
    body="Hi {{ first_name }},\nthanks for asking about {{ interest }}.\n{{ rep.name }}",
)
LINKEDIN = Template(
    name="connect",
    channel=TemplateChannel.LINKEDIN,
    step=2,
    body="Hi {{ first_name }}, glad to connect about {{ company }}.",
)


def task_settings(settings: Settings, **changes: object) -> Settings:
    steps = tuple(map(parse_step, ("email now", "linkedin +1d", "call +2d")))
    return replace(settings, cadence=Cadence(steps=steps), **changes)  # type: ignore[arg-type]


async def open_tasks(app: CallblockApp, pilot) -> TasksScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    assert isinstance(app.screen, WeekScreen)
    due = " ".join(widget_text(app, app.screen.query_one("#due-today")).split())
    assert "1 task (t)" in due, due
    await pilot.press("t")
    await settle(app, pilot)
    assert isinstance(app.screen, TasksScreen)
    return app.screen


async def test_a_due_email_shows_rendered_copies_and_is_marked_done(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    settings = task_settings(settings)
    save_template(store, EMAIL, rep="lead", now=NOW)
    lead_id = make_lead(
        name="Jim Brodo", email="jim@example.org", interest="pricing", settings=settings
    )
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(app, pilot)
        shown = screen_text(app)
        assert "Task 1 of 1" in shown and "EMAIL" in shown and "step 1" in shown
        assert "Subject: About pricing" in shown
        assert "Hi Jim," in shown and "thanks for asking about pricing." in shown
        assert "template hello-email" in shown and "jim@example.org" in shown
        await pilot.press("y")
        await settle(app, pilot)
        assert app.clipboard == "About pricing\n\nHi Jim,\nthanks for asking about pricing.\nalice"
        assert "copied to your clipboard" in screen_text(app)
        await pilot.press("d")
        await settle(app, pilot)
        [touch] = store.touches.touches_for_lead(lead_id)
        assert (touch.channel, touch.outcome, touch.template) == (
            Channel.EMAIL,
            "done",
            "hello-email",
        )
        lead = store.leads.get_lead(lead_id)
        assert lead is not None and lead.steps_done == 1 and lead.task_channel == "linkedin"
        assert screen.tasks == []  # the LinkedIn step is due tomorrow
        assert "No tasks due" in screen_text(app)


async def test_a_task_that_cannot_be_rendered_names_the_problem_and_cannot_be_copied(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    settings = task_settings(settings)
    save_template(store, EMAIL, rep="lead", now=NOW)
    lead_id = make_lead(name="Jim Brodo", email="jim@example.org", settings=settings)
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        shown = screen_text(app)
        assert "Not ready to send" in shown and f"lead {lead_id} has no interest" in shown
        assert "{{" not in shown
        await pilot.press("y", "s")
        await settle(app, pilot)
        assert app.clipboard == "" and store.touches.touches_for_lead(lead_id) == []
        await pilot.press("x")  # skip the step
        await settle(app, pilot)
        [touch] = store.touches.touches_for_lead(lead_id)
        assert (touch.channel, touch.outcome) == (Channel.EMAIL, "skipped")


async def test_a_linkedin_note_is_copied_with_the_profile_link_and_can_be_postponed(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    steps = tuple(map(parse_step, ("linkedin now", "call +2d")))
    settings = replace(settings, cadence=Cadence(steps=steps))
    save_template(store, replace(LINKEDIN, step=1), rep="lead", now=NOW)
    link = "https://www.linkedin.com/in/jim-brodo"
    lead_id = make_lead(name="Jim Brodo", company="Brodo Inc", settings=settings)
    store.leads.update_lead_fields(lead_id, {"links": [link]})
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        assert link in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.clipboard == "Hi Jim, glad to connect about Brodo Inc."
        assert f"paste it at {link}" in " ".join(screen_text(app).split())
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, WhenScreen)
        await pilot.press(*"tomorrow 10:30", "enter")
        await settle(app, pilot)
        lead = store.leads.get_lead(lead_id)
        assert lead is not None and lead.task_due_at == WHEN_UTC
        assert store.touches.touches_for_lead(lead_id) == []  # postponing records no touch
        assert "No tasks due" in screen_text(app)


async def test_s_sends_the_email_through_smtp_after_its_warning_is_confirmed(
    store: Store,
    clock: FixedClock,
    settings: Settings,
    make_lead: LeadMaker,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    cert, key = make_certificate(tmp_path_factory.mktemp("tls"))
    server = run_server("none", cert, key, login=False)
    relay = next(server)
    try:
        settings = task_settings(settings, smtp=SmtpSettings("127.0.0.1", relay.port, "none"))
        store.admin.save_rep(Rep("alice", "lead", None, "alice@example.com"), iso(NOW))
        save_template(store, EMAIL, rep="lead", now=NOW)
        lead_id = make_lead(
            name="JIM Brodo", email="jim@example.org", interest="pricing", settings=settings
        )
        app = home_app(store, clock, settings)
        async with app.run_test(size=SIZE) as pilot:
            await open_tasks(app, pilot)
            assert "all capitals" in screen_text(app)  # the warning is shown
            await pilot.press("s")
            await settle(app, pilot)
            assert isinstance(app.screen, ConfirmScreen)  # the rep confirms the warning
            await pilot.press("y")
            await settle(app, pilot)
            assert "✓ sent to JIM Brodo <jim@example.org>" in screen_text(app)
        [message] = relay.inbox.messages
        assert message.rcpt_tos == ["jim@example.org"]
        assert b"Hi JIM," in message.data
        [touch] = store.touches.touches_for_lead(lead_id)
        assert (touch.channel, touch.outcome, touch.template) == (
            Channel.EMAIL,
            "sent",
            "hello-email",
        )
        assert touch.message_id and touch.message_id.encode() in message.data
    finally:
        next(server, None)


async def test_a_send_that_fails_unexpectedly_says_so_and_leaves_the_keys_working(
    store: Store,
    clock: FixedClock,
    settings: Settings,
    make_lead: LeadMaker,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The send worker caught only ServiceError and StoreFault: anything else (smtplib's
    UnicodeEncodeError, an OSError from ssl, a bug) ended the worker silently, the screen said
    "sending…" for ever and d, x and p stayed off."""
    import callblock.services.mail as mail

    def broken(*args: object, **kwargs: object) -> None:
        raise UnicodeEncodeError("ascii", "é", 0, 1, "ordinal not in range(128)")

    monkeypatch.setattr(mail, "send_template", broken)
    log = tmp_path_factory.mktemp("crash") / "crash.log"
    monkeypatch.setattr("callblock.crash.crash_log_path", lambda: log)
    settings = task_settings(settings, smtp=SmtpSettings("127.0.0.1", 25, "none"))
    save_template(store, EMAIL, rep="lead", now=NOW)
    lead_id = make_lead(
        name="Jim Brodo", email="jim@example.org", interest="pricing", settings=settings
    )
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tasks(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        shown = " ".join(screen_text(app).split())
        assert "Not sent: internal error (UnicodeEncodeError" in shown, shown
        assert "sending to" not in shown and not screen.sending
        assert "UnicodeEncodeError" in log.read_text()  # the details for the team lead
        await pilot.press("d")  # the task can still be done by hand
        await settle(app, pilot)
        [touch] = store.touches.touches_for_lead(lead_id)
        assert (touch.channel, touch.outcome) == (Channel.EMAIL, "done")


def busy(*args: object, **kwargs: object) -> None:
    raise DatabaseBusy("the database x.db is busy: another process has held its write lock")


async def test_a_busy_database_while_k_shows_the_script_says_so_and_the_app_stays(
    store: Store,
    clock: FixedClock,
    settings: Settings,
    make_lead: LeadMaker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Giving a lead its A/B variant is a write: with another process on the write lock (an
    import) the power hour froze for the busy timeout, then the whole app ended on k."""
    save_template(store, replace(CALL_SCRIPT, name="opener-a", variant="A"), rep="lead", now=NOW)
    save_template(store, replace(CALL_SCRIPT, name="opener-b", variant="B"), rep="lead", now=NOW)
    make_lead(name="Jim Brodo", company="Brodo Inc", interest="the pricing guide")
    app = create_app(settings=settings, store=store, clock=clock, rep="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr("callblock.services.scripts.step_template", busy)
        await pilot.press("k")
        await settle(app, pilot)
        assert isinstance(app.screen, PowerHourScreen) and app.is_running
        shown = " ".join(widget_text(app, app.screen.query_one(ScriptPane)).split())
        assert "Call script: the database x.db is busy" in shown, shown
        assert "(k twice tries again)" in shown
        monkeypatch.undo()
        await pilot.press("k", "k")
        await settle(app, pilot)
        shown = " ".join(widget_text(app, app.screen.query_one(ScriptPane)).split())
        assert "Hi Jim, this is alice." in shown


async def test_a_busy_database_when_the_tasks_open_says_so_and_the_app_stays(
    store: Store,
    clock: FixedClock,
    settings: Settings,
    make_lead: LeadMaker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = task_settings(settings)
    save_template(store, replace(EMAIL, variant="A"), rep="lead", now=NOW)
    save_template(store, replace(EMAIL, name="hello-email-b", variant="B"), rep="lead", now=NOW)
    make_lead(name="Jim Brodo", email="jim@example.org", interest="pricing", settings=settings)
    app = home_app(store, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr("callblock.services.tasks.step_template", busy)
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TasksScreen) and app.is_running
        shown = " ".join(screen_text(app).split())
        assert "the database x.db is busy" in shown, shown


FIRST_FRAME = """
import asyncio, sys, tempfile
from pathlib import Path
from callblock.app import create_app
from callblock.clock import FixedClock
from callblock.config import Settings
from callblock.services.leads import add_lead
from callblock.store import Store
from tests.conftest import NOW

async def main():
    store = Store.open(Path(tempfile.mkdtemp()) / "x.db")
    clock, settings = FixedClock(NOW), Settings(timezone="America/New_York")
    add_lead(store, clock, name="Jim Brodo", company="B", phone="+1 212 555 0101",
             settings=settings, first_name="Jim", last_name="Brodo")
    app = create_app(settings=settings, store=store, clock=clock, rep="alice", start="dial")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.screen.current is not None  # the first lead is on screen
        print(sorted(m for m in sys.modules if m.startswith(
            ("jinja2", "nameparser", "callblock.services.scripts", "callblock.services.templates",
             "callblock.domain.templates", "callblock.domain.template"))))

asyncio.run(main())
"""


def test_the_first_lead_is_shown_without_loading_templates() -> None:
    """The script pane's modules (~17 ms) and jinja2 (~50 ms) load when `k` first shows it,
    never for the first lead's frame (the start-up figure, issue 14)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME], capture_output=True, text=True, cwd=root, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
