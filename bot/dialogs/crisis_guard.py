"""The crisis guard in the conversation: it reads everything the worker wrote in a turn and adds help
beside what the bot does, never instead of it.

Whatever the worker was doing (a reflection, a note, a plan, a request to their supervisor, settings)
is saved or sent exactly as usual; then, for crisis talk about the writer, the help-now card follows,
and for crisis topics one gentle line with a "Get help now" button. Nothing is stored because of the
guard and nothing of the text is logged.
"""
from __future__ import annotations

import asyncio
from typing import Callable

from botbuilder.core import TurnContext

from .. import cards
from ..content import Content
from ..crisis import NOTHING, Answer, Assessment
from .intent import Intent
from .replies import HELP_NOW_SHOWN, send_card, send_help_now


class CrisisGuard:
    def __init__(self, content: Callable[[], Content]):
        self._content = content

    async def assess(self, intent: Intent) -> Assessment:
        """The most urgent answer over every piece of free text in the turn."""
        guard = self._content().guard
        result = NOTHING
        for text in intent.free_text():
            for part in guard.slices(text):
                result = result.worse(part)
                await asyncio.sleep(0)  # a very long message never holds up anyone else's turn
        return result

    async def add_help(self, turn: TurnContext, assessment: Assessment, *, after_saving: bool) -> None:
        """After the turn's own work: the help-now card (answer 1) or one gentle line (answer 2)."""
        content = self._content()
        m = content.messages.crisis
        if assessment.answer is Answer.CRISIS and not turn.turn_state.get(HELP_NOW_SHOWN):
            await send_help_now(turn, content, lead=m.after_saving if after_saving else m.acknowledge)
        elif assessment.answer is Answer.TOPIC and not turn.turn_state.get(HELP_NOW_SHOWN):
            await send_card(turn, cards.topic_card(content, m.topic_line))

    async def offer(self, turn: TurnContext) -> None:
        """For an everyday saying typed on its own ("this rota is killing me"): a gentle offer."""
        content = self._content()
        m = content.messages.crisis
        actions = [cards.command_action(m.check_in_button, "check_in"),
                   cards.command_action(m.reflect_button, "reflect"), cards.help_now_action(content)]
        await send_card(turn, cards.card([cards.text_block(m.work_talk_offer)], actions, m.work_talk_offer))
