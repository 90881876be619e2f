"""Each worker's check-in schedule, kept in the worker's own file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, fields

from ..rules import Schedule
from ..storage import Documents, Tables, first, put_single
from .files import worker_shard

SCHEDULE = "schedule"


class ScheduleRepository:
    def __init__(self, store: Documents):
        self._store = store

    async def get(self, pid: str) -> Schedule | None:
        doc = await self._store.shard(worker_shard(pid)).read(lambda data: first(data, SCHEDULE))
        if doc is None:
            return None
        names = {f.name for f in fields(Schedule)}
        return Schedule(**{k: v for k, v in doc.items() if k in names})

    async def save(self, pid: str, schedule: Schedule) -> None:
        await self._store.shard(worker_shard(pid)).write(self.putting(schedule))

    @staticmethod
    def putting(schedule: Schedule) -> Callable[[Tables], None]:
        """The change that puts this schedule in a worker's file, for a write that changes more of it."""
        doc = asdict(schedule)
        return lambda data: put_single(data, SCHEDULE, doc)
