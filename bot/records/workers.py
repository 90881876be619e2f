"""Workers: who they are, how to reach their chat, and their pseudonymous ids.

Each worker has one file, named by a pseudonymous id (a keyed hash of their Entra id), so file names
and logs never carry a real identifier and one worker's write never touches anyone else's data.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..storage import Documents, Tables, first, put_single
from .files import INSTANCE, WORKERS, worker_shard

PROFILE = "profile"


@dataclass(frozen=True)
class WorkerContact:
    """Who a turn came from and how to reach them again, as read from a Teams activity."""

    user_id: str
    aad_object_id: str
    tenant_id: str
    conversation_id: str
    service_url: str
    name: str
    # Serialising a reference is a large share of a turn, so it is built only when it changed.
    reference: Callable[[], dict[str, Any]]

    def same_place_as(self, worker: Worker) -> bool:
        """True when the stored reference already points at this conversation and service."""
        ref = worker.conversation_reference
        return (
            ref.get("conversation", {}).get("id") == self.conversation_id
            and ref.get("serviceUrl") == self.service_url
            and worker.user_id == self.user_id
        )


@dataclass(frozen=True)
class Worker:
    """What the bot keeps about a worker to be able to talk to them."""

    pid: str
    user_id: str
    aad_object_id: str
    tenant_id: str
    conversation_reference: dict[str, Any]
    first_seen: str
    last_seen: str
    installed: bool = True
    unreachable: bool = False
    welcomed: bool = False
    # Display name and work email: kept so the worker can be named as a supervisor and addressed by name.
    name: str = ""
    email: str = ""
    email_checked: bool = False
    # Installed for them through Microsoft Graph (bot/usecases/directory.py, rollout.py): the welcome the
    # install event would bring is held back (the invitation, or a paced welcome, comes instead).
    welcome_held: bool = False
    rollout: str = ""  # "<group id>:<installing|installed|had|failed>" while a group rollout reaches them
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Worker:
        known = {k: doc[k] for k in cls.__dataclass_fields__ if k in doc and k != "extra"}
        extra = {k: v for k, v in doc.items() if k not in cls.__dataclass_fields__}
        return cls(**known, extra=extra)

    def to_doc(self) -> dict[str, Any]:
        # Shallow, not dataclasses.asdict (which deep-copies every leaf): the one writer, `put`, stores it
        # through put_single, which copies it.
        return {**self.extra, **{name: getattr(self, name) for name in _FIELDS}}


_FIELDS = tuple(name for name in Worker.__dataclass_fields__ if name != "extra")


class Pseudonyms:
    """Stable pseudonymous ids for workers: a keyed hash, so they cannot be reversed without the key."""

    def __init__(self, key: bytes):
        self._key = key

    @classmethod
    async def load(cls, store: Documents) -> Pseudonyms:
        """Read the instance key, creating it on first start (in one write: several processes may start
        at once, and all must use the same key)."""
        shard = store.shard(INSTANCE)
        doc = await shard.read(lambda data: first(data, "instance"))
        if doc is None:

            def create_once(data: Tables) -> dict[str, Any]:
                if not data.get("instance"):
                    put_single(data, "instance", {"pseudonym_key": secrets.token_hex(32)})
                return first(data, "instance") or {}

            doc = await shard.write(create_once)
        return cls(bytes.fromhex(doc["pseudonym_key"]))

    def for_user(self, tenant_id: str, user_key: str) -> str:
        """The pseudonymous id of a user in a tenant (keyed by Entra object id where known)."""
        digest = hmac.new(self._key, f"{tenant_id}\n{user_key}".encode(), hashlib.sha256).hexdigest()
        return "w" + digest[:23]


PID_PATTERN = re.compile(r"^w[0-9a-f]{23}$")


def is_pid(value: object) -> bool:
    """True for a well-formed pseudonymous worker id (card data can be forged: check before use)."""
    return isinstance(value, str) and bool(PID_PATTERN.match(value))


class WorkerRepository:
    """Workers and their conversation references."""

    def __init__(self, store: Documents, pseudonyms: Pseudonyms):
        self._store = store
        self._pseudonyms = pseudonyms

    def pid_for(self, contact: WorkerContact) -> str:
        return self._pseudonyms.for_user(contact.tenant_id, contact.aad_object_id or contact.user_id)

    def pid_of(self, tenant_id: str, aad_object_id: str) -> str:
        """The pseudonymous id of a person known only by their Entra object id (from the directory)."""
        return self._pseudonyms.for_user(tenant_id, aad_object_id.lower())

    async def get(self, pid: str) -> Worker | None:
        doc = await self._store.shard(worker_shard(pid)).read(lambda data: first(data, PROFILE))
        return Worker.from_doc(doc) if doc else None

    async def arrive(
        self,
        contact: WorkerContact,
        now: dt.datetime,
        email_of: Callable[[], Awaitable[str | None]] | None = None,
    ) -> Worker | None:
        """Record that the worker was in touch, as `remember` does (see `arrival`), in one write."""
        arrival = await self.arrival(contact, now, email_of)
        return None if arrival is None else await arrival.saved()

    async def arrival(
        self,
        contact: WorkerContact,
        now: dt.datetime,
        email_of: Callable[[], Awaitable[str | None]] | None = None,
    ) -> Arrival | None:
        """That the worker was in touch: a known worker's record is updated now (when something worth
        keeping changed); a new worker's is written by `Arrival.saved`, so the turn can save it with their
        welcome in one write. None when their file could not be read and was set aside and they have not
        been told yet: that they now are is recorded, and nothing else (from their next message they carry
        on as someone new).

        `email_of` asks Teams for their work email; it is called only until it has answered once (None:
        it could not answer, ask again next time), and what it gives is saved in the arrival's write, not
        in a write of its own. For a new worker it is asked at once and answers while the turn goes on."""
        pid = self.pid_for(contact)
        current = await self.get(pid)
        if current is None:
            name = worker_shard(pid)
            if await self._store.quarantine.state(name) == "untold":
                await self._store.quarantine.mark_told(name)
                return None
            lookup = asyncio.ensure_future(email_of()) if email_of is not None else None
            return Arrival(self, self._arrived(contact, now, pid, None), lookup)
        email = None
        if email_of is not None and not current.email_checked:
            email = await email_of()
        return Arrival(self, await self._remember(contact, now, pid, current, email), None, saved=True)

    async def remember(self, contact: WorkerContact, now: dt.datetime) -> Worker:
        """Record that the worker was in touch; writes only when something worth keeping changed."""
        pid = self.pid_for(contact)
        return await self._remember(contact, now, pid, await self.get(pid))

    async def _remember(
        self, contact: WorkerContact, now: dt.datetime, pid: str, current: Worker | None, email: str | None = None
    ) -> Worker:
        updated = self._arrived(contact, now, pid, current, email)
        if updated != current:
            await self.put(updated)
        return updated

    @staticmethod
    def _arrived(
        contact: WorkerContact, now: dt.datetime, pid: str, current: Worker | None, email: str | None = None
    ) -> Worker:
        """The worker's record as this contact leaves it."""
        today = now.date().isoformat()
        if current is None:
            updated = Worker(
                pid=pid,
                user_id=contact.user_id,
                aad_object_id=contact.aad_object_id,
                tenant_id=contact.tenant_id,
                conversation_reference=contact.reference(),
                first_seen=today,
                last_seen=today,
                name=contact.name,
            )
        else:
            reference = current.conversation_reference if contact.same_place_as(current) else contact.reference()
            # Messaging the bot again makes a worker reachable again (see the messenger).
            updated = replace(
                current,
                user_id=contact.user_id,
                tenant_id=contact.tenant_id or current.tenant_id,
                conversation_reference=reference,
                last_seen=today,
                installed=True,
                unreachable=False,
                name=contact.name or current.name,
            )
        if email is not None:
            updated = replace(updated, email=email.lower(), email_checked=True)
        return updated

    async def expect(self, pid: str, tenant_id: str, aad_object_id: str, email: str, now: dt.datetime) -> Worker:
        """Before the app is installed for someone through the directory: their record, so the install
        event Teams then sends finds it and holds back its welcome. Only what a named person's record
        holds anyway: their Entra id and the email the worker typed (shown as their name until Teams gives
        one). An existing record keeps everything it has."""
        current = await self.get(pid)
        today = now.date().isoformat()
        if current is None:
            updated = Worker(
                pid=pid,
                user_id="",
                aad_object_id=aad_object_id.lower(),
                tenant_id=tenant_id,
                conversation_reference={},
                first_seen=today,
                last_seen=today,
                installed=False,
                name=email,
                email=email,
                welcome_held=True,
            )
        else:
            updated = replace(current, welcome_held=not current.welcomed, email=current.email or email)
        if updated != current:
            await self.put(updated)
        return updated

    async def reached(self, pid: str, reference: dict[str, Any]) -> None:
        """The app is installed for them and the directory gave their chat: reach them there (the same chat
        as the install event's, by another id; their next message brings Teams' own reference back)."""
        current = await self.get(pid)
        if current is not None:
            await self.put(replace(current, conversation_reference=reference, installed=True, unreachable=False))

    async def update(self, pid: str, **changes: Any) -> Worker | None:
        """Change some fields of a worker's record, in one write (None when there is no record)."""

        def change(data: Tables) -> dict[str, Any] | None:
            doc = first(data, PROFILE)
            if doc is None:
                return None
            doc = {**doc, **changes}
            put_single(data, PROFILE, doc)
            return doc

        doc = await self._store.shard(worker_shard(pid)).write(change)
        return Worker.from_doc(doc) if doc else None

    async def set_installed(self, pid: str, installed: bool) -> None:
        """Record an install or uninstall; an uninstalled worker gets no proactive messages."""
        current = await self.get(pid)
        if current is not None and current.installed != installed:
            # A later re-install is welcomed again.
            await self.put(replace(current, installed=installed, welcomed=current.welcomed and installed))

    async def set_welcomed(self, pid: str, welcomed: bool, also: Callable[[Tables], None] | None = None) -> None:
        """Record whether the worker was welcomed; `also` changes more of their file in the same write
        (the welcome's new schedule)."""
        current = await self.get(pid)
        if current is None or (current.welcomed == welcomed and not current.welcome_held and also is None):
            return

        def change(data: Tables) -> None:
            doc = first(data, PROFILE)
            if doc is not None:
                put_single(data, PROFILE, {**doc, "welcomed": welcomed, "welcome_held": False})
            if also is not None:
                also(data)

        await self._store.shard(worker_shard(pid)).write(change)

    async def set_unreachable(self, pid: str, unreachable: bool) -> None:
        current = await self.get(pid)
        if current is not None and current.unreachable != unreachable:
            await self.put(replace(current, unreachable=unreachable))

    async def set_email(self, pid: str, email: str | None) -> None:
        """Record the work email Teams gave (or that it gave none), so it is asked only once."""
        current = await self.get(pid)
        if current is not None:
            await self.put(replace(current, email=(email or "").lower(), email_checked=True))

    async def find(self, tenant_id: str, query: str) -> list[Worker]:
        """People in this tenant whose work email, or whole display name, is exactly what was typed
        (case and spacing aside). Never a partial match: searching must not list who uses the app."""
        wanted = " ".join(query.lower().split())
        if not wanted:
            return []
        people = [
            w
            for w in [await self.get(pid) for pid in await self.all_pids()]
            if w is not None and w.installed and w.tenant_id == tenant_id
        ]
        by_email = [w for w in people if w.email and w.email == wanted]
        return by_email or [w for w in people if " ".join(w.name.lower().split()) == wanted]

    async def all_pids(self) -> list[str]:
        return [name.rsplit("/", 1)[1] for name in await self._store.list_shards(WORKERS)]

    async def put(self, worker: Worker, also: Callable[[Tables], None] | None = None) -> None:
        """Write the worker's record; `also` changes more of their file in the same write."""
        doc = worker.to_doc()

        def change(data: Tables) -> None:
            put_single(data, PROFILE, doc)
            if also is not None:
                also(data)

        await self._store.shard(worker_shard(worker.pid)).write(change)


_SAVING: set[asyncio.Task] = set()  # arrivals saved after their turn was cancelled (kept until done)


class Arrival:
    """A worker's arrival this turn. A new worker's record is written once, by `saved`: with their welcome
    (and its schedule) when the turn welcomes them, or on its own before anything else reads their file,
    and at the latest when the turn ends."""

    def __init__(
        self,
        workers: WorkerRepository,
        worker: Worker,
        email_lookup: asyncio.Future[str | None] | None,
        saved: bool = False,
    ):
        self.worker = worker
        self._workers = workers
        self._email_lookup = email_lookup
        self._saved = saved

    @property
    def is_saved(self) -> bool:
        return self._saved

    async def saved(self, welcomed: bool = False, also: Callable[[Tables], None] | None = None) -> Worker:
        """Write a new worker's record (once; later calls return it): `welcomed`, and `also`'s change of
        their file, go in the same write. Their email is waited for first (its lookup has a timeout)."""
        if self._saved:
            return self.worker
        worker = replace(self.worker, welcomed=welcomed) if welcomed else self.worker
        lookup = self._email_lookup
        email = None if lookup is None or lookup.cancelled() else await lookup
        if email is not None:
            worker = replace(worker, email=email.lower(), email_checked=True)
        await self._workers.put(worker, also)
        self._saved = True
        self.worker = worker
        return worker

    def save_anyway(self) -> asyncio.Task[Worker] | None:
        """The turn was cancelled (the bot is stopping): write the record in a task of its own, so that
        they are still known (a crash instead means they are recorded on their next message)."""
        if self._saved:
            return None
        task = asyncio.ensure_future(self.saved())
        _SAVING.add(task)
        task.add_done_callback(_SAVING.discard)
        return task

    def abandon(self) -> None:
        """The turn is over without the record saved (it failed to): stop asking Teams for the email."""
        if self._email_lookup is not None and not self._email_lookup.done():
            self._email_lookup.cancel()
