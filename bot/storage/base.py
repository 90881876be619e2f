"""What every storage engine offers the bot, whichever one runs (TinyDB files or PostgreSQL).

Two small protocols, for two jobs:

- `Documents`, what repositories (bot/records/) use and all they know: records live in named documents
  ("workers/ab/w…", "system/exports"), each a set of tables, each table a mapping of row id to row, as in
  a TinyDB file. A write is one atomic read-modify-write of one document: the change runs on the current
  data and is saved whole, or not at all, so concurrent writes to a document (two turns, two instances)
  never lose an update. A document that belongs to one person and cannot be read is set aside into a
  quarantine (see `Quarantine`), so one damaged file never stops the bot for everyone else.
- `Coordination`, what the one or many processes on a store share: when each worker is next due, which
  activities were already handled, one turn at a time per chat, which process runs the timed work, and
  the shared pace of sends to Teams. Only the code that coordinates (the prompting tick, the Teams
  channel and messenger, the scheduler) gets it, from the composition root.

Each engine (`Store`) offers both, and `make_store` (bot/storage/__init__.py) is the one place that
builds an engine.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
Tables = dict[str, dict[str, Any]]  # table name -> {row id -> row}


class DataFileError(Exception):
    """Stored data cannot be trusted; the message says which and how to restore it."""


class KeyMismatch(DataFileError):
    """Data is encrypted and the key is missing or wrong."""


class Damaged(DataFileError):
    """A document cannot be read: `reason` is 'unreadable' (empty, not JSON, not a document) or
    'undecryptable' (not with any key in DATA_KEYS)."""

    def __init__(self, message: str, reason: str = "unreadable"):
        super().__init__(message)
        self.reason = reason


class StorageUnavailable(Exception):
    """The storage cannot be reached just now (a database outage); nothing was changed."""


class Document(Protocol):
    async def read(self, fn: Callable[[Tables], T]) -> T:
        """`fn(data)` on the current data; `fn` must not change it."""

    async def write(self, fn: Callable[[Tables], T]) -> T:
        """`fn(data)` changes the data in place; returns once the change is durable (or raises, and
        nothing changed)."""

    async def delete(self) -> None:
        """Remove the document entirely (erasure)."""


class DueIndex(Protocol):
    """When each worker next needs the scheduled tick's attention."""

    durable: bool  # kept by the store across restarts (else rebuilt from the records at each start)

    async def set(self, pid: str, when: Any) -> None:
        """Record `when` (a datetime), or forget the worker with None."""

    async def due(self, now: Any) -> list[str]:
        """Workers whose time is at or before `now`, earliest first."""

    async def count(self) -> int: ...


class Pacer(Protocol):
    """The shared pace of sends to Teams, per tenant and per conversation."""

    async def slot(self, tenant: str, conversation: str, tenant_gap: float, conversation_gap: float) -> float:
        """Take the next free moment for both; returns how many seconds to wait for it."""

    async def pause_all(self, seconds: float) -> None:
        """Teams keeps answering 429: every sender waits this long."""


@dataclass(frozen=True)
class SetAside:
    """One damaged document, kept exactly as it was found, for an operator to restore or close."""

    id: str  # the operator's handle for it
    name: str  # the document it was ("workers/ab/w…")
    at: str  # when it was set aside (UTC, ISO 8601)
    reason: str  # 'unreadable', 'undecryptable', 'unencrypted' or 'replaced_by_restore'
    told: bool  # its owner has been told
    size: int  # bytes


class Quarantine(Protocol):
    """Damaged documents of one person each, set aside (never deleted by the bot) so that everyone else is
    served; reading such a document then finds it empty, as for someone new."""

    async def count(self) -> int: ...

    async def state(self, name: str) -> str | None:
        """'untold' until the owner of `name` is told their data was set aside, then 'told'; None when
        nothing of theirs is set aside."""

    async def mark_told(self, name: str) -> None: ...

    async def entries(self) -> list[SetAside]: ...

    async def raw(self, entry: str) -> bytes:
        """The bytes as they were found (KeyError for an unknown entry)."""

    async def resolve(self, entry: str) -> None:
        """An operator restored the data or accepted its loss: the entry and its bytes go."""


class Documents(Protocol):
    """Named documents of tables, and the quarantine of one person's damaged ones: all repositories see."""

    @property
    def quarantine(self) -> Quarantine: ...

    async def set_aside(self, name: str, reason: str) -> str | None:
        """Move the document `name` into the quarantine as it is (an operator restoring an older copy over
        it); returns the entry's id, or None when there was no such document."""

    def shard(self, name: str) -> Document:
        """The document called `name` (lower-case path segments: letters, digits and _)."""

    async def list_shards(self, prefix: str) -> list[str]:
        """Names of the documents under `prefix` ("" for every one)."""

    async def remove_folder(self, prefix: str) -> None:
        """Delete every document under `prefix`."""


class Coordination(Protocol):
    """What the processes on one store share, so that any of them can serve any turn."""

    instance_id: str  # this process, as owner of work it has started

    @property
    def due(self) -> DueIndex: ...

    @property
    def pacer(self) -> Pacer: ...

    async def first_time(self, key: str) -> bool:
        """True the first time `key` (an activity id) is offered in the last ten minutes."""

    def hold(self, key: str) -> AbstractAsyncContextManager[None]:
        """One holder at a time for `key` (a chat) across every process on this store."""

    async def lead(self) -> bool:
        """True when this process is the one that runs the timed work (taking the role if it is free)."""

    async def alive(self, owner: str) -> bool:
        """True while the process `owner` (an `instance_id`) still runs."""

    async def tidy(self) -> None:
        """Forget coordination data past its use (hourly)."""


class Store(Documents, Coordination, Protocol):
    """An engine: both protocols, with a lifetime (opened and closed by the composition root)."""

    kind: str  # "tinydb" or "postgresql", for the start-up line and /readyz

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def check_writable(self) -> bool:
        """True when a write would succeed now (for /readyz)."""


def all_rows(data: Tables, table: str) -> list[dict[str, Any]]:
    """The rows of a table, each a shallow copy (as TinyDB's `all()` gives)."""
    return [dict(row) for row in data.get(table, {}).values()]


def first(data: Tables, table: str) -> dict[str, Any] | None:
    """The single row of a one-row table, as a copy, or None."""
    found = data.get(table)
    return copy.deepcopy(next(iter(found.values()))) if found else None


def put_single(data: Tables, table: str, doc: dict[str, Any]) -> None:
    """Replace the single row of a one-row table."""
    data[table] = {"1": copy.deepcopy(doc)}


def next_id(table_rows: dict[str, Any]) -> str:
    """The next row id for a table's rows (TinyDB's numbering)."""
    return str(max((int(k) for k in table_rows), default=0) + 1)
