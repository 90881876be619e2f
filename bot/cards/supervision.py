"""Supervision information, and the worker's private list of things to take to supervision."""

from __future__ import annotations

from ..content.views import SupervisionWords
from ..records.private import Entry
from .base import Card, action, card, heading, help_now_action, hide_action, multiline_input, open_url, text_block


def supervision_card(content: SupervisionWords, agenda_count: int) -> Card:
    """What peer supervision is, how it differs from line management, how to book, groups."""
    info, m = content.supervision, content.messages.supervision
    body = [text_block(info.what_it_is), text_block(info.peer_vs_line), text_block(info.how_to_book)]
    if info.groups:
        body.append(text_block(m.groups_title, weight="Bolder", spacing="Medium"))
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": g.name, "value": f"{g.when}. {g.how_to_join}"} for g in info.groups],
            }
        )
    body.append(text_block(content.fill(content.messages.agenda.count, count=str(agenda_count)), spacing="Medium"))
    actions = [action(m.agenda_button, "agenda_show"), help_now_action(content)]
    if info.booking_link:
        actions.insert(0, open_url(m.book_button, str(info.booking_link)))
    fallback = "\n".join([info.what_it_is, info.peer_vs_line, info.how_to_book])
    return card(body, actions, fallback)


def agenda_card(content: SupervisionWords, entries: list[Entry], once: str) -> Card:
    """The private list, with a box to add to it and a way to clear it."""
    m = content.messages.agenda
    body = [heading(m.title)]
    body += [text_block(f"- {e.text}") for e in entries] or [text_block(m.empty)]
    if entries:
        body.append(text_block(m.share_hint, isSubtle=True))
    body += multiline_input("item", m.add_label)
    actions = [action(m.add_button, "agenda_add", once=once), hide_action(content)]
    if entries:
        actions.append(action(m.clear_button, "agenda_clear"))
    fallback = "\n".join([m.title] + [f"- {e.text}" for e in entries])
    return card(body, actions, fallback)
