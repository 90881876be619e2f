"""Scheduled check-ins: each tick, send what is due, remind once, expire what is old.

An in-memory index of when each worker next needs attention keeps a tick's work proportional to the
workers who have something due; it is rebuilt from storage at start-up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..clock import Clock
from ..content import Content
from ..records.prompts import PromptLog, PromptRecord
from ..records.schedules import ScheduleRepository
from ..records.workers import Worker, WorkerRepository
from ..rules import Schedule, Timing, due_slot, effective, is_expired, is_slot_day, next_check, reminder_due
from .ports import Notices
from .rule_settings import timing_of

log = logging.getLogger("bot.checkins")


class DueIndex:
    """When each worker next needs the tick's attention."""

    def __init__(self) -> None:
        self._next: dict[str, dt.datetime] = {}

    def set(self, pid: str, when: dt.datetime | None) -> None:
        if when is None:
            self._next.pop(pid, None)
        else:
            self._next[pid] = when

    def due(self, now: dt.datetime) -> list[str]:
        """Workers whose next event is at or before `now`, earliest first."""
        return sorted((p for p, t in self._next.items() if t <= now), key=self._next.__getitem__)

    def __len__(self) -> int:
        return len(self._next)


@dataclass
class TickReport:
    considered: int = 0
    sent: int = 0
    reminded: int = 0
    expired: int = 0
    undelivered: int = 0


class Prompting:
    def __init__(
        self,
        *,
        workers: WorkerRepository,
        schedules: ScheduleRepository,
        prompts: PromptLog,
        notices: Notices,
        content: Callable[[], Content],
        clock: Clock,
        concurrency: int = 64,
    ):
        self._workers = workers
        self._schedules = schedules
        self._prompts = prompts
        self._notices = notices
        self._content = content
        self._clock = clock
        self._concurrency = concurrency
        self.index = DueIndex()

    async def reindex(self, pid: str, schedule: Schedule | None = None) -> None:
        """Re-read when this worker next needs attention (after any change to their schedule or prompts)."""
        schedule = schedule or await self._schedules.get(pid)
        if schedule is None:
            self.index.set(pid, None)
            return
        log_by_slot = {p.slot: p.state for p in await self._prompts.all(pid)}
        self.index.set(pid, next_check(effective(schedule), log_by_slot, self._clock.now(), timing_of(self._content())))

    def forget(self, pid: str) -> None:
        self.index.set(pid, None)

    async def rebuild_index(self) -> int:
        """At start-up: settle sends the last run left unfinished, then index every worker."""
        for pid in await self._workers.all_pids():
            schedule = await self._schedules.get(pid)
            if schedule is not None:
                await self._settle_interrupted(pid, self._clock.now())
                await self.reindex(pid, schedule)
        return len(self.index)

    async def send_due(self, now: dt.datetime) -> TickReport:
        """One tick: expire, remind and send for every worker whose time has come."""
        report = TickReport()
        gate = asyncio.Semaphore(self._concurrency)

        async def one(pid: str) -> None:
            async with gate:
                await asyncio.sleep(0)  # let other work in between workers: no long loop stalls
                try:
                    await self._process(pid, now, report)
                except Exception as exc:  # noqa: BLE001 - one worker's failure must not stop the rest
                    log.error("tick_worker_failed worker=%s error=%s", pid, type(exc).__name__)

        due = self.index.due(now)
        report.considered = len(due)
        await asyncio.gather(*(one(pid) for pid in due))
        if due:
            log.info(
                "tick considered=%d sent=%d reminded=%d expired=%d undelivered=%d",
                report.considered,
                report.sent,
                report.reminded,
                report.expired,
                report.undelivered,
            )
        return report

    async def _process(self, pid: str, now: dt.datetime, report: TickReport) -> None:
        schedule = await self._schedules.get(pid)
        worker = await self._workers.get(pid)
        if schedule is None or worker is None:
            self.index.set(pid, None)
            return
        timing = timing_of(self._content())
        for prompt in await self._prompts.all(pid):
            if is_expired(prompt.state, now, timing):
                await self._prompts.update(pid, prompt.nonce, status="expired", closed_at=now.isoformat())
                report.expired += 1
        if worker.installed and not worker.unreachable:
            await self._remind(worker, schedule, now, timing, report)
            await self._send_slot(worker, schedule, now, timing, report)
        await self.reindex(pid)

    async def _remind(
        self, worker: Worker, schedule: Schedule, now: dt.datetime, timing: Timing, report: TickReport
    ) -> None:
        for prompt in await self._prompts.all(worker.pid):
            if reminder_due(schedule, prompt.state, now, timing):
                # Marked before sending: a crash can cost a reminder, never repeat one.
                await self._prompts.update(worker.pid, prompt.nonce, reminded=True)
                await self._notices.checkin_reminder(worker)
                report.reminded += 1

    async def _send_slot(
        self, worker: Worker, schedule: Schedule, now: dt.datetime, timing: Timing, report: TickReport
    ) -> None:
        log_by_slot = {p.slot: p.state for p in await self._prompts.all(worker.pid)}
        slot = due_slot(effective(schedule), log_by_slot, now, timing)
        if slot is None:
            return
        rules = self._content().rules
        instrument = (
            rules.checkin.instrument if is_slot_day(schedule, dt.date.fromisoformat(slot.id)) else rules.checkin.pulse
        )
        if not instrument:
            return
        after_pause = schedule.paused_until is not None
        nonce = secrets.token_urlsafe(12)
        record = PromptRecord(
            slot.id, nonce, instrument, "sending", created_at=now.isoformat(), after_pause=after_pause
        )
        if not await self._prompts.reserve(worker.pid, record, now):
            return  # an earlier tick already has this slot
        for older in await self._prompts.all(worker.pid):
            if older.status == "open" and older.nonce != nonce:
                await self._prompts.update(worker.pid, older.nonce, status="expired", closed_at=now.isoformat())
        if after_pause:  # the first check-in after a pause is going out: the pause is over
            await self._schedules.save(worker.pid, replace(schedule, paused_until=None, paused_at=None))
        delivery = await self._notices.checkin(worker, instrument, nonce, schedule if after_pause else None)
        sent_at = self._clock.now().isoformat()
        if delivery.delivered:
            await self._prompts.update(worker.pid, nonce, status="open", sent_at=sent_at, activity_id=delivery.ids[-1])
            report.sent += 1
        else:
            await self._prompts.update(worker.pid, nonce, status="undelivered", closed_at=sent_at)
            report.undelivered += 1

    async def _settle_interrupted(self, pid: str, now: dt.datetime) -> None:
        """Whatever its age: a check-in that was being sent when the bot stopped is not retried (it may
        have arrived); it is recorded as undelivered and the worker is told."""
        interrupted = [p for p in await self._prompts.all(pid) if p.status == "sending"]
        for prompt in interrupted:
            await self._prompts.update(pid, prompt.nonce, status="undelivered", closed_at=now.isoformat())
        worker = await self._workers.get(pid) if interrupted else None
        if worker and worker.installed and not worker.unreachable:
            await self._notices.checkin_interrupted(worker)
