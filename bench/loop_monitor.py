"""Measures the longest event-loop stall while work runs."""

from __future__ import annotations

import asyncio
import time


class LoopMonitor:
    """A task that wakes every millisecond and records how late it woke."""

    def __init__(self, interval: float = 0.001):
        self.interval = interval
        self.longest = 0.0
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> LoopMonitor:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.longest = max(self.longest, time.perf_counter() - start - self.interval)
