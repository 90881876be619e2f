"""Aggregate figures for admins: delivery health and participation. Never names, never scores.

Any count that describes fewer than MIN_GROUP people is withheld, so nobody can be picked out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ..records.checkins import CheckinRepository
from ..records.prompts import PromptLog
from ..records.schedules import ScheduleRepository
from ..records.worker_files import WorkerFiles
from ..records.workers import WorkerRepository

MIN_GROUP = 10
MONTHS_SHOWN = 6


@dataclass
class Report:
    total: int = 0
    checkins_on: int = 0
    unreachable: int = 0
    uninstalled: int = 0
    undelivered_30_days: int = 0
    months: list[tuple[str, int, int]] = field(default_factory=list)  # (YYYY-MM, check-ins, people)
    set_aside: int = 0  # damaged workers' files waiting for an operator (who is never shown)


class AdminStats:
    def __init__(
        self,
        workers: WorkerRepository,
        schedules: ScheduleRepository,
        prompts: PromptLog,
        checkins: CheckinRepository,
        files: WorkerFiles | None = None,
    ):
        self._files = files
        self._workers = workers
        self._schedules = schedules
        self._prompts = prompts
        self._checkins = checkins

    async def report(self, now: dt.datetime) -> Report:
        report = Report(set_aside=await self._files.set_aside_count() if self._files else 0)
        per_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        since = (now - dt.timedelta(days=30)).isoformat()
        for pid in await self._workers.all_pids():
            worker = await self._workers.get(pid)
            if worker is None:
                continue
            report.total += 1
            report.uninstalled += not worker.installed
            report.unreachable += worker.unreachable
            schedule = await self._schedules.get(pid)
            report.checkins_on += bool(worker.installed and schedule and schedule.frequency != "off")
            report.undelivered_30_days += sum(
                1 for p in await self._prompts.all(pid) if p.status == "undelivered" and p.created_at >= since
            )
            months = [c.date[:7] for c in await self._checkins.list(pid)]
            for month in set(months):
                per_month[month][0] += months.count(month)
                per_month[month][1] += 1
        recent = sorted(per_month)[-MONTHS_SHOWN:]
        report.months = [(m, per_month[m][0], per_month[m][1]) for m in recent]
        return report
