"""Pause: 1, 2 or 4 weeks, or until a date."""

from __future__ import annotations

from ..content.views import Words
from .base import Card, action, card, date_input, help_now_action, text_block


def pause_card(content: Words, earliest: str) -> Card:
    m = content.messages.pause
    actions = [
        action(title, "pause_set", weeks=str(weeks))
        for weeks, title in ((1, m.one_week), (2, m.two_weeks), (4, m.four_weeks))
    ]
    actions += [action(m.until_date_button, "pause_set"), help_now_action(content)]
    return card([text_block(m.intro)] + date_input("until", m.until_date_label, earliest), actions, m.intro)
