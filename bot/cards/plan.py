"""My plan: the worker's own Wellness Action Plan, as a form filled in with what they wrote before."""

from __future__ import annotations

from ..content.views import Words
from ..records.private import PLAN_FIELDS, Plan
from .base import Card, action, card, hide_action, multiline_input, text_block


def plan_card(content: Words, plan: Plan) -> Card:
    m = content.messages.plan
    inputs = [part for f in PLAN_FIELDS for part in multiline_input(f, getattr(m, f), getattr(plan, f))]
    return card([text_block(m.intro)] + inputs, [action(m.save_button, "plan_save"), hide_action(content)], m.intro)
