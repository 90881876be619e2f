"""Check-in use-cases: schedules, on-demand and scheduled prompts, submissions, pause and resume.

Joins the rules (pure decisions), the repositories (durable records) and the messenger (proactive
sends). Knows nothing of Teams activity shapes: messages go out as text or card dicts.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from dataclasses import dataclass, replace
from typing import Callable

from . import cards
from .clock import Clock
from .content import Content
from .due_index import DueIndex
from .messenger import Messenger, Outgoing
from .repositories import CheckinRecord, CheckinRepository, WorkerRepository
from .rules import (WEEKDAYS, Schedule, Timing, band, due_slot, effective, is_expired, is_paused, is_slot_day,
                    new_schedule, next_check, reminder_due, score)
from .schedule_text import describe
from .schedule_store import Completion, PromptLog, PromptRecord, ScheduleRepository

log = logging.getLogger("bot.checkins")


def timing_of(content: Content) -> Timing:
    r = content.rules
    return Timing(dt.timedelta(hours=r.reminder_after_hours), dt.timedelta(hours=r.expire_after_hours),
                  dt.timedelta(hours=r.catch_up_hours))


@dataclass(frozen=True)
class SubmitResult:
    outcome: str  # saved, incomplete, already_done, closed, unknown
    instrument: str = ""
    band: str | None = None
    missing: tuple[int, ...] = ()  # question numbers (1-based) with no valid answer
    completed: int = 0  # completed check-ins so far, for varying the follow-up


@dataclass
class TickReport:
    considered: int = 0
    sent: int = 0
    reminded: int = 0
    expired: int = 0
    undelivered: int = 0


class CheckinService:
    def __init__(self, *, workers: WorkerRepository, schedules: ScheduleRepository, prompts: PromptLog,
                 checkins: CheckinRepository, messenger: Messenger | None, content: Callable[[], Content],
                 clock: Clock, default_timezone: str, index: DueIndex | None = None, concurrency: int = 64):
        self._workers = workers
        self._schedules = schedules
        self._prompts = prompts
        self._checkins = checkins
        self._messenger = messenger
        self._content = content
        self._clock = clock
        self._timezone = default_timezone
        self.index = index or DueIndex()
        self._concurrency = concurrency

    # Schedules ------------------------------------------------------------------------------------

    def default_schedule(self, now: dt.datetime) -> Schedule:
        rules = self._content().rules
        return new_schedule(
            now, frequency=rules.cadence.default, day=WEEKDAYS.index(rules.cadence.default_day),
            time=rules.cadence.default_time, timezone=self._timezone, quiet_start=rules.quiet_hours.start,
            quiet_end=rules.quiet_hours.end, quiet_weekends=rules.quiet_hours.weekends,
            pulse=rules.checkin.pulse_on_by_default, keep_answers=rules.checkin.keep_item_answers_by_default)

    async def schedule_for(self, pid: str) -> Schedule:
        """The worker's schedule, creating the default one on first use."""
        schedule = await self._schedules.get(pid)
        if schedule is None:
            schedule = self.default_schedule(self._clock.now())
            await self.save_schedule(pid, schedule)
        return schedule

    async def save_schedule(self, pid: str, schedule: Schedule) -> None:
        await self._schedules.save(pid, schedule)
        await self._reindex(pid, schedule, self._clock.now())

    async def change_schedule(self, pid: str, **changes) -> Schedule:
        """Apply settings; the rhythm restarts from now so no past slot is sent late."""
        current = await self.schedule_for(pid)
        now = self._clock.now()
        kept = {k: getattr(current, k) for k in ("paused_until", "paused_at")}
        updated = replace(new_schedule(now, **{**_settings_of(current), **changes}), **kept)
        await self.save_schedule(pid, updated)
        return updated

    async def pause(self, pid: str, until: dt.date) -> Schedule:
        schedule = await self.schedule_for(pid)
        updated = replace(schedule, paused_until=until.isoformat(), paused_at=self._clock.now().isoformat())
        await self.save_schedule(pid, updated)
        return updated

    async def resume(self, pid: str) -> bool:
        """End a pause now; False if there was none. Slots missed while paused are never sent."""
        schedule = await self.schedule_for(pid)
        if not is_paused(schedule, self._clock.now()):
            return False
        now = self._clock.now()
        await self.save_schedule(pid, replace(schedule, paused_until=None, paused_at=None,
                                              active_from=now.isoformat()))
        return True

    # On-demand check-ins and submissions ----------------------------------------------------------

    async def start_on_demand(self, pid: str) -> PromptRecord:
        """Open a check-in now (not a scheduled slot: no reminder, never counted as missed)."""
        now = self._clock.now()
        instrument = self._content().rules.checkin.instrument
        nonce = secrets.token_urlsafe(12)
        record = PromptRecord(f"now-{nonce}", nonce, instrument, "open", created_at=now.isoformat(),
                              sent_at=now.isoformat(), on_demand=True)
        await self._prompts.reserve(pid, record, now)
        return record

    async def latest_open(self, pid: str) -> PromptRecord | None:
        now, timing = self._clock.now(), timing_of(self._content())
        open_prompts = [p for p in await self._prompts.all(pid)
                        if p.status == "open" and not is_expired(p.state, now, timing)]
        return max(open_prompts, key=lambda p: p.sent_at or "", default=None)

    async def submit(self, pid: str, nonce: str, values: dict) -> SubmitResult:
        """Score and store a check-in: once only, only for the worker's own open prompt."""
        prompt = await self._prompts.find(pid, nonce) if isinstance(nonce, str) and nonce else None
        if prompt is None:
            return SubmitResult("unknown")
        now, content = self._clock.now(), self._content()
        if prompt.status == "open" and is_expired(prompt.state, now, timing_of(content)):
            await self._prompts.update(pid, nonce, status="expired", closed_at=now.isoformat())
            return SubmitResult("closed", prompt.instrument)
        instrument = content.instruments.get(prompt.instrument)
        if instrument is None:
            return SubmitResult("closed", prompt.instrument)
        item_ids = [i.id for i in instrument.items]
        scored = score(item_ids, [a.value for a in instrument.answers], instrument.scoring.multiplier, values)
        if not scored.ok:
            if prompt.status != "open":
                return SubmitResult("already_done" if prompt.status in ("answered", "skipped") else "closed")
            bad = set(scored.missing) | set(scored.invalid)
            return SubmitResult("incomplete", prompt.instrument,
                                missing=tuple(n for n, i in enumerate(item_ids, 1) if i in bad))
        schedule = await self.schedule_for(pid)
        record = CheckinRecord(date=schedule.local(now).date().isoformat(), instrument=prompt.instrument,
                               total=scored.total, answers=scored.answers if schedule.keep_answers else None)
        completion = await self._prompts.complete(pid, nonce, "answered", now, record)
        result_band = self._band(content, schedule, prompt.instrument, scored.total)
        await self._reindex(pid, schedule, now)
        if completion.outcome != "saved":
            return SubmitResult(completion.outcome, prompt.instrument)
        count = len(await self._checkins.list(pid))
        return SubmitResult("saved", prompt.instrument, result_band, completed=count)

    async def skip(self, pid: str, nonce: str) -> Completion:
        if not isinstance(nonce, str) or not nonce:
            return Completion("unknown")
        completion = await self._prompts.complete(pid, nonce, "skipped", self._clock.now())
        await self._reindex(pid, await self.schedule_for(pid), self._clock.now())
        return completion

    async def completed(self, pid: str) -> list[CheckinRecord]:
        """The worker's completed check-ins, oldest first."""
        return await self._checkins.list(pid)

    async def latest_band(self, pid: str) -> str | None:
        """How the latest completed check-in of the main instrument went, for choosing a guide topic."""
        content = self._content()
        main = [c for c in await self._checkins.list(pid) if c.instrument == content.rules.checkin.instrument]
        if not main:
            return None
        schedule = await self.schedule_for(pid)
        return self._band(content, schedule, main[-1].instrument, main[-1].total)

    def _band(self, content: Content, schedule: Schedule, instrument: str, total: int) -> str | None:
        """Only the main instrument, which has published cut-offs, is ever banded."""
        if instrument != content.rules.checkin.instrument or not content.instruments[instrument].has_cut_offs:
            return None
        t = content.rules.thresholds
        return band(total, schedule.low_threshold or t.low, t.very_low)

    # Scheduled prompts ----------------------------------------------------------------------------

    async def rebuild_index(self) -> int:
        """Compute every worker's next event from storage (at start-up)."""
        now = self._clock.now()
        for pid in await self._workers.all_pids():
            schedule = await self._schedules.get(pid)
            if schedule is not None:
                await self._settle_interrupted(pid, now)
                await self._reindex(pid, schedule, now)
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
            log.info("tick considered=%d sent=%d reminded=%d expired=%d undelivered=%d", report.considered,
                     report.sent, report.reminded, report.expired, report.undelivered)
        return report

    async def _process(self, pid: str, now: dt.datetime, report: TickReport) -> None:
        schedule = await self._schedules.get(pid)
        worker = await self._workers.get(pid)
        if schedule is None or worker is None:
            self.index.set(pid, None)
            return
        content = self._content()
        timing = timing_of(content)
        for prompt in await self._prompts.all(pid):
            if is_expired(prompt.state, now, timing):
                await self._prompts.update(pid, prompt.nonce, status="expired", closed_at=now.isoformat())
                report.expired += 1
        if worker.installed and not worker.unreachable:
            await self._remind(worker, schedule, now, timing, report)
            await self._send_slot(worker, schedule, now, timing, report)
        await self._reindex(pid, await self._schedules.get(pid) or schedule, now)

    async def _remind(self, worker, schedule: Schedule, now: dt.datetime, timing: Timing, report: TickReport) -> None:
        for prompt in await self._prompts.all(worker.pid):
            if reminder_due(schedule, prompt.state, now, timing):
                # Marked before sending: a crash can cost a reminder, never repeat one.
                await self._prompts.update(worker.pid, prompt.nonce, reminded=True)
                await self._messenger.send(worker, [Outgoing(text=self._content().messages.checkin.reminder)])
                report.reminded += 1

    async def _send_slot(self, worker, schedule: Schedule, now: dt.datetime, timing: Timing, report: TickReport) -> None:
        log_by_slot = {p.slot: p.state for p in await self._prompts.all(worker.pid)}
        slot = due_slot(effective(schedule), log_by_slot, now, timing)
        if slot is None:
            return
        content = self._content()
        instrument = (content.rules.checkin.instrument if is_slot_day(schedule, dt.date.fromisoformat(slot.id))
                      else content.rules.checkin.pulse)
        if not instrument:
            return
        after_pause = schedule.paused_until is not None
        nonce = secrets.token_urlsafe(12)
        record = PromptRecord(slot.id, nonce, instrument, "sending", created_at=now.isoformat(), after_pause=after_pause)
        if not await self._prompts.reserve(worker.pid, record, now):
            return  # another tick or process already has this slot
        for older in await self._prompts.all(worker.pid):
            if older.status == "open" and older.nonce != nonce:
                await self._prompts.update(worker.pid, older.nonce, status="expired", closed_at=now.isoformat())
        messages = []
        if after_pause:
            messages.append(Outgoing(text=content.text("pause.welcome_back", schedule=describe(content, schedule))))
            await self._schedules.save(worker.pid, replace(schedule, paused_until=None, paused_at=None))
        lead = content.messages.checkin.lead_scheduled
        messages.append(Outgoing(card=cards.checkin_card(content, instrument, nonce, lead)))
        delivery = await self._messenger.send(worker, messages)
        sent_at = self._clock.now().isoformat()
        if delivery.delivered:
            await self._prompts.update(worker.pid, nonce, status="open", sent_at=sent_at, activity_id=delivery.ids[-1])
            report.sent += 1
        else:
            await self._prompts.update(worker.pid, nonce, status="undelivered", closed_at=sent_at)
            report.undelivered += 1

    async def _settle_interrupted(self, pid: str, now: dt.datetime) -> None:
        """At start-up, whatever its age: a check-in that was being sent when the bot stopped is not
        retried (it may have arrived); it is recorded as undelivered and the worker is told."""
        interrupted = [p for p in await self._prompts.all(pid) if p.status == "sending"]
        for prompt in interrupted:
            await self._prompts.update(pid, prompt.nonce, status="undelivered", closed_at=now.isoformat())
        worker = await self._workers.get(pid) if interrupted else None
        if worker and worker.installed and not worker.unreachable and self._messenger:
            await self._messenger.deliver(worker, [Outgoing(text=self._content().messages.checkin.interrupted)])

    async def _reindex(self, pid: str, schedule: Schedule, now: dt.datetime) -> None:
        log_by_slot = {p.slot: p.state for p in await self._prompts.all(pid)}
        self.index.set(pid, next_check(effective(schedule), log_by_slot, now, timing_of(self._content())))


def _settings_of(schedule: Schedule) -> dict:
    names = ("frequency", "day", "time", "timezone", "quiet_start", "quiet_end", "quiet_weekends", "pulse",
             "keep_answers", "low_threshold")
    return {n: getattr(schedule, n) for n in names}
