"""`python -m bot storage copy --from SOURCE --to TARGET`: move a site between the embedded TinyDB files
and PostgreSQL (either way), then verify every record arrived unchanged.

`python -m bot storage quarantine list|inspect|restore|accept-loss`: workers' data set aside because it
could not be read (bot/storage/repair.py; docs/operations.md, 'Damaged data').

SOURCE and TARGET are each a data folder or a postgresql:// URL. DATA_KEYS (from the environment, as
the bot reads it) decrypts the source and encrypts the target. Stop every bot process first: a data
folder refuses a second user, and a database with bot processes still connected is refused too.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import sys
from collections import Counter
from functools import partial
from pathlib import Path

import asyncpg

from . import Cipher, DataFileError, StorageUnavailable, Store, Tables, make_store, repair
from .postgres import PRESENCE, PostgresStore


def describe(location: str) -> str:
    if location.startswith(("postgresql://", "postgres://")):
        return "the PostgreSQL database"
    return f"the data folder {Path(location).resolve()}"


def open_location(location: str, cipher: Cipher | None) -> Store:
    if location.startswith(("postgresql://", "postgres://")):
        return make_store(Path("."), location, cipher=cipher, pool_size=4)
    return make_store(Path(location), cipher=cipher)


async def bots_connected(store: Store) -> int:
    """Bot processes still running on a database (each holds a presence lock); this tool's own excepted."""
    if not isinstance(store, PostgresStore):
        return 0
    async with store.pool.acquire() as conn:
        held = await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            PRESENCE,
        )
    return int(held) - 1


def replace_with(data: Tables, target: Tables) -> None:
    target.clear()
    target.update(copy.deepcopy(data))


def canonical(data: Tables) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def tally(documents: dict[str, Tables]) -> Counter:
    counts: Counter = Counter()
    for name, data in documents.items():
        counts["workers" if name.startswith("workers/") else "own"] += 1
        counts["rows"] += sum(len(rows) for rows in data.values())
    return counts


async def copy_all(source: str, target: str, replace: bool, cipher: Cipher | None) -> int:
    src, dst = open_location(source, cipher), open_location(target, cipher)
    await src.open()
    try:
        await dst.open()
        try:
            return await _copy(src, dst, source, target, replace)
        finally:
            await dst.close()
    finally:
        await src.close()


async def _copy(src: Store, dst: Store, source: str, target: str, replace: bool) -> int:
    for store, where in ((src, source), (dst, target)):
        if running := await bots_connected(store):
            print(f"{running} bot process(es) are still using {describe(where)}: stop them first.", file=sys.stderr)
            return 2
    if waiting := await src.quarantine.count():
        print(
            f"{describe(source)} has {waiting} worker file(s) set aside because they could not be read: restore or "
            "close them first (python -m bot storage quarantine list), so that nothing is left behind.",
            file=sys.stderr,
        )
        return 2
    existing = await dst.list_shards("")
    if existing and not replace:
        print(
            f"{describe(target)} already holds {len(existing)} records. Copy into an empty one, or add --replace "
            "to delete them first.",
            file=sys.stderr,
        )
        return 2
    for name in existing:
        await dst.shard(name).delete()
    documents: dict[str, Tables] = {}
    for name in await src.list_shards(""):
        data = await src.shard(name).read(copy.deepcopy)
        documents[name] = data
        await dst.shard(name).write(partial(replace_with, data))
    # Verify from the target itself, read back fresh.
    problems = []
    names = await dst.list_shards("")
    if sorted(names) != sorted(documents):
        problems.append(f"{len(documents)} records were read but {len(names)} are in the target")
    for name, data in documents.items():
        if canonical(await dst.shard(name).read(lambda d: d)) != canonical(data):
            problems.append(f"{name} differs after copying")
    counts = tally(documents)
    if problems:
        print("The copy did not verify:\n  " + "\n  ".join(problems[:20]), file=sys.stderr)
        return 1
    print(
        f"Copied {len(documents)} records ({counts['workers']} workers' files, "
        f"{counts['own']} of the bot's own; {counts['rows']} rows) from {describe(source)} "
        f"to {describe(target)}. Every record verified: same names, same content."
    )
    return 0


def main(argv: list[str] | None = None, prog: str = "python -m bot storage") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    move = commands.add_parser("copy", help="copy every record from one store to another, and verify")
    move.add_argument("--from", dest="source", required=True, help="a data folder, or a postgresql:// URL")
    move.add_argument("--to", dest="target", required=True, help="a data folder, or a postgresql:// URL")
    move.add_argument("--replace", action="store_true", help="delete what the target holds first")
    repair.add_parser(commands)
    args = parser.parse_args(argv)
    keys = tuple(k.strip() for k in os.environ.get("DATA_KEYS", "").split(",") if k.strip())
    if args.command == "quarantine":
        location = args.at or os.environ.get("DATABASE_URL") or os.environ.get("DATA_DIR") or "./data"
        return asyncio.run(repair.run(args, location, Cipher(keys) if keys else None))
    try:
        return asyncio.run(copy_all(args.source, args.target, args.replace, Cipher(keys) if keys else None))
    except (DataFileError, StorageUnavailable, asyncpg.PostgresError) as exc:
        print(f"The copy stopped: {exc}\nFix that, then run it again with --replace.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
