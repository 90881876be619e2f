"""The bot's own small files: one-time download links for exports, and the dated log of erasures."""

from __future__ import annotations

import datetime as dt
import secrets

from ..storage import Documents, Tables, next_id
from .files import ERASURES, EXPORTS
from .sharing import drop_rows

TOKENS = "tokens"


class ExportTokens:
    """Single-use, short-lived tokens that each unlock one worker's export."""

    def __init__(self, store: Documents):
        self._store = store

    async def issue(self, pid: str, now: dt.datetime, ttl: dt.timedelta) -> str:
        token = secrets.token_urlsafe(32)
        expires = (now + ttl).isoformat()

        def change(data: dict) -> None:
            rows = data.setdefault(TOKENS, {})
            for key in [k for k, r in rows.items() if r["expires"] < now.isoformat() or r["used"]]:
                del rows[key]  # keep the table small: forget spent and stale tokens
            rows[next_id(rows)] = {"token": token, "pid": pid, "expires": expires, "used": False}

        await self._store.shard(EXPORTS).write(change)
        return token

    async def redeem(self, token: str, now: dt.datetime) -> str | None:
        """The worker a token belongs to, once; None if unknown, used or expired."""

        def usable(data: Tables) -> bool:
            return any(
                secrets.compare_digest(row["token"].encode(), token.encode())
                and not row["used"]
                and row["expires"] >= now.isoformat()
                for row in data.get(TOKENS, {}).values()
            )

        def change(data: dict) -> str | None:
            for row in data.setdefault(TOKENS, {}).values():
                if secrets.compare_digest(row["token"].encode(), token.encode()):
                    if row["used"] or row["expires"] < now.isoformat():
                        return None
                    row["used"] = True
                    return row["pid"]
            return None

        if not isinstance(token, str) or len(token) > 100:
            return None
        shard = self._store.shard(EXPORTS)
        if not await shard.read(usable):
            return None  # a wrong or spent token changes nothing on disk
        return await shard.write(change)

    async def drop_for(self, pid: str) -> None:
        """Forget every token of a worker (their data is being erased)."""
        await self._store.shard(EXPORTS).write(lambda d: drop_rows(d, TOKENS, "pid", pid))


class ErasureLog:
    """A dated line for each erasure, and nothing else: proof that it happened, about no one."""

    def __init__(self, store: Documents):
        self._store = store

    async def record(self, on: dt.date) -> None:
        def change(data: dict) -> None:
            rows = data.setdefault("erasures", {})
            rows[next_id(rows)] = {"on": on.isoformat()}

        await self._store.shard(ERASURES).write(change)
