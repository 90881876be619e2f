"""Pause and resume: nothing is sent, counted or reported while paused; no catch-up afterwards."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from botbuilder.core import TurnContext

from .. import cards
from ..checkins import CheckinService
from ..clock import Clock
from ..content import Content
from ..rules import is_paused
from .intent import Intent, pid_of
from .replies import send_card
from ..schedule_text import describe, local_day

MAX_PAUSE_DAYS = 366


class PauseDialogs:
    def __init__(self, service: CheckinService, content: Callable[[], Content], clock: Clock):
        self._service = service
        self._content = content
        self._clock = clock

    async def show(self, turn: TurnContext, intent: Intent) -> None:
        """Offer 1, 2 or 4 weeks, or a date."""
        content = self._content()
        m = content.messages.pause
        schedule = await self._service.schedule_for(pid_of(turn))
        now = self._clock.now()
        if is_paused(schedule, now):
            await turn.send_activity(content.text("pause.already", until=self._until_words(content, schedule)))
            return
        inputs = [{"type": "TextBlock", "text": m.until_date_label, "wrap": True, "spacing": "Medium"},
                  {"type": "Input.Date", "id": "until", "label": m.until_date_label,
                   "min": (schedule.local(now).date() + dt.timedelta(days=1)).isoformat()}]
        actions = [{"type": "Action.Submit", "title": title, "data": {"action": "pause_set", "weeks": str(weeks)},
                    "associatedInputs": "none"}
                   for weeks, title in ((1, m.one_week), (2, m.two_weeks), (4, m.four_weeks))]
        actions.append({"type": "Action.Submit", "title": m.until_date_button, "data": {"action": "pause_set"}})
        actions.append(cards.help_now_action(content))
        await send_card(turn, cards.form_card(m.intro, inputs, actions, m.intro))

    async def set(self, turn: TurnContext, intent: Intent) -> None:
        """Pause for the chosen weeks or until the chosen date; anything else changes nothing."""
        content = self._content()
        pid = pid_of(turn)
        schedule = await self._service.schedule_for(pid)
        today = schedule.local(self._clock.now()).date()
        until = pause_end(today, intent.values)
        if until is None:
            await turn.send_activity(content.messages.pause.bad_date)
            return
        schedule = await self._service.pause(pid, until)
        await turn.send_activity(content.text("pause.paused", until=self._until_words(content, schedule)))

    async def resume(self, turn: TurnContext, intent: Intent) -> None:
        """End a pause now, with a welcome back and nothing to catch up on."""
        content = self._content()
        pid = pid_of(turn)
        if not await self._service.resume(pid):
            await turn.send_activity(content.messages.pause.not_paused)
            return
        schedule = await self._service.schedule_for(pid)
        await turn.send_activity(content.text("pause.resumed", schedule=describe(content, schedule)))

    def _until_words(self, content: Content, schedule) -> str:
        return local_day(content, dt.date.fromisoformat(schedule.paused_until))


def pause_end(today: dt.date, values: dict) -> dt.date | None:
    """The first day check-ins start again, from '1/2/4 weeks' or a date; None if not acceptable."""
    weeks = str(values.get("weeks", ""))
    if weeks in ("1", "2", "4"):
        return today + dt.timedelta(weeks=int(weeks))
    try:
        until = dt.date.fromisoformat(str(values.get("until", "")).strip())
    except ValueError:
        return None
    if not today < until <= today + dt.timedelta(days=MAX_PAUSE_DAYS):
        return None
    return until
