"""The worker's own private writing (supervision list, reflection notes, Wellness Action Plan), and two
small records of their own presses: one-time buttons already used, and a pending "delete my data".

Kept in the worker's file, shown only to the worker, never logged, never sent to anyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from ..storage import Documents, all_rows, first, next_id, put_single
from .files import worker_shard

AGENDA = "agenda"
NOTES = "notes"
PLAN = "plan"
MAX_TEXT = 2000


@dataclass(frozen=True)
class Entry:
    text: str
    added_on: str


PLAN_FIELDS = ("keeps_me_well", "early_signs", "what_helps", "who_to_contact")


@dataclass(frozen=True)
class Plan:
    keeps_me_well: str = ""
    early_signs: str = ""
    what_helps: str = ""
    who_to_contact: str = ""

    @property
    def empty(self) -> bool:
        return not any(asdict(self).values())


class EntryList:
    """A list of dated texts in one table of the worker's file."""

    def __init__(self, store: Documents, table: str):
        self._store = store
        self._table = table

    async def add(self, pid: str, text: str, today: dt.date) -> Entry:
        entry = Entry(text.strip()[:MAX_TEXT], today.isoformat())

        def change(data: dict) -> None:
            rows = data.setdefault(self._table, {})
            rows[next_id(rows)] = asdict(entry)

        await self._store.shard(worker_shard(pid)).write(change)
        return entry

    async def all(self, pid: str) -> list[Entry]:
        docs = await self._store.shard(worker_shard(pid)).read(lambda data: all_rows(data, self._table))
        return [Entry(d["text"], d["added_on"]) for d in docs]

    async def clear(self, pid: str) -> None:
        await self._store.shard(worker_shard(pid)).write(lambda d: d.pop(self._table, None))


class PlanRepository:
    def __init__(self, store: Documents):
        self._store = store

    async def get(self, pid: str) -> Plan:
        doc = await self._store.shard(worker_shard(pid)).read(lambda data: first(data, PLAN))
        return Plan(**{k: v for k, v in (doc or {}).items() if k in Plan.__dataclass_fields__})

    async def save(self, pid: str, plan: Plan) -> None:
        doc = {k: v.strip()[:MAX_TEXT] for k, v in asdict(plan).items()}
        await self._store.shard(worker_shard(pid)).write(lambda data: put_single(data, PLAN, doc))


ACTED = "acted"
KEEP_ACTED = 300  # the most recent card presses remembered per worker


class CardActions:
    """Which one-time card buttons a worker has already pressed (a double click, or the same card
    delivered twice, must act once). Kept small: only the most recent presses."""

    def __init__(self, store: Documents):
        self._store = store

    async def done(self, pid: str, key: str) -> bool:
        return await self._store.shard(worker_shard(pid)).read(
            lambda data: any(row.get("key") == key for row in data.get(ACTED, {}).values())
        )

    async def record(self, pid: str, key: str, now: dt.datetime) -> None:
        def change(data: dict) -> None:
            rows = data.setdefault(ACTED, {})
            rows[next_id(rows)] = {"key": key, "at": now.isoformat()}
            for old in sorted(rows, key=int)[:-KEEP_ACTED]:
                del rows[old]

        await self._store.shard(worker_shard(pid)).write(change)


ERASE_TABLE = "erasure_request"


class ErasureRequests:
    """The worker asked to delete their data and has not yet confirmed: the confirmation's token and
    when it stops working."""

    def __init__(self, store: Documents):
        self._store = store

    async def ask(self, pid: str, nonce: str, expires: dt.datetime) -> None:
        doc = {"nonce": nonce, "expires": expires.isoformat()}
        await self._store.shard(worker_shard(pid)).write(lambda data: put_single(data, ERASE_TABLE, doc))

    async def pending(self, pid: str) -> tuple[str, dt.datetime] | None:
        doc = await self._store.shard(worker_shard(pid)).read(lambda data: first(data, ERASE_TABLE))
        if not doc or "nonce" not in doc:
            return None
        return doc["nonce"], dt.datetime.fromisoformat(doc["expires"])

    async def cancel(self, pid: str) -> None:
        await self._store.shard(worker_shard(pid)).write(lambda data: put_single(data, ERASE_TABLE, {}))
