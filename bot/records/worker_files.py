"""A worker's file as a whole: everything in it (for their export), deleting it, and removing what is
past its retention period."""

from __future__ import annotations

import json
from typing import Any

from ..storage import Documents
from .checkins import CHECKINS
from .files import worker_shard
from .sharing import AUDIT, CONSENT, LINK, REQUESTS


class WorkerFiles:
    def __init__(self, store: Documents):
        self._store = store

    async def everything(self, pid: str) -> dict[str, list[dict[str, Any]]]:
        """Every table in the worker's file, exactly as stored."""
        data = await self._store.shard(worker_shard(pid)).read(lambda data: json.loads(json.dumps(data)))
        return {table: list(rows.values()) for table, rows in data.items()}

    async def set_aside_count(self) -> int:
        """How many damaged files of workers are set aside, waiting for an operator (a count, never who)."""
        return await self._store.quarantine.count()

    async def delete(self, pid: str) -> None:
        """Delete the worker's file: every record about them in it, at once."""
        await self._store.shard(worker_shard(pid)).delete()

    async def remove_expired(self, pid: str, checkin_cutoff: str, audit_cutoff: str) -> int:
        """Remove the rows past their retention period; returns how many went. Files with nothing to
        remove are not written."""

        def change(data: dict) -> int:
            doomed = expired(data, checkin_cutoff, audit_cutoff)
            for table, key in doomed:
                del data[table][key]
            return len(doomed)

        shard = self._store.shard(worker_shard(pid))
        if not await shard.read(lambda data: bool(expired(data, checkin_cutoff, audit_cutoff))):
            return 0
        return await shard.write(change)


def expired(data: dict, checkin_cutoff: str, audit_cutoff: str) -> list[tuple[str, str]]:
    """(table, row key) of every row in a worker's file that is past its retention period: check-ins
    dated before `checkin_cutoff`, and the audit entries and requests of a link whose last event is
    before `audit_cutoff` (never while the link is live or sharing is on for it)."""
    doomed = [(CHECKINS, k) for k, r in data.get(CHECKINS, {}).items() if str(r.get("date", "")) < checkin_cutoff]
    live = {r.get("id") for r in data.get(LINK, {}).values() if r.get("status") in ("pending", "active")}
    live |= {r.get("link_id") for r in data.get(CONSENT, {}).values() if r.get("on")}
    last: dict[str, str] = {}  # link id -> time of its last event
    for r in data.get(AUDIT, {}).values():
        if r.get("link"):
            last[r["link"]] = max(last.get(r["link"], ""), str(r.get("at", "")))
    for r in data.get(REQUESTS, {}).values():
        stamps = [str(r.get(f) or "") for f in ("created_at", "sent_at", "acknowledged_at", "closed_at")]
        last[r.get("link_id", "")] = max([last.get(r.get("link_id", ""), ""), *stamps])
    gone = {link for link, at in last.items() if link and link not in live and at < audit_cutoff}
    for key, r in data.get(AUDIT, {}).items():
        # Entries without a link (written before links were recorded) expire one by one.
        if (r.get("link") in gone) or (not r.get("link") and str(r.get("at", "")) < audit_cutoff):
            doomed.append((AUDIT, key))
    doomed += [(REQUESTS, k) for k, r in data.get(REQUESTS, {}).items() if r.get("link_id") in gone]
    return doomed
