"""The scheduler: one tick a minute asks the domain what is due now. No per-worker jobs.

Per-worker schedules are data, not APScheduler jobs, so restarts, daylight-saving double fires and
a second process are harmless, and catch-up after downtime is the domain's own explicit rule.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.clock import Clock

log = logging.getLogger("bot.scheduler")
DueWork = Callable[[datetime], Awaitable[None]]


class Ticker:
    """Runs each registered piece of due work once per tick, with the clock's time."""

    def __init__(self, clock: Clock):
        self._clock = clock
        self._work: list[tuple[str, DueWork]] = []
        self.last_tick: datetime | None = None

    def add(self, name: str, work: DueWork) -> None:
        """Register work to run every tick (e.g. sending due check-in prompts)."""
        self._work.append((name, work))

    async def tick(self) -> None:
        """One tick: each piece of work runs even if another fails."""
        now = self._clock.now()
        self.last_tick = now
        for name, work in self._work:
            try:
                await work(now)
            except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
                log.error("tick_work_failed work=%s error=%s", name, type(exc).__name__)


def build_scheduler() -> AsyncIOScheduler:
    """An asyncio scheduler in UTC; jobs are async so storage work stays on the event loop."""
    return AsyncIOScheduler(timezone="UTC")


def register_jobs(scheduler: AsyncIOScheduler, ticker: Ticker) -> None:
    """One job, at the start of every minute. A missed minute is coalesced, never replayed in a burst."""
    scheduler.add_job(ticker.tick, CronTrigger(second=0, timezone="UTC"), id="tick", replace_existing=True,
                      coalesce=True, max_instances=1, misfire_grace_time=30)
