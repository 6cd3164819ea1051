"""Fuzzy lead search over name, company, email and phone digits, in memory (pure).

Built once from every lead; each query first takes the leads containing every typed word (a
word also matches its nickname-canonical form: "jim" finds James) and ranks them with rapidfuzz
`process.extract`; when that finds (almost) nothing, it adds fuzzy matches of the whole query
against every name and every company (typos: "jmes brdo").
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from callblock.domain.dedupe import fold
from callblock.domain.entries import SearchEntry
from callblock.domain.nicknames import first_name_forms

CANDIDATE_CAP = 2500  # a query that matches more leads than this ranks these first ones
FUZZY_MIN_QUERY = 3  # typo-tolerant matching starts at this many characters ...
FUZZY_BELOW = 5  # ... when fewer exact matches than this were found
FUZZY_CUTOFF = 70.0


@dataclass(frozen=True, slots=True)
class Hit:
    lead_id: int
    score: float


def haystack(entry: SearchEntry) -> str:
    """What a lead is searched by: folded name (and the formal names its first name is a
    nickname of), company, email, phone digits."""
    name = fold(entry.name)
    extra = "".join(f" {form}" for form in first_name_forms(name.split(" ", 1)[0])[1:])
    digits = "".join(ch for ch in entry.phone if ch.isdigit())
    email = entry.email.casefold()
    return f"{name}{extra} | {fold(entry.company)} | {email} {fold(email)} | {digits}"


class SearchIndex:
    def __init__(self, entries: Sequence[SearchEntry]) -> None:
        self.ids = [entry.lead_id for entry in entries]
        self.haystacks = [haystack(entry) for entry in entries]
        self._joined = "\n".join(self.haystacks)
        self._names = [fold(entry.name) for entry in entries]
        self._companies: dict[str, list[int]] = {}
        for index, entry in enumerate(entries):
            self._companies.setdefault(fold(entry.company), []).append(index)
        self._starts: list[int] = []
        position = 0
        for text in self.haystacks:
            self._starts.append(position)
            position += len(text) + 1

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Best matches first; an empty query finds nothing."""
        folded = fold(query)
        if not folded or limit < 1:
            return []
        words = [_alternatives(word) for word in folded.split()]
        candidates = self._containing(words)
        hits = self._rank(folded, candidates, limit, fuzz.WRatio)
        if len(hits) < FUZZY_BELOW and len(folded) >= FUZZY_MIN_QUERY:
            found = {hit.lead_id for hit in hits}
            for index, score in self._fuzzy(folded, limit):
                if self.ids[index] not in found and len(hits) < limit:
                    found.add(self.ids[index])
                    hits.append(Hit(self.ids[index], round(score / 2, 1)))  # below exact hits
        return hits

    def _containing(self, words: list[tuple[str, ...]]) -> list[int]:
        """Indexes of leads whose text contains every word (in any of its forms)."""
        first, *rest = sorted(words, key=lambda forms: -min(len(form) for form in forms))
        found: dict[int, None] = {}
        haystacks, starts = self.haystacks, self._starts
        for form in first:
            position = self._joined.find(form)
            while position >= 0 and len(found) < CANDIDATE_CAP:
                index = bisect_right(starts, position) - 1
                text = haystacks[index]
                if all(any(other in text for other in forms) for forms in rest):
                    found[index] = None
                position = self._joined.find(form, starts[index] + len(text))
        return list(found)

    def _fuzzy(self, query: str, limit: int) -> list[tuple[int, float]]:
        """Leads whose name or company is like the whole query, best first."""
        names = process.extract(
            query,
            self._names,
            scorer=fuzz.QRatio,
            processor=None,
            limit=limit,
            score_cutoff=FUZZY_CUTOFF,
        )
        found = [(index, score) for _name, score, index in names]
        companies = process.extract(
            query,
            list(self._companies),
            scorer=fuzz.QRatio,
            processor=None,
            limit=limit,
            score_cutoff=FUZZY_CUTOFF,
        )
        for company, score, _index in companies:
            found += [(index, score) for index in self._companies[company][:limit]]
        found.sort(key=lambda item: -item[1])
        return found

    def _rank(self, query: str, indexes: list[int], limit: int, scorer: Any) -> list[Hit]:
        choices = {index: self.haystacks[index] for index in indexes}
        ranked = process.extract(query, choices, scorer=scorer, processor=None, limit=limit)
        return [Hit(self.ids[index], round(score, 1)) for _choice, score, index in ranked]


def _alternatives(word: str) -> tuple[str, ...]:
    """The word and the formal names it is a nickname of (bess: elizabeth). A formal name
    that contains the word (al: albert and 13 more) adds nothing a text holding the word does
    not already match, so it is left out: each form is one more scan of every lead."""
    forms = first_name_forms(word)
    return (word, *(form for form in forms[1:] if word not in form))
