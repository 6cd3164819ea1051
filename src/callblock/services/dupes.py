"""Likely duplicate leads in the database (`callblock dupes`), and merging two (`merge`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from callblock.clock import Clock, iso
from callblock.config import Settings
from callblock.domain.dedupe import DuplicateIndex, company_key, find_pairs, match_keys
from callblock.domain.merging import merge_records
from callblock.domain.models import Lead
from callblock.domain.text import NOTE_MAX
from callblock.services import ServiceError
from callblock.services.cadence import refresh_due
from callblock.services.leads import get_lead
from callblock.services.learning import current_weights
from callblock.store import Store
from callblock.store.convert import lead_record


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    lead_id: int
    other_lead_id: int
    score: int
    reason: str
    verdict: str  # merge | review
    # who the two are, so a list of pairs can be read without looking each id up
    name: str = ""
    company: str = ""
    other_name: str = ""
    other_company: str = ""


def find_duplicates(store: Store) -> list[DuplicatePair]:
    """Pairs of leads that are probably one person, best score first (blocked, never all
    pairs: see domain/dedupe.py)."""
    entries = {entry.lead_id: entry for entry in store.leads.search_entries()}
    leads = (
        (lead_id, match_keys(entry.name, entry.company, entry.phone, entry.email))
        for lead_id, entry in entries.items()
    )
    pairs = []
    for a, b, match in find_pairs(leads):
        one, two = entries[cast(int, a)], entries[cast(int, b)]
        pairs.append(
            DuplicatePair(
                cast(int, a),
                cast(int, b),
                match.score,
                match.reason,
                match.verdict.value,
                one.name,
                one.company,
                two.name,
                two.company,
            )
        )
    return pairs


def duplicates_of(store: Store, lead_id: int) -> list[DuplicatePair]:
    """The likely duplicates of one lead (this lead first in each pair), best score first: the
    same matching as `find_duplicates`, only the pairs that hold this lead."""
    entries = {entry.lead_id: entry for entry in store.leads.search_entries()}
    this = entries.pop(lead_id, None)
    if this is None:
        return []
    keys = match_keys(this.name, this.company, this.phone, this.email)
    index = DuplicateIndex()
    for other_id, entry in entries.items():
        # Only a lead that can share a block (domain/dedupe.py: phone, email, company, or a
        # name without a company) is keyed and compared: 0.3 s over 100,000 leads, not 5 s.
        if not (
            (keys.phone and entry.phone == keys.phone)
            or (keys.email and entry.email.strip().casefold() == keys.email)
            or company_key(entry.company) == keys.company
        ):
            continue
        index.add(other_id, match_keys(entry.name, entry.company, entry.phone, entry.email))
    found = [
        DuplicatePair(
            lead_id,
            cast(int, other_id),
            match.score,
            match.reason,
            match.verdict.value,
            this.name,
            this.company,
            entries[cast(int, other_id)].name,
            entries[cast(int, other_id)].company,
        )
        for other_id, match in index.matches(keys)
    ]
    found.sort(key=lambda pair: -pair.score)
    return found


@dataclass(frozen=True, slots=True)
class Merged:
    lead_id: int  # the survivor
    other_lead_id: int
    moved: dict[str, int]  # touches, callbacks
    # (field, value) kept besides: phones and emails as other ones, the rest in the notes
    kept: tuple[tuple[str, str], ...] = ()


def merge_leads(
    store: Store,
    clock: Clock,
    *,
    rep: str,
    keep: int,
    other: int,
    settings: Settings,
    session_id: int | None = None,
) -> Merged:
    """Merge `other` into `keep` in one transaction: touches, callbacks and notes move to the
    survivor, its empty fields are filled, `other`'s differing values are kept (see
    domain/merging.py), do-not-call wins; `other` stays, marked merged. Refused, with nothing
    changed, when the notes together would pass NOTE_MAX."""
    if keep == other:
        raise ServiceError("merge: a lead cannot be merged into itself")
    with store.transaction():
        survivor, merged = get_lead(store, keep), get_lead(store, other)
        now = iso(clock.now())
        for lead in (survivor, merged):
            into = store.leads.merged_into(lead.id)
            if into is not None:
                raise ServiceError(f"merge: lead {lead.id} was already merged into lead {into}")
        for lead in (survivor, merged):
            holder = store.sessions.lease_holder(lead.id, now, hold=True)
            if holder is not None and holder.session_id != session_id:  # one person, one screen
                raise ServiceError(
                    f"merge: lead {lead.id} is on {holder.rep}'s screen right now; merge it later"
                )
        into_record = mergeable_fields(store, survivor)
        other_record = mergeable_fields(store, merged)
        if merged.notes.strip():
            header = f"(merged from lead {merged.id}, {merged.name})"
            other_record["notes"] = f"{header}\n{merged.notes.strip()}"
        merge = merge_records(into_record, other_record, f"lead {merged.id}")
        if merge.too_long:
            raise ServiceError(
                f"merge: lead {keep}'s and lead {other}'s notes together would be "
                f"{merge.notes_length:,} characters (at most {NOTE_MAX:,}); shorten either "
                "lead's notes first"
            )
        changes, kept = merge.changes, tuple(merge.kept)
        if merged.bad_number and merged.phone == survivor.phone:
            changes["bad_number"] = True
        store.leads.update_lead_fields(keep, changes)
        moved = store.leads.move_lead_records(other, keep)
        store.leads.mark_merged(other, keep)
        store.leads.refresh_lead_counters(keep)
        store.leads.refresh_lead_counters(other)
        refresh_due(store, settings, current_weights(store, settings), [keep, other])
        store.touches.add_audit(
            iso(clock.now()),
            rep,
            "merge",
            None,
            {
                "lead_id": keep,
                "merged_lead_id": other,
                "moved": moved,
                "changed": sorted(changes),
                "kept_aside": [list(item) for item in kept],
                "merged_lead": {"name": merged.name, "company": merged.company},
            },
        )
    return Merged(keep, other, moved, kept)


def mergeable_fields(store: Store, lead: Lead) -> dict[str, Any]:
    """The fields a merge (or an import's merge into a lead) may fill, as `merge_fields` reads
    them: the lead as a record (the converter's), with its extra fields."""
    return lead_record(lead) | {"extra": store.leads.lead_extra(lead.id)}
