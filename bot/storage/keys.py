"""`python -m bot keys`: keys for encryption at rest (DATA_KEYS). See docs/privacy.md, 'Encryption at rest'.

    python -m bot keys            print a new key (keep it secret and safe, apart from the data)
    python -m bot keys rotate     rewrite every data file under the first key in DATA_KEYS, so older keys
                                  can then be removed; also encrypts a folder that was plain
    python -m bot keys decrypt    rewrite every data file as plain JSON, before turning DATA_KEYS off

DATA_DIR (or DATABASE_URL) and DATA_KEYS are read as the bot reads them. Stop the bot first (a running bot
holds the folder, and this refuses to start while it does). On PostgreSQL each record is rewritten in a
transaction of its own, so running bots keep working, but stop them anyway for `decrypt`: a bot started
with DATA_KEYS would encrypt the records again.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from cryptography.fernet import Fernet

from ..config import ConfigError, Settings
from .base import DataFileError, StorageUnavailable
from .crypto import Cipher
from .tiny import FolderLock, decrypt_folder, encrypt_folder


def main(argv: list[str] | None = None, prog: str = "python -m bot keys") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=__doc__.split("\n")[0].split(": ", 1)[1],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs="?", choices=("new", "rotate", "decrypt"), default="new")
    command = parser.parse_args(argv).command
    if command == "new":
        print(Fernet.generate_key().decode())
        return 0
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not settings.data_keys:
        print("DATA_KEYS is not set: put the new key first, then any older keys, comma-separated.", file=sys.stderr)
        return 2
    cipher = Cipher(settings.data_keys)
    if settings.database_url:
        return asyncio.run(_database(settings.database_url, cipher, command))
    lock = FolderLock(settings.data_dir)
    try:
        lock.acquire()
        if command == "rotate":
            count = encrypt_folder(settings.data_dir, cipher)
            print(
                f"{count} data file(s) in {settings.data_dir} now use the first key in DATA_KEYS. "
                "Older keys can be removed from DATA_KEYS."
            )
        else:
            count = decrypt_folder(settings.data_dir, cipher)
            print(f"{count} data file(s) in {settings.data_dir} are now plain. Start the bot without DATA_KEYS.")
    except DataFileError as exc:
        print(exc, file=sys.stderr)
        return 3
    finally:
        lock.release()
    return 0


async def _database(url: str, cipher: Cipher, command: str) -> int:
    from .postgres import PostgresStore

    store = PostgresStore(url, cipher=cipher, pool_size=2)
    try:
        await store.open()
        count = await store.reseal(plain=command == "decrypt")
    except (DataFileError, StorageUnavailable) as exc:
        print(exc, file=sys.stderr)
        return 3
    finally:
        await store.close()
    if command == "rotate":
        print(f"{count} record(s) in the database now use the first key in DATA_KEYS. Older keys can be removed.")
    else:
        print(f"{count} record(s) in the database are now plain. Start the bot without DATA_KEYS.")
    return 0
