"""Supervisor links, sharing consent, requests and the audit log, in the worker's own file.

The worker's file is the source of truth for their link, consent and requests. The supervisor's file
only keeps an index of who named them (so they can see and end those links), never anything else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from ..storage import Documents, Tables, all_rows, first, next_id
from .files import worker_shard

LINK = "link"
CONSENT = "consent"
REQUESTS = "requests"
AUDIT = "audit"
SUPERVISING = "supervising"
PREFS = "sharing_prefs"
ERASED_NAME = "[name removed]"  # in the record of what a worker agreed to, once that person has erased their data

LinkStatus = Literal["pending", "active", "declined", "ended"]
RequestStatus = Literal["offered", "sending", "sent", "acknowledged", "not_now", "stopped", "undelivered", "lapsed"]
SharingMode = Literal["ask", "auto"]
Role = Literal["peer_supervisor", "clinical_supervisor", "line_manager", "other"]
ROLES: tuple[Role, ...] = ("peer_supervisor", "clinical_supervisor", "line_manager", "other")


def as_role(value: object) -> Role:
    """A role from card data (which can be forged): one of ROLES, else "other"."""
    return next((role for role in ROLES if role == value), "other")


def _from(cls, doc: dict[str, Any]):
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in doc.items() if k in names})


@dataclass(frozen=True)
class Link:
    id: str
    supervisor_pid: str
    supervisor_name: str
    role: Role
    status: LinkStatus
    created_at: str
    accepted_at: str | None = None
    reconfirm_due: str | None = None
    reconfirm_asked: bool = False
    closed_at: str | None = None
    card_sent: bool = True  # the nomination card reached them (False while it is still being delivered)
    owner: str = ""  # while the card is being delivered: the process delivering it

    def reconfirm_due_at(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.reconfirm_due) if self.reconfirm_due else None


@dataclass(frozen=True)
class Consent:
    on: bool = False
    mode: SharingMode = "ask"
    link_id: str | None = None
    wording_version: str | None = None
    wording: str = ""  # the exact words the worker agreed to, as shown on the card
    agreed_at: str | None = None
    withdrawn_at: str | None = None


@dataclass(frozen=True)
class SharingPrefs:
    """Whether the bot has suggested naming someone or turning sharing on: at most once, ever."""

    suggested_at: str | None = None
    no_suggestions: bool = False


@dataclass(frozen=True)
class Request:
    id: str
    link_id: str
    supervisor_pid: str
    status: RequestStatus
    created_at: str
    note: str = ""
    sent_at: str | None = None
    acknowledged_at: str | None = None
    closed_at: str | None = None
    nudged: bool = False
    follow_up_offered: bool = False
    very_low: bool = False
    automatic: bool = False  # sent by the rule the worker agreed to, not by their press
    owner: str = ""  # while "sending": the process sending it


@dataclass(frozen=True)
class AuditEntry:
    at: str
    event: str
    who: str = ""  # the other person's display name as it was at the time, where there is one
    detail: str = ""
    link: str = ""  # the link this event belongs to: retention runs from a link's last event
    who_pid: str = ""  # the other person's pseudonymous id, so their erasure can remove their name
    who_left: bool = False  # the other person has since erased their data: their name is gone


@dataclass(frozen=True)
class Supervising:
    """In a supervisor's file: someone who named them, and where that link stands."""

    link_id: str
    worker_pid: str
    worker_name: str
    role: Role
    status: LinkStatus


class SharingRecords:
    """Links, consent, requests, suggestions and the audit log, in each worker's file."""

    def __init__(self, store: Documents):
        self._store = store

    def _shard(self, pid: str):
        return self._store.shard(worker_shard(pid))

    async def link(self, pid: str) -> Link | None:
        doc = await self._shard(pid).read(lambda data: first(data, LINK))
        return _from(Link, doc) if doc else None

    async def save_link(self, pid: str, link: Link, audit: AuditEntry | None = None) -> None:
        await self._write(pid, {LINK: {"1": asdict(link)}}, audit)

    async def consent(self, pid: str) -> Consent:
        doc = await self._shard(pid).read(lambda data: first(data, CONSENT))
        return _from(Consent, doc) if doc else Consent()

    async def save_consent(self, pid: str, consent: Consent, audit: AuditEntry | None = None) -> None:
        await self._write(pid, {CONSENT: {"1": asdict(consent)}}, audit)

    async def requests(self, pid: str) -> list[Request]:
        docs = await self._shard(pid).read(lambda data: all_rows(data, REQUESTS))
        return [_from(Request, d) for d in docs]

    async def add_request(self, pid: str, request: Request) -> None:
        def change(data: dict) -> None:
            rows = data.setdefault(REQUESTS, {})
            rows[next_id(rows)] = asdict(request)

        await self._shard(pid).write(change)

    async def update_request(
        self,
        pid: str,
        request_id: str,
        expect: tuple[RequestStatus, ...],
        audit: AuditEntry | None = None,
        **changes: Any,
    ) -> Request | None:
        """Change a request only if its status is one of `expect` (so replays and double clicks do nothing)."""

        def change(data: dict) -> Request | None:
            for row in data.setdefault(REQUESTS, {}).values():
                if row["id"] == request_id and row["status"] in expect:
                    row.update(changes)
                    if audit:
                        _append_audit(data, audit)
                    return _from(Request, row)
            return None

        return await self._shard(pid).write(change)

    async def prefs(self, pid: str) -> SharingPrefs:
        doc = await self._shard(pid).read(lambda data: first(data, PREFS))
        return _from(SharingPrefs, doc) if doc else SharingPrefs()

    async def save_prefs(self, pid: str, prefs: SharingPrefs) -> None:
        await self._write(pid, {PREFS: {"1": asdict(prefs)}}, None)

    async def audit(self, pid: str) -> list[AuditEntry]:
        docs = await self._shard(pid).read(lambda data: all_rows(data, AUDIT))
        return [_from(AuditEntry, d) for d in docs]

    async def record(self, pid: str, entry: AuditEntry) -> None:
        await self._shard(pid).write(lambda data: _append_audit(data, entry))

    async def supervising(self, pid: str) -> list[Supervising]:
        docs = await self._shard(pid).read(lambda data: all_rows(data, SUPERVISING))
        return [_from(Supervising, d) for d in docs]

    async def set_supervising(self, pid: str, entry: Supervising) -> None:
        def change(data: dict) -> None:
            rows = data.setdefault(SUPERVISING, {})
            for key, row in rows.items():
                if row["link_id"] == entry.link_id:
                    rows[key] = asdict(entry)
                    return
            rows[next_id(rows)] = asdict(entry)

        await self._shard(pid).write(change)

    async def forget(self, pid: str, erased: str, erased_name: str, now: dt.datetime) -> bool:
        """In one worker's file, end a live link to a person who erased their data and blank every
        mention of them (their id, and their name where an old entry kept only the name). Returns True
        when a live link ended (that worker is told). A file without a mention is not written."""

        def mentions(data: Tables) -> bool:
            return any(
                _mentions(row, erased, erased_name)
                for table in (LINK, AUDIT, REQUESTS, SUPERVISING)
                for row in data.get(table, {}).values()
            ) or any(
                erased_name and erased_name in str(row.get("wording", "")) for row in data.get(CONSENT, {}).values()
            )

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
            drop_rows(data, SUPERVISING, "worker_pid", erased)
            return ended

        shard = self._shard(pid)
        if not await shard.read(mentions):
            return False
        return await shard.write(change)

    async def _write(self, pid: str, tables: dict[str, dict], audit: AuditEntry | None) -> None:
        def change(data: dict) -> None:
            data.update(tables)
            if audit:
                _append_audit(data, audit)

        await self._shard(pid).write(change)


def _append_audit(data: dict, entry: AuditEntry) -> None:
    rows = data.setdefault(AUDIT, {})
    rows[next_id(rows)] = asdict(entry)


def _mentions(row: dict, pid: str, name: str) -> bool:
    """Whether a stored row names the person: by id, or (entries written before ids were kept) by name."""
    if pid in (row.get("supervisor_pid"), row.get("who_pid"), row.get("worker_pid")):
        return True
    return bool(name) and not row.get("who_pid") and row.get("who") == name


def drop_rows(data: dict, table: str, field: str, value: str) -> None:
    rows = data.get(table, {})
    for key in [k for k, r in rows.items() if r.get(field) == value]:
        del rows[key]


def with_status(link: Link, status: LinkStatus, now: dt.datetime) -> Link:
    return replace(
        link, status=status, closed_at=now.isoformat() if status in ("declined", "ended") else link.closed_at
    )
