"""Each worker's check-in rhythm: the default one, settings, pause and resume."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from ..clock import Clock
from ..content.views import Rules
from ..records.schedules import ScheduleRepository
from ..rules import WEEKDAYS, Schedule, is_paused, new_schedule

Changed = Callable[[str, Schedule], Awaitable[None]]
SETTINGS = (
    "frequency",
    "day",
    "time",
    "timezone",
    "quiet_start",
    "quiet_end",
    "quiet_weekends",
    "pulse",
    "keep_answers",
    "low_threshold",
)


class Schedules:
    def __init__(
        self,
        records: ScheduleRepository,
        content: Callable[[], Rules],
        clock: Clock,
        default_timezone: str,
        changed: Changed,
    ):
        self._records = records
        self._content = content
        self._clock = clock
        self._timezone = default_timezone
        self._changed = changed  # the prompting index re-reads a schedule whenever it changes

    def default(self, now: dt.datetime) -> Schedule:
        rules = self._content().rules
        return new_schedule(
            now,
            frequency=rules.cadence.default,
            day=WEEKDAYS.index(rules.cadence.default_day),
            time=rules.cadence.default_time,
            timezone=self._timezone,
            quiet_start=rules.quiet_hours.start,
            quiet_end=rules.quiet_hours.end,
            quiet_weekends=rules.quiet_hours.weekends,
            pulse=rules.checkin.pulse_on_by_default,
            keep_answers=rules.checkin.keep_item_answers_by_default,
        )

    async def stored(self, pid: str) -> Schedule | None:
        """The worker's schedule if they have one (never creates it)."""
        return await self._records.get(pid)

    async def of(self, pid: str) -> Schedule:
        """The worker's schedule, creating the default one on first use."""
        schedule = await self._records.get(pid)
        if schedule is None:
            schedule = self.default(self._clock.now())
            await self.save(pid, schedule)
        return schedule

    async def proposed(self, pid: str) -> tuple[Schedule, bool]:
        """The worker's schedule, or the default one starting now and not yet saved (True): the welcome
        describes it and saves it with the worker's welcome, in one write (`adopted` after)."""
        schedule = await self._records.get(pid)
        return (schedule, False) if schedule is not None else (self.default(self._clock.now()), True)

    def putting(self, schedule: Schedule) -> Callable[[Any], None]:
        """The change that puts a proposed schedule in the worker's file (records/schedules.py)."""
        return self._records.putting(schedule)

    async def adopted(self, pid: str, schedule: Schedule) -> None:
        """A proposed schedule was saved with another change of the worker's file."""
        await self._changed(pid, schedule)

    async def save(self, pid: str, schedule: Schedule) -> None:
        await self._records.save(pid, schedule)
        await self._changed(pid, schedule)

    async def change(self, pid: str, **changes: Any) -> Schedule:
        """Apply settings; the rhythm restarts from now so no past slot is sent late."""
        current = await self.of(pid)
        now = self._clock.now()
        kept = {k: getattr(current, k) for k in ("paused_until", "paused_at")}
        settings = {name: getattr(current, name) for name in SETTINGS}
        updated = replace(new_schedule(now, **{**settings, **changes}), **kept)
        await self.save(pid, updated)
        return updated

    async def pause(self, pid: str, until: dt.date) -> Schedule:
        schedule = await self.of(pid)
        updated = replace(schedule, paused_until=until.isoformat(), paused_at=self._clock.now().isoformat())
        await self.save(pid, updated)
        return updated

    async def resume(self, pid: str) -> bool:
        """End a pause now; False if there was none. Slots missed while paused are never sent."""
        schedule = await self.of(pid)
        now = self._clock.now()
        if not is_paused(schedule, now):
            return False
        await self.save(pid, replace(schedule, paused_until=None, paused_at=None, active_from=now.isoformat()))
        return True
