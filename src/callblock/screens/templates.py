"""The Templates screen (T from the week screen): the team's call scripts, voicemails, emails,
LinkedIn notes and texts, listed and edited in place. ctrl+s saves (every problem is named and
nothing is saved), ctrl+n starts a new one. A rep reads them; a team lead edits them."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from callblock.context import AppContext
from callblock.domain.calling import local_time
from callblock.domain.models import Template, TemplateChannel
from callblock.domain.template_files import STEP_MAX, normalized_body
from callblock.domain.text import clean_line, plural
from callblock.screens.help import HelpScreen, help_entries
from callblock.services import ServiceError
from callblock.services.templates import save_template
from callblock.store import DatabaseBusy, StoreFault
from callblock.widgets.app_header import AppHeader
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.plain import plain
from callblock.widgets.safe_input import SafeInput, SafeTextArea

if TYPE_CHECKING:
    from callblock.app import CallblockApp

CHANNELS = ", ".join(channel.value for channel in TemplateChannel)
TEMPLATES_ABOUT = f"""\
A template is a message of one channel ({CHANNELS}) for one step of the cadence (its
position in the schedule, counting from 1; empty: any step without its own). Templates of one
step with different variant letters (A, B) are tested against each other: each lead gets one,
evenly, and keeps it; `callblock report --by template` compares them. Enter on the list
edits the body; Esc goes back to the week. With unsaved changes, Esc, ctrl+n or moving in the
list says so first, and the same key again discards them.
Merge fields in Jinja syntax: {{{{ first_name }}}}, last_name, company, title, interest,
pronunciation, rep.name, rep.phone, rep.email, weekday (the lead's local weekday). A fallback
is written {{{{ first_name | default("there") }}}}. An unknown field is refused when you save,
naming the field and the line; a field a lead lacks refuses that lead's message, never sends it
half-filled. `callblock templates check` flags voicemails without your name, company and number,
messages that never mention the lead, and steps that repeat each other; `templates export DIR`
and `templates import DIR` keep them in plain files."""

FIELDS = (("name", "Name"), ("channel", "Channel"), ("step", "Step"), ("variant", "Variant"))
FORM = (*(name for name, _ in FIELDS), "subject")


def template_option(template: Template) -> Option:
    step = f"step {template.step}" if template.step is not None else "any step"
    variant = f" {template.variant}" if template.variant else ""
    text = Content.assemble(
        (f"{template.channel.value:<11} {step:<8}{variant:<3} ", "dim"),
        plain(template.name, "bold"),
        *(("  ", plain(template.subject, "dim")) if template.subject else ()),
    )
    return Option(text, id=template.name)


def form_values(template: Template | None) -> dict[str, str]:
    """The form's fields as they show `template` (None: a new one, an email by default)."""
    return {
        "name": template.name if template else "",
        "channel": template.channel.value if template else TemplateChannel.EMAIL.value,
        "step": str(template.step) if template and template.step is not None else "",
        "variant": template.variant if template else "",
        "subject": template.subject if template else "",
    }


class TemplatesScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "save", id="templates.save", tooltip="Save the template"),
        Binding("ctrl+n", "new", "new", id="templates.new", tooltip="Start a new template"),
        Binding(
            "f1", "help", "help", id="templates.help", tooltip="Show this help", key_display="F1"
        ),
        # ? as on every other screen, from the list (in a field or the body it is typed)
        Binding("question_mark", "help", "help", show=False, id="templates.help_key"),
        Binding("escape", "back", "back", id="templates.back", tooltip="Back to the week"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.templates: list[Template] = []
        self.editing: str | None = None  # the name of the template in the editor; None: new
        self.leave_warned = False  # the rep was told the edits are unsaved; now they may go

    @property
    def ctx(self) -> AppContext:
        return cast("CallblockApp", self.app).context

    @property
    def may_edit(self) -> bool:
        return self.ctx.may_review  # a team lead, or the one rep of a single-user database

    def compose(self) -> ComposeResult:
        yield AppHeader(id="app-header")
        yield Static(id="templates-title")
        yield OptionList(id="template-list")
        with Horizontal(id="template-fields"):
            for name, label in FIELDS:
                yield Label(label)
                yield SafeInput(id=f"template-{name}")
        with Horizontal(classes="form-row"):
            yield Label("Subject")
            yield SafeInput(id="template-subject", placeholder="emails only")
        yield SafeTextArea(id="template-body", soft_wrap=True, show_line_numbers=False)
        yield Static(id="template-status")
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        header = self.query_one(AppHeader)
        header.rep = self.ctx.rep
        header.now = local_time(self.ctx.clock.now(), self.ctx.rep_zone)
        if not self.may_edit:
            for widget in self.query(Input):
                widget.disabled = True
            self.query_one(TextArea).read_only = True
        self._fill(None)  # the empty form as a new template shows it: nothing unsaved yet
        self.load()
        self.query_one(OptionList).focus()

    def load(self, select: str | None = None) -> None:
        self.templates = self.ctx.store.templates.templates()
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([template_option(t) for t in self.templates])
        shown = plural(len(self.templates), "template")
        what = "edit and save with ctrl+s" if self.may_edit else "read only: a team lead edits"
        self.query_one("#templates-title", Static).update(
            Content.assemble((f"Templates · {shown}", "bold"), ("  " + what, "dim"))
        )
        names = [t.name for t in self.templates]
        if select in names:
            options.highlighted = names.index(select)
        elif self.templates and self.editing is None:
            options.highlighted = 0
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "new"):
            return self.may_edit
        return True

    @on(OptionList.OptionHighlighted, "#template-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        template = next((t for t in self.templates if t.name == event.option.id), None)
        moved = template is not None and template.name != self.editing
        if moved and self._may_discard("moving in the list again"):
            self._fill(template)

    @on(OptionList.OptionSelected, "#template-list")
    def _selected(self) -> None:
        self.query_one(TextArea).focus()

    def _fill(self, template: Template | None) -> None:
        self.editing = template.name if template else None
        for name, value in form_values(template).items():
            self.query_one(f"#template-{name}", Input).value = value
        self.query_one(TextArea).load_text(template.body if template else "")
        self.leave_warned = False
        self._say("")

    def _unsaved(self) -> bool:
        """True when the form differs from the template it was filled from (or from empty)."""
        if not self.may_edit:
            return False
        shown = next((t for t in self.templates if t.name == self.editing), None)
        if shown is None and self.editing is not None:
            return False  # removed under us: nothing of the rep's to keep
        if normalized_body(self.query_one(TextArea).text) != (shown.body if shown else ""):
            return True
        typed = {name: self.query_one(f"#template-{name}", Input).value.strip() for name in FORM}
        typed["variant"] = typed["variant"].upper()  # as saved
        return typed != form_values(shown)

    def _say(self, text: Content | str) -> None:
        self.query_one("#template-status", Static).update(text)

    def action_new(self) -> None:
        if not self._may_discard("ctrl+n again"):
            return
        self.query_one(OptionList).highlighted = None
        self._fill(None)
        self.query_one("#template-name", Input).focus()
        self._say(plain("New template: fill in the fields, ctrl+s saves.", "dim"))

    def _typed(self) -> Template:
        """The template as typed; ServiceError names the field that is wrong."""
        value = {
            name: self.query_one(f"#template-{name}", Input).value.strip() for name, _ in FIELDS
        }
        if not value["name"]:
            raise ServiceError("name: give the template a name")
        try:
            channel = TemplateChannel(value["channel"].lower())
        except ValueError:
            raise ServiceError(f"channel: one of {CHANNELS}") from None
        step = None
        if value["step"]:
            if not value["step"].isdigit() or not 1 <= int(value["step"]) <= STEP_MAX:
                raise ServiceError(f"step: a cadence step from 1 to {STEP_MAX}, or empty for any")
            step = int(value["step"])
        return Template(
            name=value["name"],
            channel=channel,
            body=self.query_one(TextArea).text,
            step=step,
            variant=value["variant"].upper(),
            subject=self.query_one("#template-subject", Input).value.strip(),
        )

    def action_save(self) -> None:
        if not self.may_edit:
            return
        ctx = self.ctx
        try:
            template = self._typed()
            save_template(ctx.store, template, rep=ctx.rep, now=ctx.clock.now())
        except (ServiceError, DatabaseBusy, StoreFault) as error:
            said = str(error)
            self._say(plain(said if "not saved" in said else f"Not saved: {said}", "$error"))
            return
        renamed = self.editing is not None and self.editing != template.name
        self.editing = template.name
        self.leave_warned = False
        self.load(select=template.name)
        kept = " (saved under the new name; the old one is kept)" if renamed else ""
        self._say(plain(f"✓ saved {clean_line(template.name, 40)}{kept}", "$success"))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_entries(self), about=TEMPLATES_ABOUT))

    def _may_discard(self, again: str) -> bool:
        """True when the form holds nothing unsaved, or the rep was told and does it again."""
        if not self._unsaved() or self.leave_warned:
            return True
        self.leave_warned = True
        self._say(plain(f"Unsaved changes: ctrl+s saves them; {again} discards them.", "$warning"))
        return False

    def action_back(self) -> None:
        if self._may_discard("esc again"):
            self.app.pop_screen()
