"""Pause and resume: nothing is sent, counted or reported while paused; no catch-up afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..cards.pause import pause_card
from ..cards.words import describe, local_day
from ..clock import Clock
from ..content.views import Words
from ..conversation import Conversation
from ..rules import Schedule, is_paused
from ..usecases.schedules import Schedules
from .intent import Intent
from .registry import card_action, command

MAX_PAUSE_DAYS = 366


class PauseDialogs:
    def __init__(self, schedules: Schedules, content: Callable[[], Words], clock: Clock):
        self._schedules = schedules
        self._content = content
        self._clock = clock

    @command("pause")
    async def show(self, chat: Conversation) -> None:
        """Offer 1, 2 or 4 weeks, or a date."""
        content = self._content()
        schedule = await self._schedules.of(chat.worker)
        now = self._clock.now()
        if is_paused(schedule, now):
            await chat.send_text(content.fill(content.messages.pause.already, until=_until_words(content, schedule)))
            return
        earliest = (schedule.local(now).date() + dt.timedelta(days=1)).isoformat()
        await chat.send_card(pause_card(content, earliest))

    @card_action("pause_set")
    async def set(self, chat: Conversation, intent: Intent) -> None:
        """Pause for the chosen weeks or until the chosen date; anything else changes nothing."""
        content = self._content()
        schedule = await self._schedules.of(chat.worker)
        until = pause_end(schedule.local(self._clock.now()).date(), intent.values)
        if until is None:
            await chat.send_text(content.messages.pause.bad_date)
            return
        schedule = await self._schedules.pause(chat.worker, until)
        # The pause card becomes the answer: one message, and no stale buttons.
        await chat.replace_card(content.fill(content.messages.pause.paused, until=_until_words(content, schedule)))

    @command("resume")
    async def resume(self, chat: Conversation) -> None:
        """End a pause now, with a welcome back and nothing to catch up on."""
        content = self._content()
        if not await self._schedules.resume(chat.worker):
            await chat.send_text(content.messages.pause.not_paused)
            return
        schedule = await self._schedules.of(chat.worker)
        await chat.send_text(content.fill(content.messages.pause.resumed, schedule=describe(content, schedule)))


def _until_words(content: Words, schedule: Schedule) -> str:
    return local_day(content, dt.date.fromisoformat(schedule.paused_until or ""))


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
