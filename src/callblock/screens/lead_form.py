"""Small forms: a new lead (`a`, from any screen) and editing a lead's fields.

Enter saves (the service validates; a bad field is named in the form and nothing is saved),
Tab moves between fields, Esc cancels.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from callblock.context import AppContext
from callblock.domain.text import clean_line
from callblock.services import ServiceError
from callblock.widgets.plain import plain
from callblock.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from callblock.app import CallblockApp

NEW_LEAD_FIELDS = (
    ("name", "Name"),
    ("company", "Company"),
    ("phone", "Phone"),
    ("title", "Title"),
    ("email", "Email"),
    ("region", "Region"),  # state or country for calling rules; empty: the phone number's
)


class FormScreen(ModalScreen[int | None]):
    """Labelled one-line inputs; `save` returns a lead id or raises ServiceError."""

    BINDINGS = [Binding("escape", "cancel", "cancel", id="form.cancel")]

    def __init__(
        self, title: str, fields: Sequence[tuple[str, str]], values: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self._title = title
        self._fields = fields
        self._values = values or {}

    @property
    def ctx(self) -> AppContext:
        return cast("CallblockApp", self.app).context

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt form"):
            yield Static(plain(self._title, "bold"))
            for name, label in self._fields:
                with Horizontal(classes="form-row"):
                    yield Label(Content(label))
                    yield SafeInput(value=self._values.get(name, ""), id=f"field-{name}")
            yield Static(id="form-error")
            yield Static(Content.styled("Enter save · Tab next field · Esc cancel", "dim"))

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#field-{name}", Input).value for name, _ in self._fields}

    def save(self, values: dict[str, str]) -> int | None:
        """The lead id saved, or None when the form asks something first (it saves later)."""
        raise NotImplementedError

    @on(Input.Submitted)
    def _submit(self) -> None:
        try:
            lead_id = self.save(self.values())
        except ServiceError as error:
            self._error(str(error))
            return
        if lead_id is not None:
            self._saved(lead_id)

    def _error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(plain(message, "$error"))

    def _saved(self, lead_id: int) -> None:
        cast("CallblockApp", self.app).lead_search.invalidate()
        self.dismiss(lead_id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NewLeadScreen(FormScreen):
    """A lead added by hand is inbound: it arrives now and enters the queue as fresh."""

    def __init__(self) -> None:
        super().__init__("New lead (arrives now, as fresh inbound)", NEW_LEAD_FIELDS)

    def save(self, values: dict[str, str]) -> int:
        from callblock.services.leads import add_lead

        ctx = self.ctx
        lead_id = add_lead(ctx.store, ctx.clock, settings=ctx.settings, **values)
        self.app.notify(f"Added lead {lead_id}: {clean_line(values['name'])}", markup=False)
        return lead_id


class EditLeadScreen(FormScreen):
    def __init__(self, lead_id: int) -> None:
        from callblock.services.lead_edit import EDIT_FIELDS

        self._lead_id = lead_id
        super().__init__(f"Edit lead {lead_id}", EDIT_FIELDS)

    def on_mount(self) -> None:
        from callblock.services.lead_edit import edit_values
        from callblock.services.leads import get_lead

        for name, value in edit_values(get_lead(self.ctx.store, self._lead_id)).items():
            self.query_one(f"#field-{name}", Input).value = value

    def save(self, values: dict[str, str]) -> int | None:
        from callblock.services.dnc import NOT_YOURS, lifts_dnc, may_lift
        from callblock.services.lead_edit import update_lead
        from callblock.services.leads import get_lead

        ctx = self.ctx
        lead = get_lead(ctx.store, self._lead_id)
        if lifts_dnc(lead, values.get("status")):  # a team lead's act (one user: confirmed)
            if not may_lift(ctx.store, ctx.rep):
                raise ServiceError(f"status: {NOT_YOURS.format(id=lead.id)}")
            self._ask_reason(lead.name, values)
            return None
        update_lead(ctx.store, self._lead_id, values, settings=ctx.settings)
        return self._lead_id

    def _ask_reason(self, name: str, values: dict[str, str]) -> None:
        """Taking the lead off do-not-call: confirmed by giving the reason, kept in the audit."""
        from callblock.screens.prompts import NoteScreen

        question = (
            f"Take {clean_line(name, 40)} off do-not-call? They asked never to be called. "
            "Why may they be called again? (Esc: they stay do-not-call)"
        )
        self.app.push_screen(NoteScreen(question), partial(self._lift, values))

    def _lift(self, values: dict[str, str], reason: str | None) -> None:
        from callblock.services.dnc import lift_dnc
        from callblock.services.lead_edit import update_lead

        if not reason or not reason.strip():
            self._error("status: still do-not-call (no reason given)")
            return
        ctx = self.ctx
        rest = {name: value for name, value in values.items() if name != "status"}
        try:
            update_lead(ctx.store, self._lead_id, rest, settings=ctx.settings)
            lift_dnc(
                ctx.store, ctx.clock, ctx.settings, rep=ctx.rep, lead_id=self._lead_id,
                reason=reason, status=values["status"], confirmed=True,
            )  # fmt: skip
        except ServiceError as error:
            self._error(str(error))
            return
        self._saved(self._lead_id)
