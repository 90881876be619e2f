"""Time as a dependency, so tests can fix it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, for measuring durations."""


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FixedClock:
    """A clock that only moves when told to (for tests and previews)."""

    def __init__(self, start: datetime):
        self._now = start
        self._mono = 0.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, **delta) -> None:
        """Move the clock forward by a timedelta given as keyword arguments."""
        from datetime import timedelta

        step = timedelta(**delta)
        self._now += step
        self._mono += step.total_seconds()
