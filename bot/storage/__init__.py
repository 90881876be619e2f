"""Storage: one interface (base.py), two engines. TinyDB files in DATA_DIR are the embedded default;
DATABASE_URL switches every record, and the coordination between processes, to PostgreSQL."""

import time
from collections.abc import Callable
from pathlib import Path

from .base import (
    Coordination,
    DataFileError,
    Document,
    Documents,
    KeyMismatch,
    StorageUnavailable,
    Store,
    Tables,
    all_rows,
    first,
    next_id,
    put_single,
)
from .crypto import Cipher
from .tiny import MARKER, FolderInUse, FolderLock, TinyStore, decrypt_folder, encrypt_folder


def make_store(
    data_dir: Path,
    database_url: str = "",
    *,
    cipher: Cipher | None = None,
    pool_size: int = 10,
    monotonic: Callable[[], float] = time.monotonic,
) -> Store:
    """The one place an engine is built: PostgreSQL when a database URL is given, else the TinyDB files in
    `data_dir` (the bot, the preview, the tools and the tests all come here)."""
    if database_url:
        from .postgres import PostgresStore

        return PostgresStore(database_url, cipher=cipher, pool_size=pool_size, chat_locks=2 * pool_size)
    return TinyStore(data_dir, cipher=cipher, monotonic=monotonic)


__all__ = [
    "MARKER",
    "Cipher",
    "Coordination",
    "DataFileError",
    "Document",
    "Documents",
    "FolderInUse",
    "FolderLock",
    "KeyMismatch",
    "StorageUnavailable",
    "Store",
    "Tables",
    "TinyStore",
    "all_rows",
    "decrypt_folder",
    "encrypt_folder",
    "first",
    "make_store",
    "next_id",
    "put_single",
]
