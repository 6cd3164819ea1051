"""The week screen (home): this week's call blocks, what is due today, and the weights behind
the plan. Enter starts the highlighted block; p starts a power hour now."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from callblock.clock import FixedClock
from callblock.context import AppContext
from callblock.domain.calling import local_time
from callblock.domain.planning import PlannedBlock
from callblock.domain.text import clean_line, plural
from callblock.domain.weights import WEEKDAY_NAMES
from callblock.screens.help import WEEK_ABOUT, HelpScreen, help_entries
from callblock.services.connections import worker_store
from callblock.services.planning import WeekPlan, week_plan
from callblock.store import DatabaseBusy
from callblock.widgets.app_header import AppHeader
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.plain import plain

if TYPE_CHECKING:
    from callblock.app import CallblockApp


class WeekScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "enter",
            "start_block",
            "start block",
            id="week.start",
            tooltip="Start the highlighted block: a power hour under its name and target",
        ),
        Binding(
            "p",
            "power_hour_now",
            "power hour now",
            id="week.now",
            tooltip="Start an ad-hoc power hour now",
        ),
        Binding(
            "r",
            "review",
            "review",
            id="week.review",
            tooltip="The team lead's review: log, reps, heat map, what fell through the cracks",
        ),
        Binding(
            "t",
            "tasks",
            "tasks",
            id="week.tasks",
            tooltip="The cadence's emails, LinkedIn notes and texts due, one at a time",
        ),
        Binding(
            "T",
            "templates",
            "templates",
            id="week.templates",
            tooltip="The team's scripts, voicemails and messages (a team lead edits them)",
        ),
        Binding(
            "left_square_bracket",
            "week(-1)",
            "prev week",
            id="week.prev",
            tooltip="The week before",
        ),
        Binding(
            "right_square_bracket", "week(1)", "next week", id="week.next", tooltip="The week after"
        ),
        Binding("question_mark", "help", "help", id="week.help", tooltip="Show this help"),
        Binding("q", "app.quit", "quit", id="week.quit", tooltip="Quit callblock"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan: WeekPlan | None = None
        self.day: date | None = None  # any day of the week shown; None: this week
        self.planned_at: datetime | None = None  # the moment the plan on screen was made for

    @property
    def ctx(self) -> AppContext:
        return cast("CallblockApp", self.app).context

    def compose(self) -> ComposeResult:
        yield AppHeader(id="app-header")
        yield Static(id="week-title")
        yield OptionList(id="blocks")
        yield Static(id="over-capacity")
        yield Static(id="due-today")
        yield Static(id="weights")
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        self.query_one(AppHeader).rep = self.ctx.rep
        self.query_one("#over-capacity").display = False
        self._tick()
        self.query_one(OptionList).focus()
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        """The header's clock; and the plan made again once a block starts or ends, so the
        block just over shows what was done and the highlight moves on to the next one."""
        now = self.ctx.clock.now()
        header = self.query_one(AppHeader)
        shown = local_time(now, self.ctx.rep_zone).replace(second=0, microsecond=0)
        if header.now != shown:
            header.now = shown
        plan, since = self.plan, self.planned_at
        if plan is None or since is None or not self.is_current:
            return
        edges = [edge for p in plan.blocks for edge in (p.block.start, p.block.end)]
        if any(since < edge <= now for edge in edges):
            with suppress(DatabaseBusy):  # busy or out of reach: planned again at a later tick
                self.load()

    def on_screen_resume(self) -> None:
        self.load()  # first show, and back from a block: the plan has moved on

    def load(self) -> None:
        self.query_one("#blocks").loading = True
        self.planned_at = None  # until the new plan is on screen
        self._load_plan(self.day)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load_plan(self, day: date | None) -> None:
        ctx = self.ctx
        store = worker_store(ctx.store)
        now = ctx.clock.now()
        clock, shown = FixedClock(now), day
        try:
            plan = week_plan(store, ctx.settings, clock, rep=ctx.rep, day=day)
            if day is None and plan.blocks and all(p.block.end <= now for p in plan.blocks):
                shown = plan.monday + timedelta(weeks=1)  # this week is over: the next one
                plan = week_plan(store, ctx.settings, clock, rep=ctx.rep, day=shown)
        finally:
            store.close()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_plan, plan, day, now, shown)

    def _show_plan(
        self, plan: WeekPlan, day: date | None, now: datetime, shown: date | None
    ) -> None:
        if day != self.day:
            return  # a later request (] pressed again) is on its way
        self.day = shown  # [ and ] step from the week on screen
        self.plan, self.planned_at = plan, now
        sunday = plan.monday + timedelta(days=6)
        self.query_one("#week-title", Static).update(
            Content.assemble(
                (f"Week of {plan.monday:%a %d %b}–{sunday:%a %d %b %Y}", "bold"),
                " · ",
                plain(f"{plan.zone} · contact rate {plan.contact_rate:.0%}", "dim"),
            )
        )
        blocks = self.query_one(OptionList)
        highlighted = blocks.highlighted
        blocks.clear_options()
        blocks.add_options([_block_option(index, p, now) for index, p in enumerate(plan.blocks)])
        if plan.blocks:
            # the highlight stays on a block still to come, else goes to the next one
            upcoming = [i for i, p in enumerate(plan.blocks) if p.block.end > now]
            blocks.highlighted = highlighted if highlighted in upcoming else (upcoming or [0])[0]
        else:
            blocks.add_option(
                Option(Content.styled("No blocks this week ([[blocks]] in config)", "dim"))
            )
        blocks.loading = False
        over = self.query_one("#over-capacity", Static)
        over.display = plan.over_capacity > 0
        over.update(_over_capacity(plan.over_capacity))
        due_today = self.query_one("#due-today", Static)
        due_today.update(_due_today(plan, due_today.content_region.width or 78))
        self.query_one("#weights", Static).update(_weights(plan))

    # actions --------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#blocks")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_start_block()

    def action_start_block(self) -> None:
        from callblock.screens.power_hour import PowerHourScreen

        plan, index = self.plan, self.query_one(OptionList).highlighted
        if plan is None or index is None or index >= len(plan.blocks):
            return
        block = plan.blocks[index].block
        minutes = max((block.end - block.start).total_seconds() / 60, 1)
        per_hour = max(round(block.target_dials * 60 / minutes), 1)
        self.app.push_screen(PowerHourScreen(block_name=block.name, target_per_hour=per_hour))

    def action_power_hour_now(self) -> None:
        from callblock.screens.power_hour import PowerHourScreen

        self.app.push_screen(PowerHourScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Review is a team lead's: a registered rep has no r in the key bar, help or palette
        return action != "review" or self.ctx.may_review

    def action_review(self) -> None:
        from callblock.screens.review import ReviewScreen

        if not self.ctx.may_review:
            self.app.notify("Review is for team leads.", severity="warning", markup=False)
            return
        self.app.push_screen(ReviewScreen())

    def action_tasks(self) -> None:
        from callblock.screens.tasks import TasksScreen

        self.app.push_screen(TasksScreen())

    def action_templates(self) -> None:
        from callblock.screens.templates import TemplatesScreen

        self.app.push_screen(TemplatesScreen())

    def action_week(self, step: int) -> None:
        base = (
            self.plan.monday
            if self.plan
            else local_time(self.ctx.clock.now(), self.ctx.settings.timezone).date()
        )
        self.day = base + timedelta(weeks=step)
        self.query_one(OptionList).highlighted = None
        self.load()

    def action_help(self) -> None:
        # Enter is the block list's while it has focus; the help still says what it does here
        shown = help_entries(self, *(b for b in self.BINDINGS if isinstance(b, Binding)))
        settings = self.ctx.settings
        about = WEEK_ABOUT.format(
            prior_dials=settings.prior_dials, slack_days=settings.cadence.slack_days
        )
        self.app.push_screen(HelpScreen(shown, about=about))


def _block_option(index: int, planned: PlannedBlock, now: datetime) -> Option:
    """One line: "Wed 25 16:00-17:00 Late power hour   42 dials ~ 6.3 contacts  w 0.97";
    a block that is over: "Mon 23 09:00-10:00 Power hour   38 dials done,   6 contacts  target
    60"."""
    block = planned.block
    past = block.end <= now
    style = "dim" if past else ""
    head = (
        (f"{block.start:%a %d} {block.start:%H:%M}–{block.end:%H:%M} ", style or "bold"),
        plain(block.name[:18], style),
        " " * (18 - len(clean_line(block.name[:18]))),
    )
    if past:
        done, contacts = planned.done_dials or 0, planned.done_contacts or 0
        text = Content.assemble(
            *head,
            (f"{done:>5} {_noun(done, 'dial'):<5} done,", style),
            (f"{contacts:>4} {_noun(contacts, 'contact'):<8}", style),
            (f"  target {block.target_dials}", "dim"),
        )
    else:
        text = Content.assemble(
            *head,
            (f"{planned.planned_dials:>5} {_noun(planned.planned_dials, 'dial'):<5}", style),
            (f" ~{planned.expected_contacts:5.1f} contacts", style),
            (f"  w {planned.weight:.2f}", "dim"),
        )
    return Option(text, id=f"block-{index}")


def _noun(count: int, word: str) -> str:
    """The noun alone, agreeing with its count (the count is printed aligned before it)."""
    return word if count == 1 else f"{word}s"


def _over_capacity(count: int) -> Content:
    return Content.assemble(
        (f"Over capacity: {plural(count, 'dial')}", "bold"),
        " don't fit this week: add a block or raise a target",
    )


def _due_today(plan: WeekPlan, width: int) -> Content:
    today = plan.today
    late = f" ({today.overdue_promises} overdue)" if today.overdue_promises else ""
    items = [
        f"{plural(today.promises, 'callback/meeting', 'callbacks/meetings')}{late}",
        plural(today.follow_ups, "follow-up"),
        f"{today.inbound} inbound waiting",
        plural(today.tasks, "task") + " (t)",
        plural(today.goodbyes, "goodbye touch", "goodbye touches"),
    ]
    # Broken between items to fit `width`, never inside one ("0 goodbye / touches").
    text, line = "", len("Due today: ")
    for n, item in enumerate(items):
        piece = item if n == 0 else f" · {item}"
        if n and line + len(piece) > width:
            text, line, piece = f"{text}\n", 0, f"· {item}"
        text, line = text + piece, line + len(piece)
    return Content.assemble(("Due today: ", "bold"), text)


def _weights(plan: WeekPlan) -> Content:
    days = plan.learned.weekday[:5]
    head = "".join(f"{name.title():>7}" for name in WEEKDAY_NAMES[:5])
    rows = [
        Content.assemble((f"{'weekday weight':<16}", "bold"), (head, "bold")),
        Content(f"{'prior (study)':<16}" + "".join(f"{w.prior:>7.2f}" for w in days)),
        Content(
            f"{'observed (log)':<16}"
            + "".join(
                f"{w.observed:>7.2f}" if w.observed is not None else f"{'–':>7}" for w in days
            )
        ),
        Content.assemble(
            (f"{'blended':<16}", "bold"),
            ("".join(f"{w.blended:>7.2f}" for w in days), "bold $accent"),
            (f"   from {plural(plan.learned.dials, 'dial')}", "dim"),
        ),
    ]
    return Content("\n").join(rows)
