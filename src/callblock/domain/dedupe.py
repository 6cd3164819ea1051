"""Duplicate leads: match keys, blocking, fuzzy scores with reasons, merge-or-review (pure).

Exact keys (E.164 phone, email) and blocking keys (first name + company, once for the name as
written and once for each formal name it is a nickname of; last name + company; the full name,
in the same forms, when there is no company) put leads that could be one person into small
blocks; only leads sharing a block are compared, never all pairs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from callblock.domain.contacts import joined
from callblock.domain.models import PHONE_FIELDS
from callblock.domain.nicknames import first_name_forms, is_nickname_pair

NAME_MATCH = 85.0  # same phone and names at least this similar: one person
FUZZY_NAME = 90.0  # no shared phone/email: names at least this similar ...
FUZZY_COMPANY = 85.0  # ... at companies at least this similar: reported for review
BLOCK_LIMIT = 200  # a block larger than this compares a new lead with its latest members only

_COMPANY_NOISE = frozenset(
    "the inc incorporated llc ltd limited corp corporation co company gmbh plc sa ag bv pty "
    "llp lp srl oy ab as".split()
)
_TITLES = frozenset("mr mrs ms miss dr prof jr sr ii iii iv phd md".split())


_NOT_WORD = re.compile(r"[^0-9a-z]+")
_EXACT = ("phone", "email")  # blocks of one value: no names kept, none screened


class Verdict(StrEnum):
    MERGE = "merge"  # one person: merged on import
    REVIEW = "review"  # maybe one person: reported, never merged silently


@dataclass(frozen=True, slots=True)
class MatchKeys:
    phone: str  # E.164 or ""
    email: str  # lowercase or ""
    first: str  # as written (normalized), e.g. "jim"
    name: str  # "jim brodo": the name normalized, without titles
    last: str
    company: str  # company key: "brodo" for "Brodo, Inc."
    forms: tuple[str, ...] = ()  # the first name and the formal names it is a nickname of
    rest: str = ""  # the name after the first name: "brodo"
    blocks: tuple[tuple[str, ...], ...] = ()  # see block_keys; computed by match_keys
    # per block: the name as that block compares it, words sorted (None: phone, email)
    screened: tuple[str | None, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    score: int  # 0..100
    reason: str
    verdict: Verdict


def fold(text: str) -> str:
    """Lowercase, accents removed, punctuation to spaces, single-spaced."""
    text = text.casefold()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", text).split())


@lru_cache(maxsize=65_536)  # companies repeat: many leads per company
def company_key(company: str) -> str:
    return " ".join(word for word in fold(company).split() if word not in _COMPANY_NOISE)


def match_keys(name: str, company: str, phone: str, email: str) -> MatchKeys:
    first, full, rest, last, forms = _name_keys(name)
    keys = MatchKeys(
        phone=phone,
        email=email.strip().casefold(),
        first=first,
        name=full,
        rest=rest,
        last=last,
        company=company_key(company),
        forms=forms,
    )
    # a slotted frozen dataclass: set once here, not copied by replace() (imports key 200,000)
    blocks = _blocks(keys)
    object.__setattr__(keys, "blocks", tuple(blocks))
    object.__setattr__(keys, "screened", _screened(keys, blocks))
    return keys


@lru_cache(maxsize=65_536)  # names repeat (an import keys the stored leads and the file's rows)
def _name_keys(name: str) -> tuple[str, str, str, str, tuple[str, ...]]:
    """(first, name, rest, last, forms) of MatchKeys for `name`."""
    if name.count(",") == 1:  # "Brodo, Jim" as some CRMs write it
        last, first = name.split(",")
        name = f"{first} {last}"
    words = [word for word in fold(name).split() if word not in _TITLES]
    first = words[0] if words else ""
    return (
        first,
        " ".join(words),
        " ".join(words[1:]),
        words[-1] if len(words) > 1 else "",
        first_name_forms(first) if first else (),
    )


def block_keys(keys: MatchKeys) -> list[tuple[str, ...]]:
    """The blocks a lead belongs to; two leads are compared only if they share one."""
    return list(keys.blocks) if keys.blocks else _blocks(keys)


def _blocks(keys: MatchKeys) -> list[tuple[str, ...]]:
    blocks: list[tuple[str, ...]] = []
    if keys.phone:
        blocks.append(("phone", keys.phone))
    if keys.email:
        blocks.append(("email", keys.email))
    if keys.company:
        blocks += [("first+company", form, keys.company) for form in keys.forms]
    if keys.company and keys.last:
        blocks.append(("last+company", keys.last, keys.company))
    if not keys.company and keys.name:
        blocks += [("name", f"{form} {keys.rest}".strip()) for form in keys.forms]
    return blocks


def _screened(keys: MatchKeys, blocks: list[tuple[str, ...]]) -> tuple[str | None, ...]:
    """Each block's name as it compares it, words sorted (None for phone and email blocks):
    from the name alone, so computed once per distinct name."""
    by_form = _form_names(keys.forms, keys.rest)
    whole = _token_sorted(keys.name)
    names: list[str | None] = []
    for block in blocks:
        kind = block[0]
        if kind in _EXACT:
            names.append(None)
        elif kind == "last+company":
            names.append(whole)
        else:  # first+company or name: with the block's form of the first name
            names.append(by_form[block[1]] if kind == "first+company" else _token_sorted(block[1]))
    return tuple(names)


@lru_cache(maxsize=65_536)
def _form_names(forms: tuple[str, ...], rest: str) -> dict[str, str]:
    return {form: _token_sorted(f"{form} {rest}".strip()) for form in forms}


@lru_cache(maxsize=65_536)
def _token_sorted(name: str) -> str:
    """`name` as rapidfuzz's token_sort_ratio compares it: its words sorted. The ratio of two
    such strings is their token_sort_ratio, 4x faster than sorting at each comparison."""
    return " ".join(sorted(name.split()))


def compare(a: MatchKeys, b: MatchKeys) -> Match | None:
    """Are `a` and `b` one person? None when nothing suggests it. Symmetric.

    A shared email or phone alone never merges: mailboxes (office@, info@) and switchboards
    are shared, so a different name (or, with the same email, a different phone) is reported
    for review and both people are kept."""
    score = name_score(a, b)
    if a.email and a.email == b.email:
        if score >= NAME_MATCH and not (a.phone and b.phone and a.phone != b.phone):
            return Match(100, "same email", Verdict.MERGE)
        differs = "different phones" if score >= NAME_MATCH else "different names"
        return Match(
            50 + round(score / 5), f"same email, {differs} (a shared mailbox?)", Verdict.REVIEW
        )
    if a.phone and a.phone == b.phone:
        if score >= NAME_MATCH:
            return Match(max(90, round(score)), f"same phone, {_names(a, b)}", Verdict.MERGE)
        return Match(
            50 + round(score / 5),
            "same phone, different names (a switchboard?)",
            Verdict.REVIEW,
        )
    if score < FUZZY_NAME:
        return None
    if a.company or b.company:
        company_score = fuzz.ratio(a.company, b.company)
        if company_score < FUZZY_COMPANY:
            return None
        place = "same company" if a.company == b.company else "similar company"
    else:
        company_score, place = 80.0, "no company"
    total = round(0.6 * score + 0.4 * company_score)
    return Match(total, f"{_names(a, b)}, {place}", Verdict.REVIEW)


def name_score(a: MatchKeys, b: MatchKeys) -> float:
    """How alike the names are (0..100); first names the dataset pairs (jim, james) count as
    one: the rest of the names are compared under the form they share."""
    if not a.name or not b.name:
        return 0.0
    if is_nickname_pair(a.first, b.first):
        shared = set(a.forms) & set(b.forms)  # a direct pair always shares one of them
        scores = (fuzz.token_sort_ratio(f"{f} {a.rest}", f"{f} {b.rest}") for f in shared)
        return max(scores, default=0.0)
    return fuzz.token_sort_ratio(a.name, b.name)


def same_person(a: MatchKeys, b: MatchKeys) -> bool:
    """Do the names say one person (equal, nicknames, or at least NAME_MATCH similar)?"""
    return a.name == b.name or name_score(a, b) >= NAME_MATCH


def _names(a: MatchKeys, b: MatchKeys) -> str:
    if is_nickname_pair(a.first, b.first):
        first, second = sorted((a.first, b.first))
        return f"nickname {first.title()}/{second.title()}"
    return "same name" if a.name == b.name else "similar names"


def _blocks_of(keys: MatchKeys) -> tuple[tuple[tuple[str, ...], ...], tuple[str | None, ...]]:
    if keys.blocks and len(keys.screened) == len(keys.blocks):
        return keys.blocks, keys.screened
    blocks = _blocks(keys)  # keys built by hand (tests) have neither
    return tuple(blocks), _screened(keys, blocks)


class DuplicateIndex:
    """Leads added so far, by block; finds the likely duplicates of a new one."""

    def __init__(self) -> None:
        # block -> (refs, the names as the block compares them; None for an exact block)
        self._blocks: dict[tuple[str, ...], tuple[list[Hashable], list[str] | None]] = {}
        self._keys: dict[Hashable, MatchKeys] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, ref: Hashable, keys: MatchKeys) -> None:
        # an import adds 200,000 leads: one lookup per block, no string work
        self._keys[ref] = keys
        blocks = self._blocks
        for block, name in zip(*_blocks_of(keys), strict=True):
            bucket = blocks.get(block)
            if bucket is None:
                blocks[block] = ([ref], None if name is None else [name])
                continue
            bucket[0].append(ref)
            if name is not None:
                bucket[1].append(name)  # type: ignore[union-attr]

    def keys(self, ref: Hashable) -> MatchKeys:
        return self._keys[ref]

    def matches(self, keys: MatchKeys) -> list[tuple[Hashable, Match]]:
        """Leads in the index that may be `keys`, best first (merges before reviews)."""
        seen: set[Hashable] = set()
        found: list[tuple[Hashable, Match]] = []
        stored = self._keys
        for block, name in zip(*_blocks_of(keys), strict=True):
            bucket = self._blocks.get(block)
            if bucket is None:
                continue
            refs, names = bucket
            if len(refs) > BLOCK_LIMIT:
                refs = refs[-BLOCK_LIMIT:]
                names = names[-BLOCK_LIMIT:] if names is not None else None
            if names is not None:
                # Name blocks: a lead sharing no phone or email (those blocks come first)
                # matches only with a similar name, so rapidfuzz screens the block in C (the
                # ratio of names with their words sorted: token_sort_ratio, see _token_sorted).
                similar = process.extract(
                    name,
                    names,
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=FUZZY_NAME,
                    limit=None,
                )
                refs = [refs[index] for _name, _score, index in similar]
            for ref in refs:
                if ref in seen:
                    continue
                seen.add(ref)
                match = compare(keys, stored[ref])
                if match is not None:
                    found.append((ref, match))
        if len(found) > 1:
            found.sort(key=lambda item: (item[1].verdict != Verdict.MERGE, -item[1].score))
        return found


def find_pairs(
    leads: Iterable[tuple[Hashable, MatchKeys]],
) -> list[tuple[Hashable, Hashable, Match]]:
    """Every likely duplicate pair among `leads` (earlier ref first), best score first."""
    index = DuplicateIndex()
    pairs: list[tuple[Hashable, Hashable, Match]] = []
    for ref, keys in leads:
        pairs += [(other, ref, match) for other, match in index.matches(keys)]
        index.add(ref, keys)
    pairs.sort(key=lambda pair: -pair[2].score)
    return pairs


# A lead's main phone or email, and the list that keeps its others.
CONTACTS = (("phone", "other_phones"), ("email", "other_emails"))


# Merge fields of issue 11: filled when the kept lead has none (a rep's correction is kept).
_PARTS = ("first_name", "last_name", "pronunciation", "interest")


def merge_fields(into: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """What `into` gains from `other` (only the changed fields): empty fields are filled, notes
    appended, links joined, fit and extra keys added; nothing `into` has is overwritten, and
    no phone or email is lost: one that differs from `into`'s is kept in its other phones or
    emails (see `set_aside`)."""
    changes: dict[str, Any] = {}
    for name in ("company", "title", "email", "timezone", "record_region", "owner", *_PARTS):
        if not into.get(name) and other.get(name):
            changes[name] = other[name]
    if not into.get("phone") and other.get("phone"):
        for name in PHONE_FIELDS:  # the number and what it implies, as one
            changes[name] = other.get(name)
    for main, others in CONTACTS:
        kept = list(into.get(others) or ())
        mine = changes.get(main, into.get(main)) or ""
        more = joined(mine, kept, [other.get(main) or "", *(other.get(others) or ())])
        if more != kept:
            changes[others] = more
    notes, their_notes = into.get("notes") or "", other.get("notes") or ""
    if their_notes.strip() and their_notes.strip() not in notes:
        changes["notes"] = (
            f"{notes.rstrip()}\n\n{their_notes.strip()}" if notes.strip() else their_notes
        )
    links = list(dict.fromkeys([*(into.get("links") or ()), *(other.get("links") or ())]))
    if links != list(into.get("links") or ()):
        changes["links"] = links
    for name in ("fit", "extra"):
        merged = (other.get(name) or {}) | (into.get(name) or {})
        if merged != (into.get(name) or {}):
            changes[name] = merged
    return changes


def set_aside(into: dict[str, Any], changes: dict[str, Any]) -> list[tuple[str, str]]:
    """The phones and emails `changes` (from `merge_fields`) adds to `into`'s other ones, as
    ("phone" | "email", value): what a merge kept besides the lead's main number and address."""
    added: list[tuple[str, str]] = []
    for main, others in CONTACTS:
        before = set(into.get(others) or ())
        added += [(main, value) for value in changes.get(others, ()) if value not in before]
    return added
