"""Checks every piece of free text before anything else happens to it.

Crisis language: the help-now card at once, nothing stored, no questions; the worker then carries
on (a flow in progress asks again). Everyday work talk that uses the same words ("this rota is
killing me"): a gentle offer to check in or reflect.
"""
from __future__ import annotations

from typing import Callable

from botbuilder.core import TurnContext

from .. import cards
from ..content import Content
from ..crisis import assess
from .intent import Intent
from .replies import send_card, send_help_now


class CrisisGuard:
    def __init__(self, content: Callable[[], Content]):
        self._content = content

    async def intercept(self, turn: TurnContext, intent: Intent) -> bool:
        """True when the guard answered this turn itself (and nothing else should handle it)."""
        content = self._content()
        texts = intent.free_text()
        if not texts:
            return False
        verdicts = [assess(t, content.crisis.phrases, content.crisis.ordinary_work_talk) for t in texts]
        if any(v.crisis for v in verdicts):
            await send_help_now(turn, content)
            return True
        if intent.command is None and not intent.is_card_submit and any(v.work_talk for v in verdicts):
            m = content.messages.crisis
            actions = [cards.command_action(m.check_in_button, "check_in"),
                       cards.command_action(m.reflect_button, "reflect"), cards.help_now_action(content)]
            await send_card(turn, cards.card([cards.text_block(m.work_talk_offer)], actions, m.work_talk_offer))
            return True
        return False
