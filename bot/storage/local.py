"""Coordination inside one process: what the embedded store uses for everything, and what the
PostgreSQL store layers under its shared versions (so two turns in one process never need the database
to take turns)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager


class RecentIds:
    """Ids seen in the last `ttl` seconds (at most `capacity`): Teams retries an activity it thinks was
    lost, and a retried activity must change nothing twice."""

    def __init__(self, ttl: float = 600.0, capacity: int = 50_000):
        self._ttl = ttl
        self._capacity = capacity
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, key: str) -> bool:
        """True the first time `key` is offered within the window; False for a repeat."""
        now = time.monotonic()
        while self._seen and (len(self._seen) >= self._capacity or next(iter(self._seen.values())) < now - self._ttl):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True

    async def first_time_async(self, key: str) -> bool:
        return self.first_time(key)


class KeyedLocks:
    """One asyncio lock per key, kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class MemoryDueIndex:
    """When each worker next needs attention, in memory (rebuilt from the records at start-up)."""

    durable = False

    def __init__(self) -> None:
        self._next: dict[str, dt.datetime] = {}

    async def set(self, pid: str, when: dt.datetime | None) -> None:
        if when is None:
            self._next.pop(pid, None)
        else:
            self._next[pid] = when

    async def due(self, now: dt.datetime) -> list[str]:
        return sorted((p for p, t in self._next.items() if t <= now), key=self._next.__getitem__)

    async def count(self) -> int:
        return len(self._next)


class MemoryPacer:
    """Next free moment per tenant and per conversation, on this process's monotonic clock."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic):
        self.monotonic = monotonic
        self._next: dict[str, float] = {}
        self._paused_until = 0.0

    async def slot(self, tenant: str, conversation: str, tenant_gap: float, conversation_gap: float) -> float:
        now = self.monotonic()
        tenant_key, conversation_key = "t|" + tenant, "c|" + conversation
        start = max(now, self._paused_until, self._next.get(tenant_key, 0.0), self._next.get(conversation_key, 0.0))
        self._next[tenant_key] = start + tenant_gap
        self._next[conversation_key] = start + conversation_gap
        return start - now

    async def pause_all(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.monotonic() + seconds)
