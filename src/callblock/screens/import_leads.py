"""`i`: import a CSV from the app. Enter checks the file (a dry run: nothing written) and shows
the report; then ctrl+y imports it (or ctrl+s imports the good rows and writes the rejects
file). The path field keeps the focus: a typed letter is always part of the path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, ProgressBar, Static

from callblock.domain.text import plural
from callblock.services import ServiceError
from callblock.services.importer import ImportOptions, ImportReport
from callblock.widgets.key_bar import KeyBar
from callblock.widgets.plain import plain
from callblock.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from callblock.app import CallblockApp

SHOWN = 12  # problems and reviews listed on screen (the CLI's --json has them all)


class ImportScreen(Screen[None]):
    # Control keys, never letters: the path field keeps the focus after a check, so whatever
    # is typed there is a path, and no typed letter can ever import.
    BINDINGS = [
        Binding("ctrl+y", "commit(False)", "import", id="import.commit"),
        Binding("ctrl+s", "commit(True)", "import good rows", id="import.skip_invalid"),
        Binding("escape", "close", "back", id="import.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.checked: ImportReport | None = None
        self.running = False

    @property
    def app_(self) -> CallblockApp:
        return cast("CallblockApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Import leads from a CSV export (any CRM)", "bold"))
        yield SafeInput(placeholder="path to the .csv file, then Enter to check it", id="path")
        yield ProgressBar(show_eta=False, id="import-progress")
        with VerticalScroll(id="import-report"):
            yield Static(
                Content.styled("Enter checks the file first: nothing is written yet.", "dim"),
                id="import-text",
            )
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#path", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "commit":
            return True
        report = self.checked
        if self.running or report is None:
            return None
        skip = bool(parameters and parameters[0])
        return True if (skip == bool(report.problems)) else None

    @on(Input.Submitted)
    def _check(self, event: Input.Submitted) -> None:
        if event.value.strip() and not self.running:
            self._start(Path(event.value.strip()).expanduser(), dry_run=True, skip=True)

    def action_commit(self, skip: bool) -> None:
        if self.checked is not None and not self.running:
            self._start(self.checked.path, dry_run=False, skip=skip)

    def _start(self, path: Path, *, dry_run: bool, skip: bool) -> None:
        self.running, self.checked = True, None
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._text(plain(f"{'Checking' if dry_run else 'Importing'} {path} …", "dim"))
        self.refresh_bindings()
        self._run(path, dry_run, skip)

    @work(thread=True, exclusive=True, group="import")
    def _run(self, path: Path, dry_run: bool, skip: bool) -> None:
        ctx = self.app_.context
        options = ImportOptions(
            dry_run=dry_run,
            skip_invalid=skip,
            default_region=ctx.settings.default_region,
            default_zone=ctx.settings.timezone,
            settings=ctx.settings,
        )

        def progress(phase: str, done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, done, total)

        from callblock.services.connections import worker_store
        from callblock.services.importer import import_csv

        # Its own connection: a write of the screen's (a lease) never joins its transaction.
        store = worker_store(ctx.store)
        try:
            report = import_csv(store, ctx.clock, path, options, progress)
        except ServiceError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        finally:
            store.close()
        self.app.call_from_thread(self._finished, report)

    def _progress(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)

    def _failed(self, message: str) -> None:
        self.running = False
        self.query_one(ProgressBar).display = False
        self._text(plain(message, "$error"))
        self.refresh_bindings()

    def _finished(self, report: ImportReport) -> None:
        self.running = False
        self.query_one(ProgressBar).display = False
        if report.committed:
            self.app_.lead_search.invalidate()
        else:
            self.checked = report
        keys = {
            ident: self.app.get_key_display(binding)
            for binding in self.BINDINGS
            if isinstance(binding, Binding) and (ident := binding.id)
        }
        self._text(Content("\n").join(report_lines(report, keys)))
        self.refresh_bindings()

    def _text(self, content: Content) -> None:
        self.query_one("#import-text", Static).update(content)

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)


def report_lines(report: ImportReport, keys: dict[str, str] | None = None) -> list[Content]:
    """The report as plain lines (cells and headers come from the file: never markup); `keys`:
    how the import keys show, by binding id."""
    keys = keys or {}
    lines = [
        plain(
            f"{report.path.name}: {plural(report.rows, 'row')} "
            f"({report.encoding}, {report.delimiter})"
        ),
        plain("columns: " + ", ".join(f"{h} → {f}" for h, f in report.columns), "dim"),
    ]
    if report.committed:
        lines.append(
            Content.styled(
                f"✓ imported {plural(report.imported, 'new lead')}; "
                f"merged {plural(report.merged, 'row')}",
                "$success",
            )
        )
        if report.rejects_path:
            lines.append(plain(f"rejected {plural(report.rejected, 'row')}: {report.rejects_path}"))
    else:
        lines.append(
            plain(
                f"would import {plural(report.imported, 'new lead')}; "
                f"merge {plural(report.merged, 'row')}",
                "bold",
            )
        )
    if report.problems:
        rows = len({p.line for p in report.problems})
        problems = plural(len(report.problems), "problem")
        lines.append(plain(f"{problems} in {plural(rows, 'row')}:", "$error"))
        # indented: the two spaces are layout, not part of the (cleaned) outside text
        lines += [Content.assemble("  ", plain(p)) for p in report.problems[:SHOWN]]
    lines += [Content.assemble("  ", plain(f"kept: {k}")) for k in report.kept[:SHOWN]]
    lines += [Content.assemble("  ", plain(f"review: {r}")) for r in report.reviews[:SHOWN]]
    if not report.committed:
        hint = (
            f"{keys.get('import.skip_invalid', '^s')} imports the good rows, writes the rest to "
            "a rejects file"
            if report.problems
            else f"{keys.get('import.commit', '^y')} imports"
        )
        lines.append(Content.styled(f"{hint} · Esc back (nothing written yet)", "dim"))
    return lines
