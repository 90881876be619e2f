"""Retention: what is past its period is deleted (periods in rules.yaml; see docs/privacy.md)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from ..content.views import Rules
from ..records.worker_files import WorkerFiles
from ..records.workers import WorkerRepository
from ..rules import add_months

log = logging.getLogger("bot.retention")


class Retention:
    def __init__(self, *, workers: WorkerRepository, files: WorkerFiles, content: Callable[[], Rules]):
        self._workers = workers
        self._files = files
        self._content = content

    async def run(self, now: dt.datetime) -> int:
        """Timed work (daily): apply the periods in rules.yaml."""
        r = self._content().rules.retention
        removed = await self.apply(now, r.checkins_months, r.audit_months_after_last_event)
        log.info("retention removed=%d", removed)
        return removed

    async def apply(self, now: dt.datetime, checkin_months: int, audit_months: int) -> int:
        """Delete check-ins older than `checkin_months` calendar months, and the audit entries and
        requests of a link once its last event is older than `audit_months` (never while the link is
        live or sharing is on for it). Returns how many rows went."""
        checkin_cutoff = add_months(now, -checkin_months).date().isoformat()
        audit_cutoff = add_months(now, -audit_months).isoformat()
        removed = 0
        for index, pid in enumerate(await self._workers.all_pids()):
            if index % 50 == 0:
                await asyncio.sleep(0)
            removed += await self._files.remove_expired(pid, checkin_cutoff, audit_cutoff)
        return removed
