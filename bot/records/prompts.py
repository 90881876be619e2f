"""Each worker's prompt log, kept in the worker's own file.

The prompt log is what makes a scheduled send happen at most once per slot: a slot is reserved in
the log (one durable write) before the card is sent, so a restart or a double tick finds it taken.
Completing a check-in marks its prompt answered and stores the result in the same write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from ..rules import PromptState
from ..storage import Documents, all_rows, next_id
from .checkins import CheckinRecord, add_to
from .files import worker_shard

PROMPTS = "prompts"
KEEP_CLOSED_PROMPTS_DAYS = 90
PromptStatus = Literal["sending", "open", "answered", "skipped", "expired", "undelivered"]
CompletionOutcome = Literal["saved", "already_done", "closed", "unknown"]


@dataclass(frozen=True)
class PromptRecord:
    """One check-in card that was (or is being) sent."""

    slot: str
    nonce: str
    instrument: str
    status: PromptStatus
    created_at: str
    sent_at: str | None = None
    reminded: bool = False
    on_demand: bool = False
    activity_id: str | None = None
    closed_at: str | None = None
    after_pause: bool = False
    # While "sending": the process sending it, and whether the card may already have gone to Teams.
    owner: str = ""
    attempted: bool = False

    @property
    def state(self) -> PromptState:
        return PromptState(self.slot, self.status, self.sent_at, self.reminded, self.on_demand)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> PromptRecord:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names})


@dataclass(frozen=True)
class Completion:
    """What happened when a worker submitted a check-in card."""

    outcome: CompletionOutcome
    prompt: PromptRecord | None = None


class PromptLog:
    def __init__(self, store: Documents):
        self._store = store

    async def all(self, pid: str) -> list[PromptRecord]:
        docs = await self._store.shard(worker_shard(pid)).read(lambda data: all_rows(data, PROMPTS))
        return [PromptRecord.from_doc(d) for d in docs]

    async def find(self, pid: str, nonce: str) -> PromptRecord | None:
        return next((p for p in await self.all(pid) if p.nonce == nonce), None)

    async def reserve(self, pid: str, record: PromptRecord, now: dt.datetime) -> bool:
        """Claim a slot before sending; False if it was already claimed (sent, or being sent)."""

        def change(data: dict) -> bool:
            rows = data.setdefault(PROMPTS, {})
            if any(row["slot"] == record.slot for row in rows.values()):
                return False
            _prune(rows, now)
            rows[next_id(rows)] = asdict(record)
            return True

        return await self._store.shard(worker_shard(pid)).write(change)

    async def update(self, pid: str, nonce: str, **changes: Any) -> PromptRecord | None:
        """Change fields of one prompt, found by its nonce."""

        def change(data: dict) -> PromptRecord | None:
            for row in data.setdefault(PROMPTS, {}).values():
                if row["nonce"] == nonce:
                    row.update(changes)
                    return PromptRecord.from_doc(row)
            return None

        return await self._store.shard(worker_shard(pid)).write(change)

    async def release(self, pid: str, nonce: str) -> bool:
        """Give back a reserved slot whose card never went to Teams (its sender stopped first), so it
        can be sent now. False if the prompt is no longer such a reservation."""

        def change(data: dict) -> bool:
            table = data.setdefault(PROMPTS, {})
            for key, row in table.items():
                # Written before this field existed: it may have gone, so it is never given back.
                if row["nonce"] == nonce and row["status"] == "sending" and row.get("attempted", True) is False:
                    del table[key]
                    return True
            return False

        return await self._store.shard(worker_shard(pid)).write(change)

    async def complete(
        self, pid: str, nonce: str, status: str, now: dt.datetime, record: CheckinRecord | None = None
    ) -> Completion:
        """Close an open prompt (answered or skipped) and store its check-in, all in one write."""

        def change(data: dict) -> Completion:
            row = next((r for r in data.setdefault(PROMPTS, {}).values() if r["nonce"] == nonce), None)
            if row is None:
                return Completion("unknown")
            if row["status"] in ("answered", "skipped"):
                return Completion("already_done", PromptRecord.from_doc(row))
            if row["status"] != "open":
                return Completion("closed", PromptRecord.from_doc(row))
            row.update(status=status, closed_at=now.isoformat())
            if record is not None:
                add_to(data, record)
            return Completion("saved", PromptRecord.from_doc(row))

        return await self._store.shard(worker_shard(pid)).write(change)


def _prune(rows: dict[str, dict], now: dt.datetime) -> None:
    """Forget closed prompts older than the keep window; the log only needs recent slots."""
    cutoff = (now - dt.timedelta(days=KEEP_CLOSED_PROMPTS_DAYS)).isoformat()
    for key in [k for k, r in rows.items() if r["status"] != "open" and r["created_at"] < cutoff]:
        del rows[key]
