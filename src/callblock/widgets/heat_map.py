"""The weekday x hour heat map of contact rate: shading characters carry the value, colour only
repeats it, so it reads in 16 colours and under NO_COLOR."""

from __future__ import annotations

from datetime import date

from textual.content import Content
from textual.widgets import Static

from callblock.domain.heatmap import BANDS, BEST_MIN_DIALS, MIN_DIALS, SHADES, WEEKDAYS, HeatMap

# One style per shade: the 16-colour ANSI palette (what a basic terminal has).
LEVEL_STYLES = ("ansi_red", "ansi_yellow", "ansi_green", "ansi_bright_green")


def heat_map_content(heat: HeatMap, first: date, last: date) -> Content:
    parts: list[Content | str | tuple[str, str]] = [
        (f"Contact rate by the lead's local weekday and hour, {first} – {last}\n", "bold"),
        "    " + "".join(f"{hour:>3}" for hour in range(24)) + "\n",
    ]
    for weekday, name in enumerate(WEEKDAYS):
        parts.append(f"{name} ")
        for hour in range(24):
            level = heat.level(weekday, hour)
            if level is not None:
                parts += [" ", (SHADES[level] * 2, LEVEL_STYLES[level])]
            elif heat.cells[weekday][hour][0]:
                parts.append((" ··", "dim"))  # too few dials to say
            else:
                parts.append("   ")
        parts.append("\n")
    parts += _legend(heat)
    return Content.assemble(*parts)


def _legend(heat: HeatMap) -> list[Content | str | tuple[str, str]]:
    overall = heat.overall_rate
    if overall is None:
        return [("no dials in these weeks", "dim")]
    edges = [f"{edge:.0%}" for edge in heat.band_edges()]
    labels = (f"<{edges[0]}", f"{edges[0]}–{edges[1]}", f"{edges[1]}–{edges[2]}", f"≥{edges[2]}")
    parts: list[Content | str | tuple[str, str]] = []
    for level, label in enumerate(labels):
        parts += [(SHADES[level], LEVEL_STYLES[level]), f" {label}  "]
    parts += [
        ("·", "dim"),
        f" <{MIN_DIALS} dials   team {overall:.0%} of {heat.dials:,} {_noun(heat.dials)}\n",
    ]
    extremes = heat.extremes()
    if extremes:
        (bw, bh), (ww, wh) = extremes
        parts.append(
            f"best {WEEKDAYS[bw]} {bh:02d}h {_rate(heat, bw, bh)} · "
            f"worst {WEEKDAYS[ww]} {wh:02d}h {_rate(heat, ww, wh)} "
            f"(shades at {BANDS[0]:g}/{BANDS[1]:g}/{BANDS[2]:g}x team)"
        )
    else:
        parts.append((f"no hour has {BEST_MIN_DIALS} dials yet: no best or worst named", "dim"))
    return parts


def _noun(count: int) -> str:
    return "dial" if count == 1 else "dials"


def _rate(heat: HeatMap, weekday: int, hour: int) -> str:
    dials, contacts = heat.cells[weekday][hour]
    return f"{contacts / dials:.0%} ({dials})"


class HeatMapView(Static, can_focus=True):
    def show(self, heat: HeatMap, first: date, last: date) -> None:
        self.update(heat_map_content(heat, first, last))
