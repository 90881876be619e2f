"""Reflect after a difficult shift, and the worker's private notes."""

from __future__ import annotations

from ..content.schema import Prompt
from ..content.views import Words
from ..records.private import Entry
from .base import Card, action, card, heading, hide_action, multiline_input, text_block
from .words import day_words


def reflect_card(content: Words, prompts: list[Prompt], once: str) -> Card:
    """A few peer-work prompts and a private box for thoughts."""
    m = content.messages.reflect
    body = [text_block(m.intro)] + [text_block(f"- {p.text}", weight="Bolder") for p in prompts]
    body += multiline_input("thoughts", m.notes_label)
    actions = [
        action(m.save_button, "reflect_save", once=once),
        action(m.done_button, "reflect_done"),
        action(content.messages.agenda.take_button, "agenda_add_reflection", once=once),
    ]
    return card(body, actions, "\n".join([m.intro] + [p.text for p in prompts]))


def notes_card(content: Words, notes: list[Entry]) -> Card:
    m = content.messages.notes
    body = [heading(m.title)]
    body += [text_block(f"{day_words(content, n.added_on)}: {n.text}") for n in notes] or [text_block(m.empty)]
    actions = [hide_action(content)] + ([action(m.delete_button, "notes_delete")] if notes else [])
    return card(body, actions, m.title)
