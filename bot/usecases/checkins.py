"""Check-ins a worker answers: opening one now, saving answers (once), skipping, and their history."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from ..clock import Clock
from ..content.views import Scoring
from ..records.checkins import CheckinRecord, CheckinRepository
from ..records.prompts import Completion, PromptLog, PromptRecord
from ..rules import Band, Schedule, band, is_expired, score
from .rule_settings import low_level, timing_of
from .schedules import Schedules

SubmitOutcome = Literal["saved", "incomplete", "already_done", "closed", "unknown"]
Reindex = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class SubmitResult:
    outcome: SubmitOutcome
    instrument: str = ""
    band: Band | None = None  # only for the main instrument, which has published cut-offs
    missing: tuple[int, ...] = ()  # question numbers (1-based) with no valid answer
    completed: int = 0  # completed check-ins so far, for varying the follow-up


class Checkins:
    def __init__(
        self,
        *,
        prompts: PromptLog,
        checkins: CheckinRepository,
        schedules: Schedules,
        content: Callable[[], Scoring],
        clock: Clock,
        reindex: Reindex,
    ):
        self._prompts = prompts
        self._checkins = checkins
        self._schedules = schedules
        self._content = content
        self._clock = clock
        self._reindex = reindex

    async def start_now(self, pid: str) -> PromptRecord:
        """Open a check-in now (not a scheduled slot: no reminder, never counted as missed)."""
        now = self._clock.now()
        instrument = self._content().rules.checkin.instrument
        nonce = secrets.token_urlsafe(12)
        record = PromptRecord(
            f"now-{nonce}",
            nonce,
            instrument,
            "open",
            created_at=now.isoformat(),
            sent_at=now.isoformat(),
            on_demand=True,
        )
        await self._prompts.reserve(pid, record, now)
        return record

    async def latest_open(self, pid: str) -> PromptRecord | None:
        now, timing = self._clock.now(), timing_of(self._content())
        open_prompts = [
            p for p in await self._prompts.all(pid) if p.status == "open" and not is_expired(p.state, now, timing)
        ]
        return max(open_prompts, key=lambda p: p.sent_at or "", default=None)

    async def submit(self, pid: str, nonce: object, values: dict) -> SubmitResult:
        """Score and store a check-in: once only, only for the worker's own open prompt."""
        prompt = await self._prompts.find(pid, nonce) if isinstance(nonce, str) and nonce else None
        if prompt is None:
            return SubmitResult("unknown")
        now, content = self._clock.now(), self._content()
        if prompt.status == "open" and is_expired(prompt.state, now, timing_of(content)):
            await self._prompts.update(pid, prompt.nonce, status="expired", closed_at=now.isoformat())
            return SubmitResult("closed", prompt.instrument)
        instrument = content.instruments.get(prompt.instrument)
        if instrument is None:
            return SubmitResult("closed", prompt.instrument)
        item_ids = [i.id for i in instrument.items]
        scored = score(item_ids, [a.value for a in instrument.answers], instrument.scoring.multiplier, values)
        total = scored.total
        if total is None:
            if prompt.status != "open":
                return SubmitResult("already_done" if prompt.status in ("answered", "skipped") else "closed")
            bad = set(scored.missing) | set(scored.invalid)
            return SubmitResult(
                "incomplete", prompt.instrument, missing=tuple(n for n, i in enumerate(item_ids, 1) if i in bad)
            )
        schedule = await self._schedules.of(pid)
        record = CheckinRecord(
            date=schedule.local(now).date().isoformat(),
            instrument=prompt.instrument,
            total=total,
            answers=scored.answers if schedule.keep_answers else None,
        )
        completion = await self._prompts.complete(pid, prompt.nonce, "answered", now, record)
        await self._reindex(pid)
        if completion.outcome != "saved":
            return SubmitResult(completion.outcome, prompt.instrument)
        count = len(await self._checkins.list(pid))
        return SubmitResult(
            "saved", prompt.instrument, self.band_of(content, schedule, prompt.instrument, total), completed=count
        )

    async def skip(self, pid: str, nonce: object) -> Completion:
        if not isinstance(nonce, str) or not nonce:
            return Completion("unknown")
        completion = await self._prompts.complete(pid, nonce, "skipped", self._clock.now())
        await self._reindex(pid)
        return completion

    async def slots_taken(self, pid: str) -> frozenset[str]:
        """The scheduled slots already sent (or being sent): never sent or promised again."""
        return frozenset(p.slot for p in await self._prompts.all(pid))

    async def completed(self, pid: str) -> list[CheckinRecord]:
        """The worker's completed check-ins, oldest first."""
        return await self._checkins.list(pid)

    async def latest_band(self, pid: str) -> Band | None:
        """How the latest completed check-in of the main instrument went, for choosing a guide topic."""
        content = self._content()
        main = [c for c in await self._checkins.list(pid) if c.instrument == content.rules.checkin.instrument]
        if not main:
            return None
        return self.band_of(content, await self._schedules.of(pid), main[-1].instrument, main[-1].total)

    async def trend(self, pid: str, count: int = 8) -> list[tuple[str, int]]:
        """The most recent completed check-ins of the main instrument: (date, total), oldest first."""
        instrument = self._content().rules.checkin.instrument
        records = [c for c in await self._checkins.list(pid) if c.instrument == instrument]
        return [(c.date, c.total) for c in records[-count:]]

    @staticmethod
    def band_of(content: Scoring, schedule: Schedule, instrument: str, total: int) -> Band | None:
        """Only the main instrument, which has published cut-offs, is ever banded."""
        if instrument != content.rules.checkin.instrument or not content.instruments[instrument].has_cut_offs:
            return None
        return band(total, low_level(content, schedule), content.rules.thresholds.very_low)
