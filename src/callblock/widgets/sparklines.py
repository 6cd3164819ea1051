"""Dials per day for the last weeks: one sparkline per rep, with the total and the best day."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Sparkline, Static

from callblock.widgets.plain import plain


class RepSparkline(Horizontal):
    def __init__(self, rep: str, counts: list[int]) -> None:
        super().__init__(classes="spark-row")
        self._rep, self._counts = rep, counts

    def compose(self) -> ComposeResult:
        yield Label(plain(self._rep[:12]), classes="spark-rep")
        yield Sparkline(self._counts, summary_function=max, classes="spark")
        total, best = sum(self._counts), max(self._counts, default=0)
        yield Label(f"{total:>6} · max {best}/day", classes="spark-total")


class DialSparklines(VerticalScroll):
    def show(self, days: list[date], dials: dict[str, list[int]]) -> None:
        self.remove_children()
        if not days:
            return
        title = f"Dials per day, {days[0]} – {days[-1]} (team's zone)"
        rows: list[Static | RepSparkline] = [Static(title, classes="spark-title")]
        rows += [RepSparkline(rep, counts) for rep, counts in dials.items()]
        if not dials:
            rows.append(Static("no dials in these weeks", classes="spark-title"))
        self.mount_all(rows)
