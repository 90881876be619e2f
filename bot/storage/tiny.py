"""The embedded store: TinyDB files, crash-safe, many small files, each replaced atomically, read from memory.

TinyDB's own JSONStorage rewrites its file in place, so a crash mid-write leaves a corrupt file.
Here every write serialises first, writes a temporary file beside the target, fsyncs it, renames it
over the target and fsyncs the directory: after a crash the file holds either the old or the new
data, never a mixture. Data is split into one file per worker, so one worker's write costs the same
however large the organisation's data grows. A data folder belongs to one process (FolderLock).

Disk work runs on a thread pool so it never blocks the event loop; each file has an asyncio lock so
only one operation touches it at a time. Coordination (bot/storage/local.py) is in memory: this
process is the only one on the folder.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from tinydb.storages import Storage

from .base import DataFileError, KeyMismatch, Tables
from .crypto import FERNET_PREFIX, Cipher
from .disk import atomic_write, fsync_dir
from .local import KeyedLocks, MemoryDueIndex, MemoryPacer, RecentIds
from .quarantine import FOLDER as QUARANTINE
from .quarantine import FolderQuarantine

T = TypeVar("T")
OnDamage = Callable[[Path, DataFileError], None]
SUFFIX = ".json"
_TMP = re.compile(r"^\..+\.[0-9a-f]{32}\.tmp$")
_SHARD_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")
PROBE = ".probe.json"
LOCK = ".lock"


def restore_advice(path: Path) -> str:
    """Plain instructions for an operator who finds a damaged data file."""
    return (
        f"{path}: this data file is empty or damaged, so the bot will not start rather than lose data.\n"
        f"  To restore: stop the bot, copy {path.name} back from your latest backup of the data folder "
        f"into {path.parent}, then start again.\n"
        "  With no backup, move the file aside (for example add .damaged to its name); the bot will then "
        "start without that record. See docs/operations.md, 'Restoring data'."
    )


# Present (plain, holding no personal data) once a data folder is encrypted: from then on a plain data
# file in it was not written by the bot and stops start-up.
MARKER = "encryption.marker"
log = logging.getLogger("bot.storage")


def load_json_file(path: Path, cipher: Cipher | None = None) -> dict | None:
    """Parse a data file; None when it does not exist; DataFileError when empty or unparsable."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    if not raw.strip():
        raise DataFileError(restore_advice(path))
    if raw.startswith(FERNET_PREFIX):
        if cipher is None:
            raise KeyMismatch(
                f"{path}: the data is encrypted, but no DATA_KEYS is set. Set the key it was "
                "encrypted with (see docs/privacy.md, 'Encryption at rest')."
            )
        raw = cipher.decrypt(raw)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise DataFileError(restore_advice(path)) from exc
    if not isinstance(data, dict):
        raise DataFileError(restore_advice(path))
    return data


class AtomicJSONStorage(Storage):
    """A TinyDB storage that keeps the data in memory and replaces the file atomically on write."""

    def __init__(
        self, path: Path, cipher: Cipher | None = None, on_damage: OnDamage | None = None, absent: bool = False
    ):
        self.path = Path(path)
        self._cipher = cipher
        self._on_damage = on_damage
        self._data: dict | None = None
        # Known not to exist (the store's process alone writes its folder): nothing to read from disk.
        self._loaded = absent

    @property
    def loaded(self) -> bool:
        return self._loaded

    def read(self) -> dict | None:
        if not self._loaded:
            try:
                self._data = load_json_file(self.path, self._cipher)
            except DataFileError as exc:
                if self._on_damage is None:
                    raise
                self._on_damage(self.path, exc)  # set aside as found; from now on this is someone new
                self._data = None
            self._loaded = True
        return self._data

    def write(self, data: dict) -> None:
        try:
            # Serialise before touching the disk: a value JSON cannot hold fails here, harmlessly.
            payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            if self._cipher is not None:
                payload = self._cipher.encrypt(payload)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, payload)
        except BaseException:
            self.drop_cache()
            raise
        self._data, self._loaded = data, True

    def drop_cache(self) -> None:
        """The copy in memory may have been changed without being saved: read it from disk next time."""
        self._data, self._loaded = None, False

    def forget(self) -> None:
        """After the file is deleted: empty, and nothing cached."""
        self._data, self._loaded = None, True

    def close(self) -> None:
        pass


class Shard:
    """One data file (a document of bot/storage/base.py)."""

    def __init__(
        self,
        path: Path,
        executor: ThreadPoolExecutor,
        cipher: Cipher | None = None,
        on_damage: OnDamage | None = None,
        absent: bool = False,
    ):
        self.path = path
        self._storage = AtomicJSONStorage(path, cipher, on_damage, absent)
        self._lock = asyncio.Lock()
        self._executor = executor

    async def read(self, fn: Callable[[Tables], T]) -> T:
        """Run a read-only `fn(data)`; served from memory once the file has been loaded."""
        async with self._lock:
            if not self._storage.loaded:
                await asyncio.get_running_loop().run_in_executor(self._executor, self._storage.read)
            return fn(self._storage.read() or {})

    async def write(self, fn: Callable[[Tables], T]) -> T:
        """Run `fn(data)` that changes the data, on the thread pool; returns once the change is durable."""
        async with self._lock:
            return await asyncio.get_running_loop().run_in_executor(self._executor, self._change, fn)

    def _change(self, fn: Callable[[Tables], T]) -> T:
        data = self._storage.read() or {}
        try:
            result = fn(data)
        except BaseException:
            self._storage.drop_cache()  # `fn` may have changed part of the copy in memory before it failed
            raise
        self._storage.write(data)
        return result

    async def delete(self) -> None:
        """Remove the file entirely (erasure)."""
        async with self._lock:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._unlink)

    def _unlink(self) -> None:
        self._storage.forget()
        try:
            self.path.unlink()
        except FileNotFoundError:
            return
        fsync_dir(self.path.parent)


class FolderInUse(DataFileError):
    """Another process holds the data folder."""


class FolderLock:
    """An exclusive lock on a data folder, held for as long as a process uses it.

    Two processes on one folder would each keep their own in-memory copy of the files and overwrite
    each other's writes, so a second process refuses to start instead. The kernel releases the lock
    when the holder exits, however it exits (kill -9 included): a stale lock file blocks nothing."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._file: Any = None

    def acquire(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / LOCK, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise FolderInUse(
                f"The data folder {self.root.resolve()} is in use by another bot process (pid "
                f"{holder}). A data folder belongs to one process: stop the other one first, or give "
                "this one its own DATA_DIR."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file releases the lock
            self._file = None


class TinyStore:
    """The bot's data folder: named documents, each a small TinyDB file. One process only."""

    kind = "tinydb"

    def __init__(
        self,
        root: Path,
        *,
        threads: int = 4,
        cipher: Cipher | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        isolate: tuple[str, ...] = ("workers",),
    ):
        self.root = Path(root)
        self.instance_id = uuid.uuid4().hex  # a new one each start: what an earlier run left is not "ours"
        # Folders whose documents each belong to one person: a damaged one is set aside, not fatal.
        self.isolate = isolate
        self.due = MemoryDueIndex()
        self.pacer = MemoryPacer(monotonic)
        self._recent = RecentIds()
        self._chats = KeyedLocks()
        self._cipher = cipher
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="store")
        self._shards: dict[str, Shard] = {}
        # Documents whose file may be on disk: those found at start-up and every one opened since. The folder
        # is this process's alone (FolderLock), so any other is known to be new, and a new worker's first
        # read needs no trip to the disk. None until the folder is opened.
        self._may_exist: set[str] | None = None
        self._walked_all = False
        self._lock = FolderLock(self.root)
        self.encrypted_now = 0  # plain files encrypted at start-up because DATA_KEYS was just turned on
        self.quarantine = FolderQuarantine(self.root, self._executor)

    async def open(self) -> None:
        """Take the folder (one process only), clean stray temp files and refuse to start on any damaged file."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._open_sync)

    def _open_sync(self) -> None:
        self._lock.acquire()
        try:
            self.quarantine.load()
            self._check_files()
        except BaseException:
            self._lock.release()
            raise

    def _check_files(self) -> None:
        """Clean what a crash left, set aside any one person's damaged file, and refuse to start on damage
        to the bot's own files (shared by everyone) or on a key that opens nothing."""
        marked = (self.root / MARKER).exists()
        if marked and self._cipher is None:
            raise KeyMismatch(
                f"The bot did not start: {self.root} is encrypted ({MARKER}), but no DATA_KEYS is "
                "set. Set the key it was encrypted with (see docs/privacy.md, 'Encryption at rest')."
            )
        problems, plain, damaged = [], [], []
        found: set[Path] = set()
        opened_encrypted = False  # some encrypted file opened: DATA_KEYS is right, so a failure is damage
        for path in self._walk():
            if _TMP.match(path.name) or path.name == PROBE:
                path.unlink(missing_ok=True)  # a write that crashed before its rename; never acknowledged
            elif path.suffix == SUFFIX:
                found.add(path)
                encrypted = path.read_bytes().startswith(FERNET_PREFIX)
                try:
                    load_json_file(path, self._cipher)
                    opened_encrypted |= encrypted
                    if self._cipher is not None and not encrypted:
                        plain.append(path)
                except KeyMismatch as exc:
                    if self._cipher is None or not self._isolated(path):
                        raise KeyMismatch(f"The bot did not start: {exc}") from None
                    damaged.append((path, "undecryptable"))
                except DataFileError as exc:
                    if not self._isolated(path):
                        problems.append(str(exc))
                    else:
                        damaged.append((path, "unreadable"))
        if problems:
            raise DataFileError("\n".join(problems))
        if any(reason == "undecryptable" for _p, reason in damaged) and not opened_encrypted:
            path = next(p for p, reason in damaged if reason == "undecryptable")
            raise KeyMismatch(
                f"The bot did not start: {path}: the data was encrypted with a different key: check DATA_KEYS"
            )
        if marked:
            damaged += [(p, "unencrypted") for p in plain if self._isolated(p)]
            plain = [p for p in plain if not self._isolated(p)]
        for path, reason in damaged:
            self.quarantine.set_aside(path, self._name(path), reason)
        found -= {path for path, _reason in damaged}
        if self._cipher is not None:
            if plain and marked:
                raise DataFileError(
                    "\n".join(
                        f"{p}: this data file is not encrypted, but the data folder is, so the bot did not write it. "
                        "Restore the file from your backup (see docs/operations.md, 'Restoring data')."
                        for p in plain
                    )
                )
            if not marked:
                self.encrypted_now = encrypt_folder(self.root, self._cipher)
                if self.encrypted_now:
                    log.warning(
                        "data_encrypted files=%d (DATA_KEYS is now in use for %s)", self.encrypted_now, self.root
                    )
        self._check_writable_sync()
        # Only a walk that saw every folder may say which documents are new.
        self._may_exist = {self._name(path) for path in found} if self._walked_all else None

    def _name(self, path: Path) -> str:
        return str(path.relative_to(self.root).with_suffix("")).replace(os.sep, "/")

    def _isolated(self, path: Path) -> bool:
        return path.relative_to(self.root).parts[0] in self.isolate

    def _damaged_while_running(self, path: Path, exc: DataFileError) -> None:
        """A file first read after start-up turned out damaged (on the store's thread)."""
        self.quarantine.set_aside(
            path, self._name(path), "undecryptable" if isinstance(exc, KeyMismatch) else "unreadable"
        )

    def _walk(self) -> Iterable[Path]:
        """Every file in the folder. A folder the walk could not see into (unreadable, or a symbolic link,
        which os.walk does not follow but a read by path does) leaves `_walked_all` False."""
        self._walked_all = True

        def unseen(_error: OSError) -> None:
            self._walked_all = False

        for dirpath, dirs, files in os.walk(self.root, onerror=unseen):
            if Path(dirpath) == self.root and QUARANTINE in dirs:
                dirs.remove(QUARANTINE)  # kept exactly as found: never read, cleaned or re-encrypted
            if any(os.path.islink(os.path.join(dirpath, d)) for d in dirs):
                self._walked_all = False
            for name in files:
                yield Path(dirpath) / name

    def _check_writable_sync(self) -> None:
        probe = self.root / PROBE
        atomic_write(probe, b"{}")
        probe.unlink()

    async def check_writable(self) -> bool:
        """True when a file can be written and replaced in the data folder now."""
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._check_writable_sync)
            return True
        except OSError:
            return False

    def shard(self, name: str) -> Shard:
        """The shard called `name` (a slash-separated lower-case path without suffix)."""
        shard = self._shards.get(name)
        if shard is None:
            if not _SHARD_NAME.match(name):
                raise ValueError("shard names are lower-case letters, digits, _ and /")
            isolated = name.split("/", 1)[0] in self.isolate
            absent = self._may_exist is not None and name not in self._may_exist
            shard = self._shards[name] = Shard(
                self.root / f"{name}{SUFFIX}",
                self._executor,
                self._cipher,
                self._damaged_while_running if isolated else None,
                absent,
            )
            if self._may_exist is not None:
                self._may_exist.add(name)
        return shard

    async def list_shards(self, prefix: str) -> list[str]:
        """Names of the documents stored under the folder `prefix` ("" for all)."""
        base = self.root / prefix if prefix else self.root

        def scan() -> list[str]:
            if not base.exists():
                return []
            return sorted(
                self._name(p)
                for p in base.rglob(f"*{SUFFIX}")
                if not p.name.startswith(".") and p.relative_to(self.root).parts[0] != QUARANTINE
            )

        return await asyncio.get_running_loop().run_in_executor(self._executor, scan)

    async def remove_folder(self, prefix: str) -> None:
        """Delete every shard under the folder `prefix` (records of a kind no longer kept)."""
        if not _SHARD_NAME.match(prefix):
            raise ValueError("folder names are lower-case letters, digits, _ and /")
        for name in [n for n in self._shards if n.startswith(prefix + "/")]:
            del self._shards[name]
        await asyncio.get_running_loop().run_in_executor(
            self._executor, lambda: shutil.rmtree(self.root / prefix, ignore_errors=True)
        )

    async def set_aside(self, name: str, reason: str) -> str | None:
        """Move a document into the quarantine as it is (an operator restoring an older copy over it)."""
        shard = self.shard(name)

        def move() -> str | None:
            shard._storage.forget()  # nothing of it stays in memory
            if not shard.path.exists():
                return None
            return self.quarantine.set_aside(shard.path, name, reason)

        async with shard._lock:
            return await asyncio.get_running_loop().run_in_executor(self._executor, move)

    async def close(self) -> None:
        """Finish pending disk work, release the thread pool, and let the folder go."""
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown, True)
        self._lock.release()

    async def first_time(self, key: str) -> bool:
        return await self._recent.first_time_async(key)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        async with self._chats.hold(key):
            yield

    async def lead(self) -> bool:
        return True  # the only process on the folder

    async def alive(self, owner: str) -> bool:
        return owner == self.instance_id

    async def tidy(self) -> None:
        pass  # in memory, the windows keep themselves small


def data_files(root: Path) -> list[Path]:
    """Every data file in the folder (not temporary files, the probe, or anything set aside)."""
    root = Path(root)
    return sorted(
        p for p in root.rglob(f"*{SUFFIX}") if not p.name.startswith(".") and p.relative_to(root).parts[0] != QUARANTINE
    )


def encrypt_folder(root: Path, cipher: Cipher) -> int:
    """Rewrite every data file under the cipher's first key (plain ones encrypted, others re-encrypted),
    then mark the folder encrypted. Each file is replaced atomically. Returns how many files changed.
    Run it only while no bot is using the folder."""
    changed = 0
    for path in data_files(root):
        raw = path.read_bytes()
        fresh = cipher.rotate(raw) if raw.startswith(FERNET_PREFIX) else cipher.encrypt(raw)
        if fresh != raw:
            atomic_write(path, fresh)
            changed += 1
    atomic_write(Path(root) / MARKER, json.dumps({"encrypted": True}).encode())
    return changed


def decrypt_folder(root: Path, cipher: Cipher) -> int:
    """Rewrite every data file as plain JSON and remove the encryption marker (turning DATA_KEYS off)."""
    changed = 0
    for path in data_files(root):
        raw = path.read_bytes()
        if raw.startswith(FERNET_PREFIX):
            atomic_write(path, cipher.decrypt(raw))
            changed += 1
    (Path(root) / MARKER).unlink(missing_ok=True)
    fsync_dir(Path(root))
    return changed
