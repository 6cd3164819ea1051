"""Contact weights by weekday and by the lead's local hour: published priors, the team's own
observed rates, and a shrinkage blend of the two.

Priors (DESIGN.md): first-dial contacts by weekday, indexed to Thursday, from the Lead Response
Management study (InsideSales.com / MIT, 2007): Mon 0.70, Tue 0.68, Wed 0.97, Thu 1.00, Fri 0.85.
The study published no weekend figure; Sat/Sun default to 0.50 (configurable). By hour (lead's
local time) the study gives the best hour (16-17), the runners-up (17-18, 08-10) and the worst
(11-12, the best being +114% over it, so 1 / 2.14 = 0.47); the hours between are interpolated.

Blend, per weekday (or hour) d with n_d dials in the team's log:

    observed_d = (contacts_d / dials_d) / (contacts / dials) * mean prior (dial-weighted)
    blended_d  = (n_d * observed_d + m * prior_d) / (n_d + m)

so a day with few dials leans on the prior and one with many (n_d >> m) on the team's own rate;
m ("prior_dials", default 200) is how many dials the prior is worth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRIOR_WEEKDAY: tuple[float, ...] = (0.70, 0.68, 0.97, 1.00, 0.85, 0.50, 0.50)
PRIOR_HOUR: tuple[float, ...] = (
    # 00-07: outside any legal calling window; weights only matter inside one
    0.40, 0.40, 0.40, 0.40, 0.40, 0.40, 0.40, 0.60,
    0.90, 0.90, 0.75, 0.47, 0.55, 0.65, 0.70, 0.80,  # 08-15
    1.00, 0.93, 0.70, 0.60, 0.55, 0.45, 0.40, 0.40,  # 16-23
)  # fmt: skip
PRIOR_DIALS = 200


@dataclass(frozen=True, slots=True)
class Weights:
    """Weekday weights (Mon..Sun) and hour weights (00..23), each around 0..1."""

    weekday: tuple[float, ...] = PRIOR_WEEKDAY
    hour: tuple[float, ...] = PRIOR_HOUR

    def at(self, weekday: int, hour: int) -> float:
        """The combined weight of calling at this local weekday and hour."""
        return self.weekday[weekday] * self.hour[hour]


@dataclass(frozen=True, slots=True)
class Tally:
    dials: int = 0
    contacts: int = 0


@dataclass(frozen=True, slots=True)
class BlendedWeight:
    prior: float
    observed: float | None  # None without any dials
    blended: float
    dials: int


def blend(
    priors: Sequence[float], tallies: Mapping[int, Tally], prior_dials: int = PRIOR_DIALS
) -> list[BlendedWeight]:
    """Shrink each slot's observed contact index toward its prior (see the module docstring)."""
    dials = sum(t.dials for t in tallies.values())
    contacts = sum(t.contacts for t in tallies.values())
    result = []
    if dials == 0 or contacts == 0:
        return [
            BlendedWeight(p, None, p, tallies.get(i, Tally()).dials) for i, p in enumerate(priors)
        ]
    overall = contacts / dials
    mean_prior = sum(priors[i] * t.dials for i, t in tallies.items()) / dials
    for index, prior in enumerate(priors):
        tally = tallies.get(index, Tally())
        if tally.dials == 0:
            result.append(BlendedWeight(prior, None, prior, 0))
            continue
        observed = (tally.contacts / tally.dials) / overall * mean_prior
        blended = (tally.dials * observed + prior_dials * prior) / (tally.dials + prior_dials)
        result.append(BlendedWeight(prior, observed, blended, tally.dials))
    return result


def learned_weights(
    priors: Weights,
    by_weekday: Mapping[int, Tally],
    by_hour: Mapping[int, Tally],
    prior_dials: int = PRIOR_DIALS,
) -> Weights:
    """The weights the queue and the planner use: priors blended with the team's log."""
    return Weights(
        weekday=tuple(w.blended for w in blend(priors.weekday, by_weekday, prior_dials)),
        hour=tuple(w.blended for w in blend(priors.hour, by_hour, prior_dials)),
    )
