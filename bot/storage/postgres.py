"""The PostgreSQL store (DATABASE_URL): the same documents as the embedded store, one row each, shared by
any number of bot processes.

- A write is one transaction: the row is locked (SELECT … FOR UPDATE), changed and saved, so concurrent
  writes to one worker's records from two processes queue instead of losing an update.
- Bodies are encrypted with DATA_KEYS when set, as the data files are.
- The schema is created and upgraded by the numbered files in migrations/, applied at start-up under an
  advisory lock, so several processes starting at once apply each exactly once.
- Coordination is shared: the due index and activity ids already handled are tables; a chat's turns
  queue on an advisory lock; the process holding the leader lock runs the timed work, and each
  process's presence lock tells the others whether it still runs (the database drops both the moment
  its connection does, kill -9 included); the pace of sends to Teams is a table on the database's clock.
- Every call has a timeout; an unreachable database raises StorageUnavailable, and turns answer kindly.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from .base import Damaged, DataFileError, KeyMismatch, SetAside, StorageUnavailable, Tables
from .crypto import Cipher
from .local import KeyedLocks
from .quarantine import entry_id

T = TypeVar("T")
log = logging.getLogger("bot.storage")
MIGRATIONS = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")
# Advisory lock classes (the first of the two keys): which kind of lock it is.
MIGRATING, LEADER, PRESENCE, CHAT = 7_301, 7_302, 7_303, 7_304
SEEN_WINDOW = "10 minutes"
PAUSE_KEY = b"pause"
UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)


def key32(value: str) -> int:
    """A stable signed 32-bit key for an advisory lock."""
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:4], "big", signed=True)


def hashed(value: str) -> bytes:
    """Ids kept only to be recognised again are stored as hashes, never as Teams ids."""
    return hashlib.sha256(value.encode()).digest()


@asynccontextmanager
async def reachable(store: PostgresStore | None = None) -> AsyncIterator[None]:
    """Turn the many ways a database can be out of reach into one StorageUnavailable. The pool's idle
    connections may all be dead too (the server restarted): they are replaced before their next use."""
    try:
        yield
    except UNREACHABLE as exc:
        for pool in (store._pool, store._lock_pool) if store is not None else ():
            if pool is not None:
                await pool.expire_connections()
        raise StorageUnavailable(type(exc).__name__) from exc


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every migration file, in order."""
    found = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        found.append((int(path.name.split("_", 1)[0]), path.stem, path.read_text(encoding="utf-8")))
    return found


async def migrate(conn: asyncpg.Connection) -> list[str]:
    """Apply the migrations not yet applied, each once, whatever other processes do meanwhile."""
    steps = await asyncio.to_thread(migrations)
    applied: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1, 0)", MIGRATING)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        newer = done - {v for v, _n, _s in steps}
        if newer:
            raise DataFileError(
                f"The database has schema version {max(newer)}, newer than this bot knows: a newer version of the "
                "bot upgraded it. Run that version (or restore the database from the backup taken before it)."
            )
        for version, name, sql in steps:
            if version not in done:
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version, name)
                applied.append(name)
    return applied


async def _nothing_to_reset(conn: asyncpg.Connection) -> None:
    pass


async def _release_locks(conn: asyncpg.Connection) -> None:
    await conn.execute("SELECT pg_advisory_unlock_all()")


class Row:
    """One document: a row of `documents`."""

    def __init__(self, store: PostgresStore, name: str):
        self._store = store
        self.name = name

    async def read(self, fn: Callable[[Tables], T]) -> T:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                found = await conn.fetchrow("SELECT body, encrypted FROM documents WHERE name = $1", self.name)
                data = await self._store.decoded(conn, self.name, found)
        return fn(data)

    async def write(self, fn: Callable[[Tables], T]) -> T:
        """Lock the row, change it, save it, in one transaction. Two first writes of a new document can
        meet; the one that loses runs again on the winner's data."""
        for attempt in range(3):
            try:
                async with reachable(self._store):
                    async with self._store.pool.acquire() as conn, conn.transaction():
                        found = await conn.fetchrow(
                            "SELECT body, encrypted FROM documents WHERE name = $1 FOR UPDATE", self.name
                        )
                        data = await self._store.decoded(conn, self.name, found)
                        if found and not data and await self._store.quarantine.holds_row(conn, self.name):
                            found = None  # set aside just now: this write starts the document afresh
                        result = fn(data)
                        body, encrypted = self._store.encode(data)
                        if found:
                            await conn.execute(
                                "UPDATE documents SET body = $2, encrypted = $3, updated_at = now() WHERE name = $1",
                                self.name,
                                body,
                                encrypted,
                            )
                        else:
                            await conn.execute(
                                "INSERT INTO documents (name, body, encrypted) VALUES ($1, $2, $3)",
                                self.name,
                                body,
                                encrypted,
                            )
                        return result
            except asyncpg.UniqueViolationError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def delete(self) -> None:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                await conn.execute("DELETE FROM documents WHERE name = $1", self.name)


class TableDueIndex:
    """The due index as a table, shared by every process."""

    durable = True

    def __init__(self, store: PostgresStore):
        self._store = store

    async def set(self, pid: str, when: dt.datetime | None) -> None:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                if when is None:
                    await conn.execute("DELETE FROM due WHERE pid = $1", pid)
                else:
                    await conn.execute(
                        "INSERT INTO due (pid, at) VALUES ($1, $2) ON CONFLICT (pid) DO UPDATE SET at = EXCLUDED.at",
                        pid,
                        when,
                    )

    async def due(self, now: dt.datetime) -> list[str]:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                return [r["pid"] for r in await conn.fetch("SELECT pid FROM due WHERE at <= $1 ORDER BY at", now)]

    async def count(self) -> int:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                return int(await conn.fetchval("SELECT count(*) FROM due"))


class TablePacer:
    """Next free moments to send, on the database's clock, so every process keeps to one pace."""

    def __init__(self, store: PostgresStore):
        self._store = store

    async def slot(self, tenant: str, conversation: str, tenant_gap: float, conversation_gap: float) -> float:
        gaps = {hashed("t|" + tenant): tenant_gap, hashed("c|" + conversation): conversation_gap}
        keys = sorted(gaps)  # rows are locked in one order, so two senders never wait on each other in a circle
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO send_pace (key, next_at) SELECT unnest($1::bytea[]), 0 ON CONFLICT DO NOTHING", keys
                )
                rows = await conn.fetch(
                    "SELECT key, next_at FROM send_pace WHERE key = ANY($1) ORDER BY key FOR UPDATE", keys
                )
                now = float(await conn.fetchval("SELECT extract(epoch FROM clock_timestamp())"))
                paused = await conn.fetchval("SELECT next_at FROM send_pace WHERE key = $1", PAUSE_KEY)
                start = max([now, float(paused or 0.0), *(float(r["next_at"]) for r in rows)])
                await conn.executemany(
                    "UPDATE send_pace SET next_at = $2 WHERE key = $1", [(k, start + gaps[k]) for k in keys]
                )
        return start - now

    async def pause_all(self, seconds: float) -> None:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                await conn.execute(
                    "INSERT INTO send_pace (key, next_at) VALUES ($1, extract(epoch FROM clock_timestamp()) + $2) "
                    "ON CONFLICT (key) DO UPDATE SET next_at = greatest(send_pace.next_at, EXCLUDED.next_at)",
                    PAUSE_KEY,
                    seconds,
                )


class TableQuarantine:
    """Damaged records of one person, moved into the `quarantine` table as they were (see base.py)."""

    def __init__(self, store: PostgresStore):
        self._store = store

    async def take(self, conn: asyncpg.Connection, name: str, found: asyncpg.Record, reason: str) -> None:
        """Move the row, if it is still the damaged one, into the quarantine (in one statement)."""
        at = dt.datetime.now(dt.UTC)
        moved = await conn.fetchval(
            "WITH moved AS (DELETE FROM documents WHERE name = $1 AND body = $2 RETURNING body, encrypted) "
            "INSERT INTO quarantine (id, name, body, encrypted, reason, set_aside_at) "
            "SELECT $3, $1, body, encrypted, $4, $5 FROM moved RETURNING id",
            name,
            found["body"],
            entry_id(name, at),
            reason,
            at,
        )
        if moved:
            log.warning("data_set_aside document=%s reason=%s", name, reason)

    async def holds_row(self, conn: asyncpg.Connection, name: str) -> bool:
        """True when the document `name` no longer exists because it was just set aside."""
        return not await conn.fetchval("SELECT true FROM documents WHERE name = $1", name)

    async def count(self) -> int:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                return int(await conn.fetchval("SELECT count(*) FROM quarantine"))

    async def state(self, name: str) -> str | None:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                told = await conn.fetchval("SELECT bool_and(told) FROM quarantine WHERE name = $1", name)
        return None if told is None else "told" if told else "untold"

    async def mark_told(self, name: str) -> None:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                await conn.execute("UPDATE quarantine SET told = true WHERE name = $1", name)

    async def entries(self) -> list[SetAside]:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                rows = await conn.fetch(
                    "SELECT id, name, set_aside_at, reason, told, length(body) AS size FROM quarantine ORDER BY id"
                )
        return [
            SetAside(
                id=r["id"],
                name=r["name"],
                at=r["set_aside_at"].isoformat(timespec="seconds"),
                reason=r["reason"],
                told=r["told"],
                size=r["size"],
            )
            for r in rows
        ]

    async def raw(self, entry: str) -> bytes:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                found = await conn.fetchval("SELECT body FROM quarantine WHERE id = $1", entry)
        if found is None:
            raise KeyError(entry)
        return bytes(found)

    async def resolve(self, entry: str) -> None:
        async with reachable(self._store):
            async with self._store.pool.acquire() as conn:
                gone = await conn.fetchval("DELETE FROM quarantine WHERE id = $1 RETURNING id", entry)
        if gone is None:
            raise KeyError(entry)


class PostgresStore:
    kind = "postgresql"

    def __init__(
        self,
        url: str,
        *,
        cipher: Cipher | None = None,
        pool_size: int = 10,
        chat_locks: int = 20,
        timeout: float = 10.0,
        isolate: tuple[str, ...] = ("workers",),
    ):
        self.url = url
        self.instance_id = uuid.uuid4().hex
        self.due = TableDueIndex(self)
        self.pacer = TablePacer(self)
        self.quarantine = TableQuarantine(self)
        # Folders whose documents each belong to one person: a damaged one is set aside, not fatal.
        self.isolate = isolate
        self.encrypted_now = 0
        self.migrated: list[str] = []
        self._cipher = cipher
        self._pool_size = pool_size
        self._chat_locks = chat_locks
        self._timeout = timeout
        self._pool: asyncpg.Pool | None = None
        self._lock_pool: asyncpg.Pool | None = None
        self._presence: asyncpg.Connection | None = None
        self._presence_guard = asyncio.Lock()
        self._leading = False
        self._chats = KeyedLocks()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StorageUnavailable("not open")
        return self._pool

    def _connect_args(self) -> dict[str, Any]:
        # The process id in application_name lets an operator match pg_stat_activity to a bot process.
        return {
            "timeout": self._timeout,
            "command_timeout": self._timeout,
            "server_settings": {"application_name": f"peer-wellbeing-bot pid={os.getpid()} {self.instance_id[:8]}"},
        }

    async def open(self) -> None:
        """Connect, apply migrations, announce this process, and check encryption matches DATA_KEYS."""
        async with reachable():
            # asyncpg resets each connection given back to a pool with four statements, a round trip per use:
            # records leave no session state behind (every transaction is closed, every lock released), and
            # a chat's lock connection needs only its lock released.
            self._pool = await asyncpg.create_pool(
                self.url, min_size=1, max_size=self._pool_size, reset=_nothing_to_reset, **self._connect_args()
            )
            self._lock_pool = await asyncpg.create_pool(
                self.url, min_size=0, max_size=self._chat_locks, reset=_release_locks, **self._connect_args()
            )
            async with self._pool.acquire() as conn:
                self.migrated = await migrate(conn)
            await self._announce()
        if self.migrated:
            log.warning("database_migrated applied=%s", ",".join(self.migrated))
        await self._check_encryption()

    async def _announce(self) -> None:
        """A connection of its own holds this process's presence lock (and, once taken, the leader lock)."""
        if self._presence is not None and not self._presence.is_closed():
            return
        self._leading = False
        self._presence = await asyncpg.connect(self.url, **self._connect_args())
        await self._presence.execute("SELECT pg_advisory_lock($1, $2)", PRESENCE, key32(self.instance_id))

    async def close(self) -> None:
        for pool in (self._lock_pool, self._pool):
            if pool is not None:
                await pool.close()
        if self._presence is not None:
            await self._presence.close()
        self._pool = self._lock_pool = self._presence = None

    async def _check_encryption(self) -> None:
        async with reachable(self):
            async with self.pool.acquire() as conn:
                found = await conn.fetchrow(
                    "SELECT bool_or(encrypted) AS sealed, bool_or(NOT encrypted) AS plain FROM documents"
                )
                # Several, so that one damaged record is not taken for a wrong key.
                samples = await conn.fetch("SELECT body, encrypted FROM documents WHERE encrypted LIMIT 20")
        if found["sealed"] and self._cipher is None:
            raise KeyMismatch(
                "The bot did not start: the database's records are encrypted, but no DATA_KEYS is set. Set the "
                "key they were encrypted with (see docs/privacy.md, 'Encryption at rest')."
            )
        if samples and not any(self._opens(sample) for sample in samples):
            raise KeyMismatch("The bot did not start: the data was encrypted with a different key: check DATA_KEYS")
        if found["plain"] and self._cipher is not None:
            self.encrypted_now = await self.reseal()
            log.warning("data_encrypted documents=%d (DATA_KEYS is now in use for the database)", self.encrypted_now)

    async def reseal(self, plain: bool = False) -> int:
        """Encrypt every document under the first key in DATA_KEYS (`plain`: store them unencrypted): for
        turning encryption on or off and for rotating keys. Each document in its own transaction."""
        changed = 0
        for name in await self.list_shards(""):
            async with reachable(self):
                async with self.pool.acquire() as conn, conn.transaction():
                    found = await conn.fetchrow(
                        "SELECT body, encrypted FROM documents WHERE name = $1 FOR UPDATE", name
                    )
                    if found is None:
                        continue
                    data = await self.decoded(conn, name, found)
                    if not data and await self.quarantine.holds_row(conn, name):
                        continue  # damaged: set aside, as it was
                    body, encrypted = self.encode(data, plain)
                    await conn.execute(
                        "UPDATE documents SET body = $2, encrypted = $3 WHERE name = $1", name, body, encrypted
                    )
                    changed += 1
        return changed

    def decode(self, found: asyncpg.Record) -> Tables:
        raw = bytes(found["body"])
        if found["encrypted"]:
            if self._cipher is None:
                raise KeyMismatch("a record is encrypted, but no DATA_KEYS is set")
            try:
                raw = self._cipher.decrypt(raw)
            except KeyMismatch as exc:
                raise Damaged(str(exc), "undecryptable") from None
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise Damaged("a record in the database is not a document: restore it from a backup")
        return data

    def _opens(self, found: asyncpg.Record) -> bool:
        try:
            self.decode(found)
            return True
        except Damaged as exc:
            return exc.reason != "undecryptable"

    async def decoded(self, conn: asyncpg.Connection, name: str, found: asyncpg.Record | None) -> Tables:
        """The document's data; a damaged one of one person is set aside and reads as empty (someone new)."""
        if found is None:
            return {}
        try:
            return self.decode(found)
        except Damaged as exc:
            if name.split("/", 1)[0] not in self.isolate:
                raise
            await self.quarantine.take(conn, name, found, exc.reason)
            return {}

    async def set_aside(self, name: str, reason: str) -> str | None:
        """Move a document into the quarantine as it is (an operator restoring an older copy over it)."""
        at = dt.datetime.now(dt.UTC)
        async with reachable(self):
            async with self.pool.acquire() as conn:
                return await conn.fetchval(
                    "WITH moved AS (DELETE FROM documents WHERE name = $1 RETURNING body, encrypted) "
                    "INSERT INTO quarantine (id, name, body, encrypted, reason, set_aside_at, told) "
                    "SELECT $2, $1, body, encrypted, $3, $4, true FROM moved RETURNING id",
                    name,
                    entry_id(name, at),
                    reason,
                    at,
                )

    def encode(self, data: Tables, plain: bool = False) -> tuple[bytes, bool]:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if self._cipher is None or plain:
            return payload, False
        return self._cipher.encrypt(payload), True

    def shard(self, name: str) -> Row:
        if not _NAME.match(name):
            raise ValueError("document names are lower-case letters, digits, _ and /")
        return Row(self, name)

    async def list_shards(self, prefix: str) -> list[str]:
        async with reachable(self):
            async with self.pool.acquire() as conn:
                if not prefix:
                    found = await conn.fetch("SELECT name FROM documents ORDER BY name")
                else:
                    found = await conn.fetch(
                        "SELECT name FROM documents WHERE starts_with(name, $1) ORDER BY name", prefix + "/"
                    )
        return [r["name"] for r in found]

    async def remove_folder(self, prefix: str) -> None:
        if not _NAME.match(prefix):
            raise ValueError("folder names are lower-case letters, digits, _ and /")
        async with reachable(self):
            async with self.pool.acquire() as conn:
                await conn.execute("DELETE FROM documents WHERE starts_with(name, $1)", prefix + "/")

    async def check_writable(self) -> bool:
        """The database answers and is not a read-only standby."""
        try:
            async with reachable(self):
                async with self.pool.acquire() as conn:
                    return not await conn.fetchval("SELECT pg_is_in_recovery()")
        except StorageUnavailable:
            return False

    async def first_time(self, key: str) -> bool:
        async with reachable(self):
            async with self.pool.acquire() as conn:
                taken = await conn.fetchval(
                    "INSERT INTO seen_activities (key) VALUES ($1) ON CONFLICT (key) DO UPDATE SET seen_at = now() "
                    f"WHERE seen_activities.seen_at < now() - interval '{SEEN_WINDOW}' RETURNING true",
                    hashed(key),
                )
        return bool(taken)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Turns of one chat queue here first (no connection needed), then on an advisory lock that
        processes share. Giving the connection back to the pool releases the lock."""
        async with self._chats.hold(key):
            if self._lock_pool is None:
                raise StorageUnavailable("not open")
            async with reachable(self):
                conn = await self._lock_pool.acquire()
            try:
                async with reachable(self):
                    await conn.execute("SELECT pg_advisory_lock($1, $2)", CHAT, key32(key))
                yield
            finally:
                await self._lock_pool.release(conn)

    async def lead(self) -> bool:
        async with self._presence_guard:
            try:
                async with reachable():
                    await self._announce()
                    assert self._presence is not None
                    if self._leading:
                        await self._presence.fetchval("SELECT 1")  # still connected: still leading
                    else:
                        self._leading = bool(
                            await self._presence.fetchval("SELECT pg_try_advisory_lock($1, 0)", LEADER)
                        )
            except StorageUnavailable:
                self._leading = False
                if self._presence is not None:
                    self._presence.terminate()
                    self._presence = None
                raise
            return self._leading

    async def alive(self, owner: str) -> bool:
        if owner == self.instance_id:
            return True
        if not owner:
            return False
        async with reachable(self):
            async with self.pool.acquire() as conn:
                free = await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", PRESENCE, key32(owner))
                if free:
                    await conn.execute("SELECT pg_advisory_unlock($1, $2)", PRESENCE, key32(owner))
        return not free

    async def tidy(self) -> None:
        """Forget activity ids past their window and paces long past."""
        async with reachable(self):
            async with self.pool.acquire() as conn:
                await conn.execute(f"DELETE FROM seen_activities WHERE seen_at < now() - interval '{SEEN_WINDOW}'")
                await conn.execute(
                    "DELETE FROM send_pace WHERE key <> $1 AND next_at < extract(epoch FROM now()) - 3600", PAUSE_KEY
                )
