"""What search and dedupe know of a lead (a light module: the store imports it at launch)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SearchEntry:
    lead_id: int
    name: str
    company: str
    email: str
    phone: str  # E.164 or ""
