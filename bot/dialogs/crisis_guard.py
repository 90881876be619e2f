"""The crisis guard in the conversation: it reads everything the worker wrote in a turn and adds help
beside what the bot does, never instead of it.

Whatever the worker was doing (a reflection, a note, a plan, a request to their supervisor, settings)
is saved or sent exactly as usual; then, for crisis talk about the writer, the help-now card follows,
and for crisis topics one gentle line with a "Get help now" button. Nothing is stored because of the
guard and nothing of the text is logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..cards import help as help_cards
from ..content import Content
from ..conversation import Conversation
from ..crisis import NOTHING, Answer, Assessment
from .help import HELP_NOW_SHOWN, send_help_now
from .intent import Intent


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

    async def add_help(self, chat: Conversation, assessment: Assessment, *, after_saving: bool) -> None:
        """After the turn's own work: the help-now card (answer 1) or one gentle line (answer 2)."""
        if chat.notes.get(HELP_NOW_SHOWN):
            return
        content = self._content()
        m = content.messages.crisis
        if assessment.answer is Answer.CRISIS:
            await send_help_now(chat, content, lead=m.after_saving if after_saving else m.acknowledge)
        elif assessment.answer is Answer.TOPIC:
            await chat.send_card(help_cards.crisis_topic_card(content))

    async def offer(self, chat: Conversation) -> None:
        """For an everyday saying typed on its own ("this rota is killing me"): a gentle offer."""
        await chat.send_card(help_cards.work_talk_card(self._content()))
