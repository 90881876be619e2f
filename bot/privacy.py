"""The worker's data: what is held, their trend, a complete export, erasure, and retention.

Every record about a worker lives in their own file, plus their dialog state. Other workers' files
can mention them only through a supervisor link; erasure removes or blanks those mentions too.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
from dataclasses import dataclass

from .repositories import CHECKINS, CheckinRepository, WorkerRepository, is_pid, worker_shard
from .state import state_shard
from .sharing_store import AUDIT, LINK, REQUESTS, SUPERVISING, SharingStore
from .storage import Store, next_id, transact

EXPORT_TTL = dt.timedelta(minutes=10)
EXPORTS = "system/exports"
ERASURES = "system/erasures"
EXPORT_FORMAT = "peer-wellbeing-export/1"


@dataclass(frozen=True)
class Erasure:
    """What erasure did to other people: links they had with the erased worker were ended."""

    workers_told: tuple[str, ...] = ()  # pids of workers whose named person was erased
    supervisor_told: str | None = None  # pid of the erased worker's own named person


class PrivacyService:
    def __init__(self, *, store: Store, workers: WorkerRepository, checkins: CheckinRepository,
                 sharing: SharingStore):
        self._store = store
        self._workers = workers
        self._checkins = checkins
        self._sharing = sharing

    async def raw_records(self, pid: str) -> dict:
        """Every table in the worker's file, as stored."""
        data = await self._store.shard(worker_shard(pid)).read(lambda db: json.loads(json.dumps(db.storage.read() or {})))
        return {table: list(rows.values()) for table, rows in data.items()}

    async def export(self, pid: str, now: dt.datetime) -> dict:
        """All the worker's data, machine-readable, with the format documented in docs/privacy.md."""
        worker = await self._workers.get(pid)
        state = None
        if worker is not None:
            ref = worker.conversation_reference
            key = f"{ref.get('channelId')}/conversations/{ref.get('conversation', {}).get('id')}"
            state = await self._store.shard(state_shard(key)).read(
                lambda db: json.loads(json.dumps(db.storage.read() or {})))
        return {"format": EXPORT_FORMAT, "exported_at": now.isoformat(), "worker_id": pid,
                "records": await self.raw_records(pid), "conversation_state": state}

    async def export_by_token(self, token: str, now: dt.datetime) -> dict | None:
        """The export for a valid, unused, unexpired download token; None otherwise."""
        pid = await self.redeem(token, now)
        return await self.export(pid, now) if pid else None

    async def trend(self, pid: str, instrument: str, count: int = 8) -> list[tuple[str, int]]:
        """The most recent completed check-ins of the main instrument: (date, total), oldest first."""
        records = [c for c in await self._checkins.list(pid) if c.instrument == instrument]
        return [(c.date, c.total) for c in records[-count:]]

    # Export links -------------------------------------------------------------------------------------

    async def export_link(self, pid: str, now: dt.datetime) -> str:
        """A single-use token for downloading the export, valid for ten minutes."""
        token = secrets.token_urlsafe(32)
        expires = (now + EXPORT_TTL).isoformat()

        def change(data: dict) -> None:
            rows = data.setdefault("tokens", {})
            for key in [k for k, r in rows.items() if r["expires"] < now.isoformat() or r["used"]]:
                del rows[key]  # keep the table small: forget spent and stale tokens
            rows[next_id(rows)] = {"token": token, "pid": pid, "expires": expires, "used": False}

        await self._store.shard(EXPORTS).write(lambda db: transact(db, change))
        return token

    async def redeem(self, token: str, now: dt.datetime) -> str | None:
        """The worker a token belongs to, once; None if unknown, used or expired."""

        def change(data: dict) -> str | None:
            for row in data.setdefault("tokens", {}).values():
                if secrets.compare_digest(row["token"], token):
                    if row["used"] or row["expires"] < now.isoformat():
                        return None
                    row["used"] = True
                    return row["pid"]
            return None

        if not isinstance(token, str) or len(token) > 100:
            return None
        return await self._store.shard(EXPORTS).write(lambda db: transact(db, change))

    # Erasure ------------------------------------------------------------------------------------------

    async def erase(self, pid: str, state_shards: list[str], now: dt.datetime) -> Erasure:
        """Erase everything about the worker at once, keeping only a record that an erasure happened."""
        link = await self._sharing.link(pid)
        supervising = await self._sharing.supervising(pid)
        told: list[str] = []
        for entry in supervising:  # people who named this worker: their links end
            if is_pid(entry.worker_pid) and await self._forget_supervisor(entry.worker_pid, pid, now) \
                    and entry.status in ("pending", "active"):
                told.append(entry.worker_pid)
        supervisor = None
        if link and is_pid(link.supervisor_pid):
            await self._drop_supervising(link.supervisor_pid, pid)
            supervisor = link.supervisor_pid if link.status == "active" else None
        await self._store.shard(worker_shard(pid)).delete_file()
        for name in state_shards:
            await self._store.shard(name).delete_file()
        await self._store.shard(ERASURES).write(
            lambda db: transact(db, lambda d: d.setdefault("erasures", {}).__setitem__(
                next_id(d.setdefault("erasures", {})), {"on": now.date().isoformat()})))
        return Erasure(tuple(told), supervisor)

    async def _forget_supervisor(self, worker_pid: str, erased: str, now: dt.datetime) -> bool:
        """In a worker's file, end the link to the erased person and blank every mention of them."""
        def change(data: dict) -> bool:
            changed = False
            for row in data.get(LINK, {}).values():
                if row.get("supervisor_pid") == erased:
                    name = row.get("supervisor_name")
                    if row["status"] in ("pending", "active"):
                        row.update(status="ended", closed_at=now.isoformat())
                        changed = True
                    row.update(supervisor_pid="", supervisor_name="")
                    for entry in data.get(AUDIT, {}).values():
                        if name and entry.get("who") == name:
                            entry["who"] = ""
            for row in data.get(REQUESTS, {}).values():
                if row.get("supervisor_pid") == erased:
                    row["supervisor_pid"] = ""
            return changed

        return await self._store.shard(worker_shard(worker_pid)).write(lambda db: transact(db, change))

    async def _drop_supervising(self, supervisor_pid: str, erased: str) -> None:
        def change(data: dict) -> None:
            rows = data.get(SUPERVISING, {})
            for key in [k for k, r in rows.items() if r.get("worker_pid") == erased]:
                del rows[key]

        await self._store.shard(worker_shard(supervisor_pid)).write(lambda db: transact(db, change))

    # Retention ----------------------------------------------------------------------------------------

    async def apply_retention(self, now: dt.datetime, checkin_months: int, audit_months: int) -> int:
        """Delete check-ins older than the window, and audit entries and requests past theirs."""
        checkin_cutoff = (now - dt.timedelta(days=round(checkin_months * 30.44))).date().isoformat()
        audit_cutoff = (now - dt.timedelta(days=round(audit_months * 30.44))).isoformat()
        removed = 0
        for index, pid in enumerate(await self._workers.all_pids()):
            if index % 50 == 0:
                await asyncio.sleep(0)

            def change(data: dict) -> int:
                count = 0
                for table, field, cutoff in ((CHECKINS, "date", checkin_cutoff), (AUDIT, "at", audit_cutoff),
                                             (REQUESTS, "created_at", audit_cutoff)):
                    rows = data.get(table, {})
                    for key in [k for k, r in rows.items() if str(r.get(field, "")) < cutoff]:
                        del rows[key]
                        count += 1
                return count

            def needs(db) -> bool:
                data = db.storage.read() or {}
                return any(str(r.get(f, "")) < c for t, f, c in ((CHECKINS, "date", checkin_cutoff),
                                                                 (AUDIT, "at", audit_cutoff),
                                                                 (REQUESTS, "created_at", audit_cutoff))
                           for r in data.get(t, {}).values())

            shard = self._store.shard(worker_shard(pid))
            if await shard.read(needs):  # only rewrite files that have something to remove
                removed += await shard.write(lambda db: transact(db, change))
        return removed
