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
from .rules import add_months
from .sharing_store import AUDIT, CONSENT, LINK, REQUESTS, SUPERVISING, SharingStore
from .storage import Store, next_id, transact

EXPORT_TTL = dt.timedelta(minutes=10)
EXPORTS = "system/exports"
ERASURES = "system/erasures"
EXPORT_FORMAT = "peer-wellbeing-export/1"
ERASED_NAME = "[name removed]"  # in the record of what a worker agreed to, once that person has erased their data


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

        def usable(db) -> bool:
            return any(secrets.compare_digest(row["token"].encode(), token.encode()) and not row["used"]
                       and row["expires"] >= now.isoformat() for row in db.table("tokens").all())

        def change(data: dict) -> str | None:
            for row in data.setdefault("tokens", {}).values():
                if secrets.compare_digest(row["token"].encode(), token.encode()):
                    if row["used"] or row["expires"] < now.isoformat():
                        return None
                    row["used"] = True
                    return row["pid"]
            return None

        if not isinstance(token, str) or len(token) > 100:
            return None
        shard = self._store.shard(EXPORTS)
        if not await shard.read(usable):
            return None  # a wrong or spent token changes nothing on disk
        return await shard.write(lambda db: transact(db, change))

    # Erasure ------------------------------------------------------------------------------------------

    async def erase(self, pid: str, state_shards: list[str], now: dt.datetime) -> Erasure:
        """Erase everything about the worker at once, keeping only a dated record that an erasure happened.

        Other people's files can mention them too (a link to them, a request, an audit line from an
        earlier link, a "people who named me" entry): every other worker's file is checked and each
        mention is removed or blanked, so no name, id or pseudonym of theirs is left anywhere."""
        me = await self._workers.get(pid)
        name = me.name if me else ""
        link = await self._sharing.link(pid)
        # People with a link to or from them: the only files where an old entry may carry just their name.
        related = {e.worker_pid for e in await self._sharing.supervising(pid)}
        related |= {r.supervisor_pid for r in await self._sharing.requests(pid)}
        if link:
            related.add(link.supervisor_pid)
        told: list[str] = []
        for index, other in enumerate(await self._workers.all_pids()):
            if index % 100 == 0:
                await asyncio.sleep(0)  # a large Trust's files are checked without holding up other turns
            if other != pid and await self._forget(other, pid, name if other in related else "", now):
                told.append(other)
        supervisor = link.supervisor_pid if link and link.status == "active" and is_pid(link.supervisor_pid) else None
        await self._store.shard(worker_shard(pid)).delete_file()
        for state in state_shards:
            await self._store.shard(state).delete_file()
        await self._store.shard(EXPORTS).write(lambda db: transact(db, lambda d: _drop_rows(d, "tokens", "pid", pid)))
        await self._store.shard(ERASURES).write(
            lambda db: transact(db, lambda d: d.setdefault("erasures", {}).__setitem__(
                next_id(d.setdefault("erasures", {})), {"on": now.date().isoformat()})))
        return Erasure(tuple(w for w in told if w != supervisor), supervisor)

    async def _forget(self, worker_pid: str, erased: str, erased_name: str, now: dt.datetime) -> bool:
        """In one worker's file, end a live link to the erased person and blank every mention of them.
        Returns True when a live link ended (that worker is told). Files without a mention are not written."""
        def mentions(db) -> bool:
            data = db.storage.read() or {}
            return any(_mentions(row, erased, erased_name) for table in (LINK, AUDIT, REQUESTS, SUPERVISING)
                       for row in data.get(table, {}).values()) or any(
                erased_name and erased_name in str(row.get("wording", "")) for row in data.get(CONSENT, {}).values())

        def change(data: dict) -> bool:
            ended = False
            their_links = {r.get("id") for r in data.get(LINK, {}).values() if r.get("supervisor_pid") == erased}
            their_links |= {e.get("link") for e in data.get(AUDIT, {}).values() if e.get("who_pid") == erased}
            for row in data.get(CONSENT, {}).values():
                # The words the worker agreed to named that person: keep the record, not the name.
                if row.get("link_id") in their_links and erased_name and row.get("wording"):
                    row["wording"] = row["wording"].replace(erased_name, ERASED_NAME)
            for row in data.get(LINK, {}).values():
                if row.get("supervisor_pid") == erased:
                    if row.get("status") in ("pending", "active"):
                        row.update(status="ended", closed_at=now.isoformat())
                        ended = True
                    row.update(supervisor_pid="", supervisor_name="")
            for entry in data.get(AUDIT, {}).values():
                if _mentions(entry, erased, erased_name):
                    entry.update(who="", who_pid="", who_left=True)
            for row in data.get(REQUESTS, {}).values():
                if row.get("supervisor_pid") == erased:
                    row["supervisor_pid"] = ""
            _drop_rows(data, SUPERVISING, "worker_pid", erased)
            return ended

        shard = self._store.shard(worker_shard(worker_pid))
        if not await shard.read(mentions):
            return False
        return await shard.write(lambda db: transact(db, change))

    # Retention ----------------------------------------------------------------------------------------

    async def apply_retention(self, now: dt.datetime, checkin_months: int, audit_months: int) -> int:
        """Delete check-ins older than `checkin_months` calendar months, and the audit entries and
        requests of a link once its last event is older than `audit_months` (never while the link is
        live or sharing is on for it). Returns how many rows went."""
        checkin_cutoff = add_months(now, -checkin_months).date().isoformat()
        audit_cutoff = add_months(now, -audit_months).isoformat()
        removed = 0
        for index, pid in enumerate(await self._workers.all_pids()):
            if index % 50 == 0:
                await asyncio.sleep(0)

            def change(data: dict) -> int:
                doomed = expired(data, checkin_cutoff, audit_cutoff)
                for table, key in doomed:
                    del data[table][key]
                return len(doomed)

            shard = self._store.shard(worker_shard(pid))
            if await shard.read(lambda db: bool(expired(db.storage.read() or {}, checkin_cutoff, audit_cutoff))):
                removed += await shard.write(lambda db: transact(db, change))  # only files with something to remove
        return removed


def expired(data: dict, checkin_cutoff: str, audit_cutoff: str) -> list[tuple[str, str]]:
    """(table, row key) of every row in a worker's file that is past its retention period."""
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


def _mentions(row: dict, pid: str, name: str) -> bool:
    """Whether a stored row names the person: by id, or (entries written before ids were kept) by name."""
    if pid in (row.get("supervisor_pid"), row.get("who_pid"), row.get("worker_pid")):
        return True
    return bool(name) and not row.get("who_pid") and row.get("who") == name


def _drop_rows(data: dict, table: str, field: str, value: str) -> None:
    rows = data.get(table, {})
    for key in [k for k, r in rows.items() if r.get(field) == value]:
        del rows[key]
