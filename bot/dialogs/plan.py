"""My plan: the worker's own Wellness Action Plan, written and read only by them."""

from __future__ import annotations

from collections.abc import Callable

from ..cards.plan import plan_card
from ..content.views import Words
from ..conversation import Conversation
from ..records.private import PLAN_FIELDS, Plan
from ..usecases.private_writing import PrivateWriting
from .intent import Intent
from .registry import card_action, command


class PlanDialogs:
    def __init__(self, writing: PrivateWriting, content: Callable[[], Words]):
        self._writing = writing
        self._content = content

    @command("my_plan")
    async def show(self, chat: Conversation) -> None:
        """The plan as a form, filled in with what the worker wrote before."""
        await chat.send_card(plan_card(self._content(), await self._writing.plan(chat.worker)))

    @card_action("plan_save")
    async def save(self, chat: Conversation, intent: Intent) -> None:
        m = self._content().messages.plan
        plan = Plan(**{f: intent.value(f) for f in PLAN_FIELDS})
        await self._writing.save_plan(chat.worker, plan)
        await chat.send_text(m.empty_saved if plan.empty else m.saved)
