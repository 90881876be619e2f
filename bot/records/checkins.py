"""Completed check-ins, kept minimised in each worker's own file."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..storage import Documents, all_rows, next_id
from .files import worker_shard

CHECKINS = "checkins"


@dataclass(frozen=True)
class CheckinRecord:
    """A completed check-in, minimised: the date, which instrument, and its total."""

    date: str
    instrument: str
    total: int
    answers: dict[str, int] | None = None  # kept only if the worker chose to keep item answers


def add_to(data: dict, record: CheckinRecord) -> None:
    """Add a check-in to a worker file's tables (inside another repository's single write)."""
    rows = data.setdefault(CHECKINS, {})
    rows[next_id(rows)] = asdict(record)


class CheckinRepository:
    def __init__(self, store: Documents):
        self._store = store

    async def add(self, pid: str, record: CheckinRecord) -> None:
        await self._store.shard(worker_shard(pid)).write(lambda data: add_to(data, record))

    async def add_many(self, pid: str, records: list[CheckinRecord]) -> None:
        def change(data: dict) -> None:
            for record in records:
                add_to(data, record)

        await self._store.shard(worker_shard(pid)).write(change)

    async def list(self, pid: str) -> list[CheckinRecord]:
        docs = await self._store.shard(worker_shard(pid)).read(lambda data: all_rows(data, CHECKINS))
        return [CheckinRecord(d["date"], d["instrument"], d["total"], d.get("answers")) for d in docs]
