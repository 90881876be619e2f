"""Crash-safe storage on TinyDB: many small files, each replaced atomically, read from memory.

TinyDB's own JSONStorage rewrites its file in place, so a crash mid-write leaves a corrupt file.
Here every write serialises first, writes a temporary file beside the target, fsyncs it, renames it
over the target and fsyncs the directory: after a crash the file holds either the old or the new
data, never a mixture. Data is split into one file per worker, so one worker's write costs the same
however large the organisation's data grows. A data folder belongs to one process (FolderLock).

Disk work runs on a thread pool so it never blocks the event loop; each file has an asyncio lock so
only one operation touches its TinyDB object at a time (TinyDB is not thread-safe).
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

T = TypeVar("T")
SUFFIX = ".json"
_TMP = re.compile(r"^\..+\.[0-9a-f]{32}\.tmp$")
_SHARD_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")
PROBE = ".probe.json"
LOCK = ".lock"


class DataFileError(Exception):
    """A data file cannot be trusted; the message says which and how to restore it."""


def restore_advice(path: Path) -> str:
    """Plain instructions for an operator who finds a damaged data file."""
    return (
        f"{path}: this data file is empty or damaged, so the bot will not start rather than lose data.\n"
        f"  To restore: stop the bot, copy {path.name} back from your latest backup of the data folder "
        f"into {path.parent}, then start again.\n"
        "  With no backup, move the file aside (for example add .damaged to its name); the bot will then "
        "start without that record. See docs/operations.md, 'Restoring data'."
    )


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, payload: bytes) -> None:
    """Replace `path` with `payload` so that a crash leaves either the old or the new content."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


class Cipher:
    """Optional encryption at rest (Fernet: AES-128-CBC with HMAC-SHA256). The first key encrypts;
    every key can decrypt, so a key can be rotated by putting the new one first."""

    def __init__(self, keys: tuple[str, ...]):
        from cryptography.fernet import Fernet, MultiFernet

        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, payload: bytes) -> bytes:
        return self._fernet.encrypt(payload)

    def decrypt(self, token: bytes) -> bytes:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise KeyMismatch("the data files were encrypted with a different key: check DATA_KEYS") from exc

    def rotate(self, token: bytes) -> bytes:
        """The same data, encrypted with the first (newest) key."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.rotate(token)
        except InvalidToken as exc:
            raise KeyMismatch("a data file was encrypted with a key that is not in DATA_KEYS") from exc


class KeyMismatch(DataFileError):
    """Data is encrypted and the key is missing or wrong."""


FERNET_PREFIX = b"gAAAAA"
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

    def __init__(self, path: Path, cipher: Cipher | None = None):
        self.path = Path(path)
        self._cipher = cipher
        self._data: dict | None = None
        self._loaded = False

    @property
    def loaded(self) -> bool:
        return self._loaded

    def read(self) -> dict | None:
        if not self._loaded:
            self._data = load_json_file(self.path, self._cipher)
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
            # TinyDB mutated our copy before calling write; forget it so the next read is from disk.
            self._data, self._loaded = None, False
            raise
        self._data, self._loaded = data, True

    def forget(self) -> None:
        """After the file is deleted: empty, and nothing cached."""
        self._data, self._loaded = None, True

    def close(self) -> None:
        pass


class _Table(Table):
    """A TinyDB table that always reads ids and queries from the data, never from a stale cache.

    Several tables of one file are sometimes changed in a single write (see `transact`); TinyDB's
    cached next id and query results would not see such a write.
    """

    default_query_cache_capacity = 0

    def _get_next_id(self):
        self._next_id = None
        return super()._get_next_id()


class _TinyDB(TinyDB):
    table_class = _Table


class Shard:
    """One data file and the TinyDB object over it."""

    def __init__(self, path: Path, executor: ThreadPoolExecutor, cipher: Cipher | None = None):
        self.path = path
        self._storage = AtomicJSONStorage(path, cipher)
        self._db = _TinyDB(storage=lambda: self._storage)
        self._lock = asyncio.Lock()
        self._executor = executor

    async def read(self, fn: Callable[[TinyDB], T]) -> T:
        """Run a read-only `fn(db)`; served from memory once the file has been loaded."""
        async with self._lock:
            if not self._storage.loaded:
                await asyncio.get_running_loop().run_in_executor(self._executor, self._storage.read)
            return fn(self._db)

    async def write(self, fn: Callable[[TinyDB], T]) -> T:
        """Run `fn(db)` that writes, on the thread pool; returns once the change is durable."""
        async with self._lock:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, self._db)

    async def delete_file(self) -> None:
        """Remove the file entirely (used for erasure and deleted dialog state)."""
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


class Store:
    """The bot's data folder: named shards, each a small TinyDB file."""

    def __init__(self, root: Path, *, threads: int = 4, cipher: Cipher | None = None):
        self.root = Path(root)
        self._cipher = cipher
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="store")
        self._shards: dict[str, Shard] = {}
        self._probe_ok = False
        self._lock = FolderLock(self.root)
        self.encrypted_now = 0  # plain files encrypted at start-up because DATA_KEYS was just turned on

    async def open(self) -> None:
        """Take the folder (one process only), clean stray temp files and refuse to start on any damaged file."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._open_sync)

    def _open_sync(self) -> None:
        self._lock.acquire()
        try:
            self._check_files()
        except BaseException:
            self._lock.release()
            raise

    def _check_files(self) -> None:
        marked = (self.root / MARKER).exists()
        if marked and self._cipher is None:
            raise KeyMismatch(
                f"The bot did not start: {self.root} is encrypted ({MARKER}), but no DATA_KEYS is "
                "set. Set the key it was encrypted with (see docs/privacy.md, 'Encryption at rest')."
            )
        problems, plain = [], []
        for path in self._walk():
            if _TMP.match(path.name) or path.name == PROBE:
                path.unlink(missing_ok=True)  # a write that crashed before its rename; never acknowledged
            elif path.suffix == SUFFIX:
                try:
                    if self._cipher is not None and not path.read_bytes().startswith(FERNET_PREFIX):
                        plain.append(path)
                    load_json_file(path, self._cipher)
                except KeyMismatch as exc:
                    raise KeyMismatch(f"The bot did not start: {exc}") from None
                except DataFileError as exc:
                    problems.append(str(exc))
        if problems:
            raise DataFileError("\n".join(problems))
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

    def _walk(self) -> Iterable[Path]:
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                yield Path(dirpath) / name

    def _check_writable_sync(self) -> None:
        probe = self.root / PROBE
        atomic_write(probe, b"{}")
        probe.unlink()
        self._probe_ok = True

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
            shard = self._shards[name] = Shard(self.root / f"{name}{SUFFIX}", self._executor, self._cipher)
        return shard

    async def list_shards(self, prefix: str) -> list[str]:
        """Names of the shards stored under the folder `prefix`."""
        base = self.root / prefix

        def scan() -> list[str]:
            if not base.exists():
                return []
            return sorted(
                str(p.relative_to(self.root).with_suffix("")).replace(os.sep, "/")
                for p in base.rglob(f"*{SUFFIX}")
                if not p.name.startswith(".")
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

    async def close(self) -> None:
        """Finish pending disk work, release the thread pool, and let the folder go."""
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown, True)
        self._lock.release()


def first(db: TinyDB, table: str) -> dict[str, Any] | None:
    """The single document of a one-document table, as a plain copy, or None."""
    docs = db.table(table).all()
    return json.loads(json.dumps(docs[0])) if docs else None


def transact(db: TinyDB, change: Callable[[dict[str, dict[str, Any]]], T]) -> T:
    """Apply `change` to the file's tables (a dict of table -> {doc id: doc}) in one durable write."""
    data = db.storage.read() or {}
    result = change(data)
    db.storage.write(data)
    return result


def put_single(db: TinyDB, table: str, doc: dict[str, Any]) -> None:
    """Replace the single document of a one-document table (one durable write)."""
    transact(db, lambda data: data.__setitem__(table, {"1": doc}))


def next_id(rows: dict[str, Any]) -> str:
    """The next TinyDB document id for a table's rows."""
    return str(max((int(k) for k in rows), default=0) + 1)


def data_files(root: Path) -> list[Path]:
    """Every data file in the folder (not temporary files or the probe)."""
    return sorted(p for p in Path(root).rglob(f"*{SUFFIX}") if not p.name.startswith("."))


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
