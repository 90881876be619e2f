"""The admin report: a title and its lines (no names, no scores, no group under ten)."""

from __future__ import annotations

from .base import Card, card, heading, text_block


def report_card(title: str, lines: list[str]) -> Card:
    return card([heading(title)] + [text_block(line) for line in lines], [], "\n".join([title, *lines]))
