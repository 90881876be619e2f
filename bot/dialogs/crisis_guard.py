"""The crisis guard in the conversation: it reads everything the worker wrote in a turn and adds help
beside what the bot does, never instead of it.

Whatever the worker was doing (a reflection, a note, a plan, a request to their supervisor, settings)
is saved or sent exactly as usual; then, by the guard's answer: for the writer at risk now, the
help-now card (or, for an overdose now, 999 or A&E first; for being unsafe, its own contacts); when
unsure, one calm card with the key numbers written out; for crisis topics, one gentle line with a
"Get help now" button. Nothing is stored because of the guard and nothing of the text is logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..cards import help as help_cards
from ..content.views import SupportWords
from ..conversation import Conversation
from ..crisis import NOTHING, Answer, Assessment, Guard, Situation
from .help import HELP_NOW_SHOWN, send_help_now
from .intent import Intent

# Which contacts the offer writes out (contacts.yaml, situations), by what the guard heard.
OFFER_CONTACTS = {Situation.GENERAL: "offer", Situation.OVERDOSE: "overdose", Situation.UNSAFE: "unsafe"}


class CrisisGuard:
    def __init__(self, content: Callable[[], SupportWords], guard: Callable[[], Guard]):
        self._content = content
        self._guard = guard  # built by bot/crisis from the content being served

    async def assess(self, intent: Intent) -> Assessment:
        """The most urgent answer over every piece of free text in the turn."""
        guard = self._guard()
        result = NOTHING
        for text in intent.free_text():
            for part in guard.slices(text):
                result = result.worse(part)
                await asyncio.sleep(0)  # a very long message never holds up anyone else's turn
        return result.concluded()  # "me too" in another slice or field than the crisis talk

    async def add_help(self, chat: Conversation, assessment: Assessment, *, after_saving: bool) -> None:
        """After the turn's own work, the help its answer calls for (at most once a turn)."""
        if chat.notes.get(HELP_NOW_SHOWN):
            return
        content = self._content()
        m = content.messages.crisis
        answer, situation = assessment.answer, assessment.situation
        if answer is Answer.CRISIS and situation is Situation.UNSAFE:
            chat.notes[HELP_NOW_SHOWN] = True
            await chat.send_card(help_cards.unsafe_card(content))
        elif answer is Answer.CRISIS:
            # An overdose now comes before everything; being unsafe beside other crisis talk leads the card.
            first = (
                m.overdose_lead if situation is Situation.OVERDOSE else m.unsafe_lead if assessment.unsafe_too else None
            )
            await send_help_now(chat, content, lead=m.after_saving if after_saving else m.acknowledge, first=first)
        elif answer is Answer.OFFER:
            chat.notes[HELP_NOW_SHOWN] = True
            await chat.send_card(help_cards.offer_card(content, OFFER_CONTACTS[situation]))
        elif answer is Answer.TOPIC:
            await chat.send_card(help_cards.crisis_topic_card(content))

    async def offer(self, chat: Conversation) -> None:
        """For an everyday saying typed on its own ("this rota is killing me"): a gentle offer."""
        await chat.send_card(help_cards.work_talk_card(self._content()))
