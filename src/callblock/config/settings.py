"""The Settings object every part of callblock reads; defaults live here, in code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from callblock.config.smtp import SmtpSettings
from callblock.domain.cadence import Cadence
from callblock.domain.calling import CallingRules
from callblock.domain.outcomes import OUTCOMES
from callblock.domain.planning import DEFAULT_BLOCKS, BlockRule
from callblock.domain.priority import QueueRules
from callblock.domain.weights import PRIOR_DIALS, Weights

# Action ids (config `[keys]` names) and their default keys, besides the outcome codes.
COMMAND_KEYS: dict[str, str] = {
    "undo": "u",
    "skip": "s",
    "note": "t",
    "edit_notes": "e",
    "help": "question_mark",
    "end_block": "q",
    "search": "slash",  # app-wide: fuzzy lead search
    "new_lead": "a",  # app-wide: add a lead
    "import_leads": "i",  # app-wide: import a CSV with a preview
}
DEFAULT_KEYS: dict[str, str] = {o.code: o.key for o in OUTCOMES} | COMMAND_KEYS


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    timezone: str = "UTC"  # the rep's (and team's) zone for display
    default_region: str = "US"  # for phone numbers written without a country code
    block_name: str = "Power hour"  # ad-hoc blocks
    target_per_hour: int = 60
    cadence: Cadence = field(default_factory=Cadence)
    calling: CallingRules = field(default_factory=CallingRules)
    weights: Weights = field(default_factory=Weights)  # the priors, before learning
    prior_dials: int = PRIOR_DIALS
    blocks: tuple[BlockRule, ...] = DEFAULT_BLOCKS
    warm_share: float = 0.25
    nurture_share: float = 0.05
    promise_grace_minutes: int = 15
    fresh_hours: int = 24
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    warm_untouched_days: int = 14  # review: a warm lead untouched longer fell through the cracks
    source: Path | None = None
    # A team database's zone (its team settings); None on a single-user database, where
    # `timezone` is both the rep's and the team's. Stored due times are computed in this zone,
    # never in a rep's own, so reps in different zones agree on them.
    team_timezone: str | None = None
    smtp: SmtpSettings | None = None  # [smtp]: where email is sent from (None: not set up)

    @property
    def team_zone(self) -> str:
        return self.team_timezone or self.timezone

    @property
    def max_attempts(self) -> int:
        return self.cadence.max_attempts

    def queue_rules(self, weights: Weights | None = None) -> QueueRules:
        """The queue's rules; `weights` are the learned ones when the caller has them."""
        return QueueRules(
            default_zone=self.timezone,
            calling=self.calling,
            cadence=self.cadence,
            weights=weights or self.weights,
            promise_grace=timedelta(minutes=self.promise_grace_minutes),
            fresh_for=timedelta(hours=self.fresh_hours),
            warm_share=self.warm_share,
            nurture_share=self.nurture_share,
        )
