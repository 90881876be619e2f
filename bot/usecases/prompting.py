"""Scheduled check-ins: each tick, send what is due, remind once, expire what is old.

An index of when each worker next needs attention (the store's: in memory for the embedded store,
a table for PostgreSQL) keeps a tick's work proportional to the workers who have something due; it is
rebuilt from the records at start-up. A check-in being sent carries its sender's id: another process
finishes what a stopped sender left, and never what a running one is still doing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..clock import Clock
from ..content.views import Rules
from ..records.prompts import PromptLog, PromptRecord
from ..records.schedules import ScheduleRepository
from ..records.workers import Worker, WorkerRepository
from ..rules import Schedule, Timing, due_slot, effective, is_expired, is_slot_day, next_check, reminder_due
from ..storage.base import DueIndex
from .ports import Notice, Notices, Processes
from .rule_settings import timing_of

log = logging.getLogger("bot.checkins")
CHECKIN = Notice("checkin", card="checkin")
REMINDER = Notice("checkin_reminder")
INTERRUPTED = Notice("checkin_interrupted")


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
        content: Callable[[], Rules],
        clock: Clock,
        due: DueIndex,
        processes: Processes | None = None,
        concurrency: int = 64,
    ):
        self._workers = workers
        self._schedules = schedules
        self._prompts = prompts
        self._notices = notices
        self._content = content
        self._clock = clock
        self._concurrency = concurrency
        self.index = due
        self._processes = processes or Processes()

    async def reindex(self, pid: str, schedule: Schedule | None = None) -> None:
        """Re-read when this worker next needs attention (after any change to their schedule or prompts)."""
        schedule = schedule or await self._schedules.get(pid)
        if schedule is None:
            await self.index.set(pid, None)
            return
        prompts, now = await self._prompts.all(pid), self._clock.now()
        when = next_check(effective(schedule), {p.slot: p.state for p in prompts}, now, timing_of(self._content()))
        if any(p.status == "sending" for p in prompts):
            # Another process may be sending it: look again at the next tick, in case that process stops first.
            when = now
        await self.index.set(pid, when)

    async def forget(self, pid: str) -> None:
        await self.index.set(pid, None)

    async def rebuild_index(self) -> int:
        """At start-up: settle sends a stopped process left unfinished, then index every worker. A
        durable index (PostgreSQL) is kept as it is: the processes still running keep it current, and
        each tick settles what a stopped one left. Built only when empty (a site just moved there)."""
        if self.index.durable and await self.index.count():
            return await self.index.count()
        for pid in await self._workers.all_pids():
            schedule = await self._schedules.get(pid)
            if schedule is not None:
                await self._settle_interrupted(pid, self._clock.now())
                await self.reindex(pid, schedule)
        return await self.index.count()

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

        due = await self.index.due(now)
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
            await self.index.set(pid, None)
            return
        await self._settle_interrupted(pid, now)
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
                await self._notices.send(REMINDER, worker)
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
            slot.id,
            nonce,
            instrument,
            "sending",
            created_at=now.isoformat(),
            after_pause=after_pause,
            owner=self._processes.me,
        )
        if not await self._prompts.reserve(worker.pid, record, now):
            return  # an earlier tick already has this slot
        for older in await self._prompts.all(worker.pid):
            if older.status == "open" and older.nonce != nonce:
                await self._prompts.update(worker.pid, older.nonce, status="expired", closed_at=now.isoformat())
        if after_pause:  # the first check-in after a pause is going out: the pause is over
            await self._schedules.save(worker.pid, replace(schedule, paused_until=None, paused_at=None))

        async def attempting() -> None:
            await self._prompts.update(worker.pid, nonce, attempted=True)

        delivery = await self._notices.send(
            CHECKIN,
            worker,
            on_attempt=attempting,
            instrument=instrument,
            nonce=nonce,
            welcome_back=schedule if after_pause else None,
        )
        sent_at = self._clock.now().isoformat()
        if delivery.delivered:
            await self._prompts.update(worker.pid, nonce, status="open", sent_at=sent_at, activity_id=delivery.ids[-1])
            report.sent += 1
        else:
            await self._prompts.update(worker.pid, nonce, status="undelivered", closed_at=sent_at)
            report.undelivered += 1

    async def _settle_interrupted(self, pid: str, now: dt.datetime) -> None:
        """A check-in whose sender stopped (whatever its age): if its card never went to Teams, the slot
        is given back and sent again now; if it may have gone, it is not repeated: it is recorded as
        undelivered and the worker is told."""
        interrupted = []
        for prompt in await self._prompts.all(pid):
            if prompt.status != "sending" or await self._processes.running(prompt.owner):
                continue
            if not prompt.attempted and await self._prompts.release(pid, prompt.nonce):
                continue
            interrupted.append(prompt)
        for prompt in interrupted:
            await self._prompts.update(pid, prompt.nonce, status="undelivered", closed_at=now.isoformat())
        worker = await self._workers.get(pid) if interrupted else None
        if worker and worker.installed and not worker.unreachable:
            await self._notices.send(INTERRUPTED, worker, in_turn=True)
