"""The check-in conversation: the card, answers (card or typed), skipping, and what comes back."""
from __future__ import annotations

import re
from typing import Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes

from .. import cards
from ..checkins import CheckinService, SubmitResult
from ..content import Content
from .guide import topic_card
from .intent import Intent, pid_of
from .replies import send_card, send_help_now

_PIECES = re.compile(r"[^\s,]+")  # words and numbers between spaces or commas: linear, no backtracking


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
    """Talks with the worker about check-ins; the service decides and stores."""

    def __init__(self, service: CheckinService, content: Callable[[], Content],
                 after_checkin: Callable[[TurnContext], Awaitable[None]] | None = None):
        self._service = service
        self._content = content
        self._after_checkin = after_checkin

    async def start(self, turn: TurnContext, intent: Intent) -> None:
        """Send a check-in card now."""
        content = self._content()
        prompt = await self._service.start_on_demand(pid_of(turn))
        lead = content.messages.checkin.lead_on_demand
        await send_card(turn, cards.checkin_card(content, prompt.instrument, prompt.nonce, lead))

    async def submit(self, turn: TurnContext, intent: Intent) -> None:
        """Save the answers on a check-in card (once), then give one useful thing back."""
        result = await self._service.submit(pid_of(turn), intent.values.get("nonce"), intent.values)
        await self._answer(turn, result)

    async def skip(self, turn: TurnContext, intent: Intent) -> None:
        """Skip this check-in: never counted, never reported."""
        completion = await self._service.skip(pid_of(turn), intent.values.get("nonce"))
        m = self._content().messages.checkin
        if completion.outcome == "saved":
            await self._replace_card(turn, m.skipped)
        elif completion.outcome == "already_done":
            await turn.send_activity(m.already_saved)
        else:
            await turn.send_activity(m.closed)

    async def typed(self, turn: TurnContext, intent: Intent) -> bool:
        """Answers typed as numbers, for clients that cannot show the card (words may follow a full set
        of answers: "1 0 2 1 0 rough week"). False if the message is not that."""
        numbers, only_numbers = leading_numbers(intent.text or "")
        if not numbers:
            return False
        pid = pid_of(turn)
        prompt = await self._service.latest_open(pid)
        if prompt is None:
            if not only_numbers:
                return False
            await turn.send_activity(self._content().messages.checkin.nothing_open)
            return True
        instrument = self._content().instruments[prompt.instrument]
        if not only_numbers and len(numbers) != len(instrument.items):
            return False
        values = {item.id: numbers[i] for i, item in enumerate(instrument.items) if i < len(numbers)}
        if len(numbers) > len(instrument.items):
            values = {}  # too many numbers: ask again rather than guess
        await self._answer(turn, await self._service.submit(pid, prompt.nonce, values), typed=True)
        return True

    async def _answer(self, turn: TurnContext, result: SubmitResult, typed: bool = False) -> None:
        content = self._content()
        m = content.messages.checkin
        if result.outcome == "incomplete":
            key = "checkin.incomplete_typed" if typed else "checkin.incomplete"
            await turn.send_activity(content.text(key, questions=", ".join(str(n) for n in result.missing)))
        elif result.outcome == "already_done":
            await turn.send_activity(m.already_saved)
        elif result.outcome in ("closed", "unknown"):
            await turn.send_activity(m.closed)
        else:
            if not typed:
                await self._replace_card(turn, m.saved)
            else:
                await turn.send_activity(m.saved)
            await self._follow_up(turn, content, result)
            if self._after_checkin and result.band is not None:
                await self._after_checkin(turn)  # the supervisor rule: the worker always hears first

    async def _follow_up(self, turn: TurnContext, content: Content, result: SubmitResult) -> None:
        """The same thank-you whatever the score (Teams keeps chat history), with support behind buttons
        that open on request; the contacts straight away only for a very low check-in. Never the score."""
        m = content.messages.checkin
        actions = [cards.action(m.prompt_button, "checkin_prompt"), cards.action(m.guide_button, "checkin_guide"),
                   cards.command_action(content.command("my_plan").title, "my_plan"),
                   cards.action(content.messages.agenda.take_button, "agenda_add_checkin", once=cards.once())]
        await send_card(turn, cards.card([cards.text_block(m.thanks)], actions, m.thanks))
        if result.band == "very_low":
            await send_help_now(turn, content)

    async def prompt(self, turn: TurnContext, intent: Intent) -> None:
        """'A question to reflect on', opened on request after a check-in."""
        content = self._content()
        prompts = content.prompts.prompts
        count = len(await self._service.completed(pid_of(turn)))
        text = f"{content.messages.checkin.something_to_think_about}\n\n{prompts[count % len(prompts)].text}"
        actions = [cards.command_action(content.command("reflect").title, "reflect")]
        await send_card(turn, cards.card([cards.text_block(text)], actions, text))

    async def guide(self, turn: TurnContext, intent: Intent) -> None:
        """'From the guide', opened on request: a topic that fits how the latest check-in went."""
        content = self._content()
        level = await self._service.latest_band(pid_of(turn))
        topics = content.rules.topics
        topic_id = {"low": topics.after_low, "very_low": topics.after_very_low}.get(level or "", topics.after_ok)
        await send_card(turn, topic_card(content, content.topic(topic_id)))

    async def _replace_card(self, turn: TurnContext, text: str) -> None:
        """Replace the answered card with neutral words, so no answers stay in the chat."""
        card_id = turn.activity.reply_to_id
        if card_id:
            await turn.update_activity(Activity(type=ActivityTypes.message, id=card_id, text=text))
        else:
            await turn.send_activity(text)
