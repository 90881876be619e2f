"""My plan: the worker's own Wellness Action Plan, written and read only by them."""
from __future__ import annotations

from typing import Callable

from botbuilder.core import TurnContext

from .. import cards
from ..content import Content
from ..private_records import Plan, PlanRepository
from .intent import Intent, pid_of
from .replies import send_card

FIELDS = ("keeps_me_well", "early_signs", "what_helps", "who_to_contact")


class PlanDialogs:
    def __init__(self, plans: PlanRepository, content: Callable[[], Content]):
        self._plans = plans
        self._content = content

    async def show(self, turn: TurnContext, intent: Intent) -> None:
        """The plan as a form, filled in with what the worker wrote before."""
        content = self._content()
        m = content.messages.plan
        plan = await self._plans.get(pid_of(turn))
        inputs = [part for f in FIELDS for part in cards.multiline_input(f, getattr(m, f), getattr(plan, f))]
        actions = [cards.submit(m.save_button, "plan_save"), cards.hide_action(content)]
        await send_card(turn, cards.form_card(m.intro, inputs, actions, m.intro))

    async def save(self, turn: TurnContext, intent: Intent) -> None:
        m = self._content().messages.plan
        plan = Plan(**{f: str(intent.values.get(f, "")) for f in FIELDS})
        await self._plans.save(pid_of(turn), plan)
        await turn.send_activity(m.empty_saved if plan.empty else m.saved)
