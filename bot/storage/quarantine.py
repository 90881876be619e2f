"""Damaged records of one person, set aside so everyone else is still served (the embedded store's part).

A worker's file that cannot be read (empty, not JSON, not a document, or not decryptable with DATA_KEYS)
is moved, exactly as found, into DATA_DIR/quarantine/ and never deleted by the bot. The worker is told
once, the next time they write (the kind words are in content), and from then on carries on as someone
new if they choose. An operator lists, inspects, restores or closes each entry with
`python -m bot storage quarantine` (docs/operations.md, 'Damaged data'). The PostgreSQL store keeps the
same entries in a table (postgres.py); both meet the `Quarantine` protocol in base.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .base import SetAside
from .disk import atomic_write, fsync_dir

log = logging.getLogger("bot.storage")
FOLDER = "quarantine"
INDEX = "index.json"
DATA = ".data"


def entry_id(name: str, at: dt.datetime) -> str:
    """A handle for the operator: the document's name and when it was set aside (unique, sortable)."""
    return f"{name.replace('/', '~')}.{at.strftime('%Y%m%dT%H%M%S%fZ')}"


def name_of(entry: str) -> str:
    """The document an entry was, from its handle."""
    return entry.rsplit(".", 1)[0].replace("~", "/")


class FolderQuarantine:
    """Entries are files `quarantine/<id>.data` (the bytes as found) and a small index (why, when, whether
    the worker has been told). The files are the truth: the index is rebuilt around them at start-up, so a
    crash between moving a file and writing the index loses nothing."""

    def __init__(self, root: Path, executor: ThreadPoolExecutor):
        self.folder = Path(root) / FOLDER
        self._executor = executor
        self._lock = threading.Lock()  # the store's threads and the event loop both change the index
        self._index: dict[str, dict[str, Any]] = {}

    def load(self, write: bool = True) -> None:
        """At start-up, on the store's thread: read the index and match it to the files present (`write`:
        and save it so; an operator's listing, beside a running bot, only reads)."""
        try:
            saved = json.loads((self.folder / INDEX).read_bytes())
        except (OSError, ValueError):
            saved = {}  # missing, or itself damaged: rebuilt from the files below
        present = sorted(p.name[: -len(DATA)] for p in self.folder.glob(f"*{DATA}")) if self.folder.is_dir() else []
        with self._lock:
            self._index = {
                e: saved.get(e) if isinstance(saved.get(e), dict) else {"reason": "unknown", "told": False}
                for e in present
            }
            if write and (present or saved):
                self._save()

    def set_aside(self, path: Path, name: str, reason: str) -> str:
        """Move a damaged file into the quarantine folder (one rename, on the same disk), on the store's
        thread. Returns the entry's id."""
        with self._lock:
            at = dt.datetime.now(dt.UTC)
            entry = entry_id(name, at)
            self.folder.mkdir(exist_ok=True)
            os.replace(path, self.folder / f"{entry}{DATA}")
            fsync_dir(self.folder)
            fsync_dir(path.parent)
            self._index[entry] = {"reason": reason, "told": False, "at": at.isoformat(timespec="seconds")}
            self._save()
        log.warning("data_set_aside document=%s reason=%s", name, reason)
        return entry

    def _save(self) -> None:
        self.folder.mkdir(exist_ok=True)
        atomic_write(self.folder / INDEX, json.dumps(self._index, sort_keys=True).encode())

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def count(self) -> int:
        return len(self._index)

    async def state(self, name: str) -> str | None:
        """'untold' while the owner of `name` has not yet been told their data was set aside, 'told'
        after, None when nothing of theirs is set aside."""
        found = [v for e, v in self._index.items() if name_of(e) == name]
        if not found:
            return None
        return "told" if all(v.get("told") for v in found) else "untold"

    async def mark_told(self, name: str) -> None:
        def mark() -> None:
            with self._lock:
                for entry, value in self._index.items():
                    if name_of(entry) == name:
                        value["told"] = True
                self._save()

        await self._run(mark)

    async def entries(self) -> list[SetAside]:
        def read() -> list[SetAside]:
            with self._lock:
                index = dict(self._index)
            return [
                SetAside(
                    id=e,
                    name=name_of(e),
                    at=str(v.get("at", "")),
                    reason=str(v.get("reason", "unknown")),
                    told=bool(v.get("told")),
                    size=(self.folder / f"{e}{DATA}").stat().st_size,
                )
                for e, v in sorted(index.items())
            ]

        return await self._run(read)

    async def raw(self, entry: str) -> bytes:
        if entry not in self._index:
            raise KeyError(entry)
        return await self._run((self.folder / f"{entry}{DATA}").read_bytes)

    async def resolve(self, entry: str) -> None:
        """The operator restored or closed the entry: its file is deleted (their decision, never the bot's)."""

        def drop() -> None:
            with self._lock:
                if self._index.pop(entry, None) is None:
                    raise KeyError(entry)
                (self.folder / f"{entry}{DATA}").unlink(missing_ok=True)
                fsync_dir(self.folder)
                self._save()

        await self._run(drop)
