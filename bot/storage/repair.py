"""`python -m bot storage quarantine ...`: the operator's commands for workers' data that was set aside
because it could not be read (docs/operations.md, 'Damaged data').

    list                          every entry: its id, when, why, whether the worker was told (no content)
    inspect ID                    one entry: whether it opens now, its tables and row counts (no content)
    restore ID [--from BACKUP]    put the worker's data back, from a backup copy or from the entry itself
                                  (after putting back a key removed from DATA_KEYS too early); --replace
                                  when the worker has carried on since (what they did since is set aside)
    accept-loss ID                close the entry: its damaged copy is deleted; the worker carries on as new

The location is --at (a data folder or a postgresql:// URL), else DATABASE_URL or DATA_DIR, as the bot reads
them; DATA_KEYS decrypts. On a data folder, `list` and `inspect` work while the bot runs; `restore` and
`accept-loss` need it stopped (it holds the folder). On PostgreSQL all of them work while bots run.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import asyncpg

from .base import DataFileError, KeyMismatch, SetAside, StorageUnavailable, Store, Tables
from .crypto import FERNET_PREFIX, Cipher
from .quarantine import FolderQuarantine


def is_database(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def opened(raw: bytes, cipher: Cipher | None) -> tuple[Tables | None, str]:
    """The document in `raw` bytes, or None and why it cannot be read (never any of its content)."""
    if not raw.strip():
        return None, "it is empty"
    if raw.startswith(FERNET_PREFIX):
        if cipher is None:
            return None, "it is encrypted and DATA_KEYS is not set"
        try:
            raw = cipher.decrypt(raw)
        except KeyMismatch:
            return None, "it is encrypted and opens with no key in DATA_KEYS (damaged, or its key was removed)"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        return None, f"it is not valid JSON{where}"
    if not isinstance(data, dict) or not all(isinstance(rows, dict) for rows in data.values()):
        return None, "it is JSON but not a worker's records (tables of rows)"
    return data, ""


def shape(data: Tables) -> str:
    tables = ", ".join(f"{name} {len(rows)}" for name, rows in sorted(data.items()))
    return f"{len(data)} tables, {sum(len(r) for r in data.values())} rows ({tables or 'none'})"


def describe(entry: SetAside) -> str:
    told = "told" if entry.told else "not told yet (they will be when they next write)"
    return f"{entry.id}  set aside {entry.at}  {entry.reason}  {entry.size} bytes  worker {told}"


async def read_backup(source: str, name: str) -> bytes:
    """The bytes of document `name` in a backup: a data file, a data folder, or a PostgreSQL database.
    Read only: nothing in the backup is changed, locked or set aside."""
    if is_database(source):
        conn = await asyncpg.connect(source, timeout=10, command_timeout=10)
        try:
            found = await conn.fetchrow("SELECT body FROM documents WHERE name = $1", name)
        finally:
            await conn.close()
        if found is None:
            raise FileNotFoundError(f"the backup database has no record {name}")
        return bytes(found["body"])
    path = Path(source)
    if path.is_dir():
        path = path / f"{name}.json"
    return await asyncio.to_thread(path.read_bytes)


class Repair:
    def __init__(self, location: str, cipher: Cipher | None, out=sys.stdout, err=sys.stderr):
        self.location = location
        self.cipher = cipher
        self.out, self.err = out, err

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def refuse(self, text: str, code: int = 2) -> int:
        print(text, file=self.err)
        return code

    async def _store(self) -> Store:
        from . import make_store

        store = make_store(Path(self.location), self.location if is_database(self.location) else "", cipher=self.cipher)
        await store.open()
        return store

    async def _entries_only(self) -> list[SetAside]:
        """The entries, without taking the data folder (so beside a running bot), or from the database."""
        if is_database(self.location):
            store = await self._store()
            try:
                return await store.quarantine.entries()
            finally:
                await store.close()
        with ThreadPoolExecutor(max_workers=1) as executor:
            folder = FolderQuarantine(Path(self.location), executor)
            await asyncio.to_thread(folder.load, False)
            return await folder.entries()

    async def list(self) -> int:
        entries = await self._entries_only()
        if not entries:
            self.say("Nothing is set aside.")
            return 0
        self.say(f"{len(entries)} set aside (restore or accept-loss each; see docs/operations.md, 'Damaged data'):")
        for entry in entries:
            self.say("  " + describe(entry))
        return 0

    async def inspect(self, entry_id: str) -> int:
        entry = next((e for e in await self._entries_only() if e.id == entry_id), None)
        if entry is None:
            return self.refuse(f"No entry {entry_id!r} is set aside: `list` shows them.")
        raw = await self._raw(entry)
        data, why = opened(raw, self.cipher)
        self.say(describe(entry))
        self.say(f"  document: {entry.name}")
        if data is None:
            self.say(f"  it cannot be read: {why}. Restore it from a backup copy (restore {entry.id} --from ...),")
            self.say("  or accept the loss (accept-loss).")
        else:
            self.say(f"  it opens now: {shape(data)}. `restore {entry.id}` puts it back as it is.")
        return 0

    async def _raw(self, entry: SetAside) -> bytes:
        if is_database(self.location):
            store = await self._store()
            try:
                return await store.quarantine.raw(entry.id)
            finally:
                await store.close()
        return await asyncio.to_thread((Path(self.location) / "quarantine" / f"{entry.id}.data").read_bytes)

    async def restore(self, entry_id: str, source: str | None, replace: bool) -> int:
        store = await self._store()
        try:
            entry = next((e for e in await store.quarantine.entries() if e.id == entry_id), None)
            if entry is None:
                return self.refuse(f"No entry {entry_id!r} is set aside: `list` shows them.")
            try:
                raw = await (read_backup(source, entry.name) if source else store.quarantine.raw(entry.id))
            except (OSError, asyncpg.PostgresError) as exc:
                return self.refuse(f"The backup copy cannot be read ({exc}): nothing changed.")
            data, why = opened(raw, self.cipher)
            if data is None:
                where = "The backup copy" if source else "The set-aside copy"
                return self.refuse(f"{where} cannot be read either: {why}. Nothing changed.", 1)
            shard = store.shard(entry.name)
            if await shard.read(bool):
                if not replace:
                    return self.refuse(
                        "The worker has carried on since their data was set aside, so restoring would replace what "
                        "they did since (it would be set aside too, never deleted). Agree it with them, then run "
                        "this again with --replace. Nothing changed."
                    )
                await store.set_aside(entry.name, "replaced_by_restore")
            await shard.write(partial(_replace_with, data))
            if json.dumps(await shard.read(copy.deepcopy), sort_keys=True) != json.dumps(data, sort_keys=True):
                return self.refuse(f"{entry.name} did not read back as restored: the set-aside copy is kept.", 1)
            await store.quarantine.resolve(entry.id)
            if store.due.durable:
                # The timed work looks at this worker at its next tick and so learns their schedule again.
                await store.due.set(entry.name.rsplit("/", 1)[-1], dt.datetime.now(dt.UTC))
            self.say(
                f"Restored {entry.name} from {source or 'the set-aside copy'}: {shape(data)}. "
                f"The set-aside copy {entry.id} is deleted."
            )
            return 0
        finally:
            await store.close()

    async def accept_loss(self, entry_id: str) -> int:
        store = await self._store()
        try:
            entry = next((e for e in await store.quarantine.entries() if e.id == entry_id), None)
            if entry is None:
                return self.refuse(f"No entry {entry_id!r} is set aside: `list` shows them.")
            await store.quarantine.resolve(entry.id)
            self.say(f"Closed {entry.id}: its damaged copy is deleted. The worker carries on as someone new.")
            return 0
        finally:
            await store.close()


def _replace_with(data: Tables, target: Tables) -> None:
    target.clear()
    target.update(copy.deepcopy(data))


def add_parser(commands) -> None:
    """The `quarantine` command of `python -m bot storage`."""
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--at", help="a data folder or a postgresql:// URL (default: DATABASE_URL, else DATA_DIR)")
    parser = commands.add_parser("quarantine", help="workers' damaged data set aside: list, inspect, restore, close")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", parents=[where], help="every entry set aside")
    actions.add_parser("inspect", parents=[where], help="whether one entry opens now, and its size").add_argument("id")
    restore = actions.add_parser("restore", parents=[where], help="put a worker's data back")
    restore.add_argument("id")
    restore.add_argument("--from", dest="source", help="a backup: the worker's data file, a data folder, or a URL")
    restore.add_argument("--replace", action="store_true", help="set aside what the worker did since, and restore")
    close = actions.add_parser("accept-loss", parents=[where], help="close an entry: its damaged copy is deleted")
    close.add_argument("id")


async def run(args: argparse.Namespace, location: str, cipher: Cipher | None) -> int:
    repair = Repair(location, cipher)
    try:
        if args.action == "list":
            return await repair.list()
        if args.action == "inspect":
            return await repair.inspect(args.id)
        if args.action == "restore":
            return await repair.restore(args.id, args.source, args.replace)
        return await repair.accept_loss(args.id)
    except (DataFileError, StorageUnavailable, asyncpg.PostgresError, OSError) as exc:
        return repair.refuse(f"Nothing changed: {exc}")
