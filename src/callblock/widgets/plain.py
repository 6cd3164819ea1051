"""Helpers to show outside text as plain text, never markup."""

from __future__ import annotations

from textual.content import Content

from callblock.domain.text import clean_line


def plain(value: object, style: str = "") -> Content:
    """Outside text as literal Content (cleaned again: defence in depth, it is cheap)."""
    return Content.styled(clean_line(value), style) if style else Content(clean_line(value))
