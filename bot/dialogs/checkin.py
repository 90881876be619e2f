"""The check-in conversation: the card, answers (card or typed), skipping, and what comes back."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import assert_never

from ..cards import checkin as cards
from ..cards.base import once
from ..cards.guide import topic_card
from ..content.views import CheckinWords
from ..conversation import Conversation
from ..usecases.checkins import Checkins, SubmitResult
from .help import HELP_NOW_SHOWN
from .intent import Intent
from .registry import card_action, command, typed

_PIECES = re.compile(r"[^\s,]+")  # words and numbers between spaces or commas: linear, no backtracking
AfterCheckin = Callable[[Conversation], Awaitable[None]]


def leading_numbers(text: str) -> tuple[list[str], bool]:
    """The numbers a message starts with, and whether it is only numbers ("3 4 2 5 1")."""
    numbers: list[str] = []
    for match in _PIECES.finditer(text):
        piece = match.group()
        if not piece.isdigit():
            return numbers, False
        numbers.append(piece)
    return numbers, True


class CheckinDialogs:
    """Talks with the worker about check-ins; the use-case decides and stores."""

    def __init__(self, checkins: Checkins, content: Callable[[], CheckinWords], after_checkin: AfterCheckin):
        self._checkins = checkins
        self._content = content
        self._after_checkin = after_checkin  # the supervisor rule: the worker always hears first

    @command("check_in")
    async def start(self, chat: Conversation) -> None:
        """Send a check-in card now."""
        content = self._content()
        prompt = await self._checkins.start_now(chat.worker)
        lead = content.messages.checkin.lead_on_demand
        await chat.send_card(cards.checkin_card(content, prompt.instrument, prompt.nonce, lead))

    @card_action("checkin_submit")
    async def submit(self, chat: Conversation, intent: Intent) -> None:
        """Save the answers on a check-in card (once), then give one useful thing back."""
        await self._answer(chat, await self._checkins.submit(chat.worker, intent.values.get("nonce"), intent.values))

    @card_action("checkin_skip")
    async def skip(self, chat: Conversation, intent: Intent) -> None:
        """Skip this check-in: never counted, never reported."""
        completion = await self._checkins.skip(chat.worker, intent.values.get("nonce"))
        m = self._content().messages.checkin
        match completion.outcome:
            case "saved":
                await chat.replace_card(m.skipped)
            case "already_done":
                skipped = completion.prompt is not None and completion.prompt.status == "skipped"
                await chat.send_text(m.already_skipped if skipped else m.already_saved)
            case "closed" | "unknown":
                await chat.send_text(m.closed)
            case unhandled:
                assert_never(unhandled)

    @typed
    async def typed_answers(self, chat: Conversation, intent: Intent) -> bool:
        """Answers typed as numbers, for clients that cannot show the card (words may follow a full set
        of answers: "1 0 2 1 0 rough week"). False if the message is not that."""
        numbers, only_numbers = leading_numbers(intent.text or "")
        if not numbers:
            return False
        prompt = await self._checkins.latest_open(chat.worker)
        if prompt is None:
            if not only_numbers:
                return False
            await chat.send_text(self._content().messages.checkin.nothing_open)
            return True
        instrument = self._content().instruments[prompt.instrument]
        if not only_numbers and len(numbers) != len(instrument.items):
            return False
        values = {item.id: numbers[i] for i, item in enumerate(instrument.items) if i < len(numbers)}
        if len(numbers) > len(instrument.items):
            values = {}  # too many numbers: ask again rather than guess
        await self._answer(chat, await self._checkins.submit(chat.worker, prompt.nonce, values), typed=True)
        return True

    async def _answer(self, chat: Conversation, result: SubmitResult, typed: bool = False) -> None:
        content = self._content()
        m = content.messages.checkin
        if result.outcome == "incomplete":
            missing = ", ".join(str(n) for n in result.missing)
            await chat.send_text(content.fill(m.incomplete_typed if typed else m.incomplete, questions=missing))
        elif result.outcome == "already_done":
            await chat.send_text(m.already_saved)
        elif result.outcome == "closed" or result.outcome == "unknown":
            await chat.send_text(m.closed)
        elif result.outcome == "saved":
            # The answered card becomes neutral words, so no answers stay in the chat.
            await (chat.send_text(m.saved) if typed else chat.replace_card(m.saved))
            # Very low: the contacts come straight away, in the same card as the thank-you; never the score.
            very_low = result.band == "very_low"
            await chat.send_card(cards.thanks_card(content, once(), contacts=very_low))
            if very_low:
                chat.notes[HELP_NOW_SHOWN] = True
            if result.band is not None:
                await self._after_checkin(chat)
        else:
            assert_never(result.outcome)

    @card_action("checkin_prompt")
    async def prompt(self, chat: Conversation) -> None:
        """'A question to reflect on', opened on request after a check-in."""
        content = self._content()
        prompts = content.prompts.prompts
        count = len(await self._checkins.completed(chat.worker))
        await chat.send_card(cards.question_card(content, prompts[count % len(prompts)].text))

    @card_action("checkin_guide")
    async def guide(self, chat: Conversation) -> None:
        """'From the guide', opened on request: a topic that fits how the latest check-in went."""
        content = self._content()
        level = await self._checkins.latest_band(chat.worker)
        topics = content.rules.topics
        topic_id = {"low": topics.after_low, "very_low": topics.after_very_low}.get(level or "", topics.after_ok)
        await chat.send_card(topic_card(content, content.topic(topic_id)))
