"""Helpers to show outside text as plain text, never markup."""

from __future__ import annotations

from textual.content import Content

from callblock.domain.models import Lead
from callblock.domain.text import clean_line


def plain(value: object, style: str = "") -> Content:
    """Outside text as literal Content (cleaned again: defence in depth, it is cheap)."""
    return Content.styled(clean_line(value), style) if style else Content(clean_line(value))


def say_it(lead: Lead) -> tuple[Content, ...]:
    """How to say the lead's name, to put right after it: " (BROH-doh)", or nothing."""
    if not lead.pronunciation:
        return ()
    return Content(" ("), plain(lead.pronunciation, "italic"), Content(")")
