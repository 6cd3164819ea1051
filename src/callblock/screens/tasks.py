"""The Tasks screen: the cadence's emails, LinkedIn notes and texts due, one at a time, rendered
for the lead. s sends an email; y copies the message to the rep's own clipboard through the
terminal (OSC 52, so it works over SSH); d marks it done, x skips it, p postpones it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from callblock.context import AppContext
from callblock.domain.calling import local_time
from callblock.domain.templates import Rendered, TemplateRefused
from callblock.domain.text import clean_block, clean_line, plural
from callblock.screens.help import HelpScreen, help_entries
from callblock.screens.prompts import ConfirmScreen, WhenScreen
from callblock.services import ServiceError
from callblock.services.tasks import Task, complete_task, due_tasks, postpone_task
from callblock.services.templates import render_for_lead
from callblock.store import DatabaseBusy, StoreFault
from callblock.widgets.app_header import AppHeader
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.plain import plain

if TYPE_CHECKING:
    from callblock.app import CallblockApp

TASKS_WAIT_MS = 1000  # for another process's write lock (an import), not the 10 s timeout

TASKS_ABOUT = """\
Tasks are the cadence's steps that are not calls: an email, a LinkedIn note, a text, and the
goodbye message at the end of the schedule. Each is shown rendered for its lead, from the
team's template for that step (the lead keeps the variant it was given).
s sends an email from your own address (the team's SMTP settings); y copies the message to
your own clipboard through the terminal (it works over SSH; paste it in LinkedIn at the
profile link shown, or in your phone); d marks the task done once you sent it by hand;
x skips this step; p postpones it. A message with a missing field is never shown half-filled:
the problem is named (add the field on the lead, or give the template a fallback). A first
name that looks wrong for a salutation is shown as a warning, and you confirm before it goes.
A reply is logged with `callblock log --lead ID --channel email --outcome replied`: the lead
leaves the sequence and tops its owner's queue."""


def due_format(due: datetime, now: datetime) -> str:
    """The weekday and time for a task due within the last week or next, else with its date
    (a task due a month ago is not 'due Wed')."""
    return "%a %H:%M" if abs(now - due) < timedelta(days=6) else "%a %d %b %H:%M"


def profile_link(task: Task) -> str:
    """The lead's LinkedIn profile, if a link names one."""
    return next((link for link in task.lead.links if "linkedin." in link.lower()), "")


class TasksScreen(Screen[None]):
    BINDINGS = [
        Binding("s", "send", "send", id="tasks.send", tooltip="Send this email now"),
        Binding(
            "y",
            "copy",
            "copy",
            id="tasks.copy",
            tooltip="Copy the message to your clipboard (through the terminal: works over SSH)",
        ),
        Binding("d", "done", "done", id="tasks.done", tooltip="Mark the task done (sent by hand)"),
        Binding("x", "skip", "skip", id="tasks.skip", tooltip="Skip this step of the cadence"),
        Binding("p", "postpone", "postpone", id="tasks.postpone", tooltip="Postpone the task"),
        Binding("n", "next", "next", id="tasks.next", tooltip="Look at the next task"),
        Binding("question_mark", "help", "help", id="tasks.help", tooltip="Show this help"),
        Binding("escape", "back", "back", id="tasks.back", tooltip="Back to the week"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[Task] = []
        self.index = 0
        self.rendered: Rendered | None = None
        self.sending = False

    @property
    def ctx(self) -> AppContext:
        return cast("CallblockApp", self.app).context

    @property
    def task(self) -> Task | None:
        return self.tasks[self.index] if self.index < len(self.tasks) else None

    def compose(self) -> ComposeResult:
        yield AppHeader(id="app-header")
        yield Static(id="task-title")
        yield Static(id="task-lead")
        yield Static(id="task-template")
        yield Static(id="task-subject")
        with VerticalScroll(id="task-body-scroll"):
            yield Static(id="task-body")
        yield Static(id="task-warnings")
        yield Static(id="status")
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        header = self.query_one(AppHeader)
        header.rep = self.ctx.rep
        header.now = local_time(self.ctx.clock.now(), self.ctx.rep_zone)
        self.load()

    def load(self, keep: int = 0) -> None:
        """Read the tasks due again and show the one at `keep` (or the first)."""
        ctx = self.ctx
        try:  # giving a lead its A/B variant is a write: another process may hold the lock
            with ctx.store.patience(TASKS_WAIT_MS):
                self.tasks = due_tasks(ctx.store, ctx.settings, ctx.rep, ctx.clock.now())
        except StoreFault as error:
            self.tasks, self.index = [], 0
            self.show()
            title = self.query_one("#task-title", Static)
            title.update(plain(f"Tasks not loaded: {error}", "bold $error"))
            self._say(plain("Esc, then t, tries again.", "dim"))
            return
        self.index = keep if keep < len(self.tasks) else 0
        self.show()

    def show(self) -> None:
        task, ctx = self.task, self.ctx
        self.rendered = None
        title = self.query_one("#task-title", Static)
        parts = [self.query_one(f"#task-{name}", Static) for name in ("lead", "template")]
        subject = self.query_one("#task-subject", Static)
        body = self.query_one("#task-body", Static)
        warnings = self.query_one("#task-warnings", Static)
        warnings.display = False
        self.refresh_bindings()
        if task is None:
            title.update(
                Content.styled("No tasks due. The next ones come with the cadence.", "bold")
            )
            for widget in (*parts, subject, body):
                widget.update("")
            return
        lead = task.lead
        due = local_time(task.due, ctx.rep_zone)
        kind = "goodbye " + task.channel if task.goodbye else task.channel
        title.update(
            Content.assemble(
                (f"Task {self.index + 1} of {len(self.tasks)}  ", "bold"),
                (f" {kind.upper()} ", "bold reverse"),
                f"  step {task.step}  due {due:{due_format(task.due, ctx.clock.now())}}",
            )
        )
        name = clean_line(lead.name, 40)
        if lead.pronunciation:
            name += f" ({clean_line(lead.pronunciation, 30)})"
        shown = [plain(x) for x in (lead.title, lead.company) if clean_line(x)]
        parts[0].update(Content(" · ").join([plain(name, "bold"), *shown]))
        # where it goes, first on its line so 80 columns never cut it
        address = {"email": lead.email, "sms": lead.phone_display or lead.phone}.get(task.channel)
        to = [Content("to "), plain(address, "$accent"), Content(" · ")] if address else []
        template = task.template
        if template is None:
            parts[1].update(
                Content.assemble(
                    *to,
                    plain(
                        f"No {task.channel} template for step {task.step}: a team lead adds one "
                        f"(T on the week screen, or `callblock templates add`).",
                        "$warning",
                    ),
                )
            )
            subject.update("")
            body.update("")
            return
        variant = f" · variant {template.variant}" if template.variant else ""
        parts[1].update(Content.assemble(*to, plain(f"template {template.name}{variant}", "dim")))
        try:
            self.rendered = render_for_lead(
                ctx.store, ctx.settings, template, lead, ctx.rep, ctx.clock.now()
            )
        except TemplateRefused as refused:
            subject.update(plain("Not ready to send:", "bold $error"))
            body.update(Content("\n").join(plain(p, "$error") for p in refused.problems))
            self.refresh_bindings()
            return
        rendered = self.rendered
        subject.update(plain(f"Subject: {rendered.subject}", "bold") if rendered.subject else "")
        if task.channel == "linkedin":  # where to paste it: the whole link, on its own line
            link = profile_link(task)
            subject.update(
                Content.assemble(("Profile: ", "bold"), plain(link, "$accent"))
                if link
                else plain(
                    "No LinkedIn profile link on this lead: find the profile by name.", "$warning"
                )
            )
        body.update(Content(clean_block(rendered.body)))
        if rendered.warnings:
            warnings.update(plain("⚠ " + "; ".join(rendered.warnings), "$warning"))
            warnings.display = True
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        task = self.task
        if action in ("done", "skip", "postpone"):
            return task is not None and not self.sending
        if action == "next":
            return len(self.tasks) > 1
        if action == "copy":
            return False if task is None else None if self.rendered is None else True
        if action == "send":
            if task is None or task.channel != "email":
                return False
            return None if self.rendered is None or self.sending else True
        return True

    def _say(self, text: Content | str) -> None:
        self.query_one("#status", Static).update(text)

    def _confirmed(self, then: str) -> bool:
        """True when the message may go as it is; else asks about its warnings first."""
        rendered = self.rendered
        if rendered is None or not rendered.warnings:
            return True
        question = plain(
            "; ".join(rendered.warnings) + f". {then.capitalize()} anyway? (y/n)", "bold"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                getattr(self, f"_{then}")()

        self.app.push_screen(ConfirmScreen(question), answered)
        return False

    def action_copy(self) -> None:
        if self.rendered is not None and self._confirmed("copy"):
            self._copy()

    def _copy(self) -> None:
        rendered, task = self.rendered, self.task
        if rendered is None or task is None:
            return
        text = f"{rendered.subject}\n\n{rendered.body}" if rendered.subject else rendered.body
        self.app.copy_to_clipboard(text)
        link = profile_link(task) if task.channel == "linkedin" else ""
        where = f"; paste it at {link}" if link else ""
        self._say(plain(f"✓ copied to your clipboard{where}. Press d once it is sent.", "$success"))

    def action_send(self) -> None:
        if self.rendered is not None and self._confirmed("send"):
            self._send()

    def _send(self) -> None:
        task = self.task
        if task is None or task.template is None or self.sending:
            return
        self.sending = True
        self.refresh_bindings()
        self._say(plain(f"sending to {task.lead.email}…", "dim"))
        self._send_in_thread(task, task.template.name, self.ctx.clock.now())

    @work(thread=True, exclusive=True, group="send", exit_on_error=False)
    def _send_in_thread(self, task: Task, template: str, now: datetime) -> None:
        from callblock.services.connections import worker_store
        from callblock.services.mail import send_template

        ctx = self.ctx
        try:
            store = worker_store(ctx.store)
            try:
                sent = send_template(
                    store,
                    ctx.settings,
                    lead_id=task.lead.id,
                    template_name=template,
                    rep=ctx.rep,
                    now=now,
                    confirmed=True,  # its warnings were on screen, and confirmed (_confirmed)
                )
            finally:
                store.close()
        except (ServiceError, StoreFault) as error:
            self.app.call_from_thread(self._sent, None, str(error))
            return
        except Exception as error:  # a bug: said, logged, and the screen usable again
            from callblock.crash import report_crash

            self.app.call_from_thread(self._sent, None, report_crash(error))
            return
        self.app.call_from_thread(self._sent, sent.to, "")

    def _sent(self, to: str | None, problem: str) -> None:
        self.sending = False
        if to is None:
            self._say(plain(f"Not sent: {problem}", "$error"))
            self.refresh_bindings()
            return
        self.load(self.index)
        self._say(plain(f"✓ sent to {to}", "$success"))

    def action_done(self) -> None:
        self._complete("done", "✓ done")

    def action_skip(self) -> None:
        self._complete("skipped", "skipped")

    def _complete(self, outcome: str, said: str) -> None:
        task, ctx = self.task, self.ctx
        if task is None:
            return
        template = task.template
        try:
            complete_task(
                ctx.store,
                ctx.settings,
                lead_id=task.lead.id,
                rep=ctx.rep,
                outcome=outcome,
                now=ctx.clock.now(),
                template=template.name if template else None,
                variant=(template.variant or None) if template else None,
            )
        except (ServiceError, DatabaseBusy, StoreFault) as error:
            self._say(plain(f"Not saved: {error}", "$error"))
            return
        self.load(self.index)
        self._say(plain(f"{said}: {task.channel} to {clean_line(task.lead.name, 40)}", "$success"))

    def action_postpone(self) -> None:
        task, ctx = self.task, self.ctx
        if task is None:
            return

        def chosen(until: datetime | None) -> None:
            if until is None:
                return
            try:
                postpone_task(ctx.store, ctx.settings, lead_id=task.lead.id, until=until)
            except (ServiceError, DatabaseBusy, StoreFault) as error:
                self._say(plain(f"Not saved: {error}", "$error"))
                return
            self.load(self.index)
            shown = local_time(until, ctx.rep_zone)
            self._say(plain(f"postponed to {shown:%a %d %b %H:%M}", "$success"))

        lead_zone = task.lead.zone(ctx.settings.team_zone)
        self.app.push_screen(
            WhenScreen("Postpone until", ctx.clock.now(), ctx.rep_zone, lead_zone, "tomorrow 9am"),
            chosen,
        )

    def action_next(self) -> None:
        if self.tasks:
            self.index = (self.index + 1) % len(self.tasks)
            self.show()
            self._say(plain(plural(len(self.tasks), "task") + " due", "dim"))

    def action_help(self) -> None:
        shown = help_entries(self)
        self.app.push_screen(HelpScreen(shown, about=TASKS_ABOUT))

    def action_back(self) -> None:
        self.app.pop_screen()
