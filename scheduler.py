"""Every piece of timed work the bot does, declared in one place (`timed_work`), and the one clock that
drives it: an APScheduler job at the start of every minute runs whatever is due at that minute.

Per-worker schedules are data, not APScheduler jobs: the tick asks the domain what is due now, so
restarts and daylight-saving double fires are harmless and catch-up after downtime is the domain's own
explicit rule. However many processes share a store, only the one that leads (the store decides: a
PostgreSQL advisory lock, passed on when its holder stops) runs the timed work: nothing is sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.assembly import Wellbeing
from bot.clock import Clock

log = logging.getLogger("bot.scheduler")
Work = Callable[[datetime], Awaitable[object]]


def every_minute(now: datetime) -> bool:
    return True


def hourly(now: datetime) -> bool:
    return now.minute == 0


def daily_at(hour: int, minute: int = 0) -> Callable[[datetime], bool]:
    def due(now: datetime) -> bool:
        return now.hour == hour and now.minute == minute

    return due


@dataclass(frozen=True)
class TimedWork:
    name: str
    due: Callable[[datetime], bool]  # at which minutes (UTC) it runs
    run: Work


def timed_work(bot: Wellbeing) -> list[TimedWork]:
    """All of it. Each is idempotent: running it twice in a minute changes nothing the second time."""
    return [
        # Check-ins due now, reminders, and expiring what was never answered (docs/checkins.md).
        TimedWork("checkins", every_minute, bot.prompting.send_due),
        # A request unacknowledged after the working days in rules.yaml: offer the worker a nudge.
        TimedWork("supervisor_follow_ups", hourly, bot.requests.offer_nudges),
        # A named person due for re-confirmation (every few months): ask the worker once.
        TimedWork("link_reconfirmation", hourly, bot.links.ask_to_reconfirm),
        # Delete what is past its retention period (docs/privacy.md), at 03:00 UTC.
        TimedWork("retention", daily_at(3), bot.retention.run),
        # Nominations and requests a stopped process was sending: the worker is told (with several processes,
        # one may stop while the others run on).
        TimedWork("interrupted_sends", hourly, bot.settle_interrupted),
        # A group rollout (`admin install`) whose process stopped: carried on where it was.
        TimedWork("rollouts", every_minute, bot.rollouts.resume),
        # Activity ids and send paces past their use (shared between processes on PostgreSQL).
        TimedWork("tidy", hourly, lambda now: bot.coordination.tidy()),
    ]


class Ticker:
    """Runs each piece of timed work that is due, once per tick, with the clock's time."""

    def __init__(self, clock: Clock, work: list[TimedWork], lead: Callable[[], Awaitable[bool]] | None = None):
        self._clock = clock
        self._work = work
        self._lead = lead
        self.last_tick: datetime | None = None
        self.leading = lead is None

    async def tick(self) -> None:
        """One tick: each due piece of work runs even if another fails (only in the leading process)."""
        now = self._clock.now()
        self.last_tick = now
        if self._lead is not None:
            try:
                leading = await self._lead()
            except Exception as exc:  # noqa: BLE001 - the store is unreachable: another process may lead
                log.error("tick_lead_failed error=%s", type(exc).__name__)
                leading = False
            if leading != self.leading:
                log.info("tick_leading now=%s", leading)
            self.leading = leading
            if not leading:
                return
        for work in self._work:
            if not work.due(now):
                continue
            try:
                await work.run(now)
            except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
                log.error("tick_work_failed work=%s error=%s", work.name, type(exc).__name__)


def build_scheduler() -> AsyncIOScheduler:
    """An asyncio scheduler in UTC; jobs are async so storage work stays on the event loop."""
    return AsyncIOScheduler(timezone="UTC")


def register_jobs(scheduler: AsyncIOScheduler, ticker: Ticker, every: int = 60) -> None:
    """One job, at the start of every minute (or every `every` seconds, for trials). A missed tick is
    coalesced, never replayed in a burst."""
    trigger = CronTrigger(second=0, timezone="UTC") if every >= 60 else IntervalTrigger(seconds=every)
    scheduler.add_job(
        ticker.tick,
        trigger,
        id="tick",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=30,
    )
