"""In-memory index of when each worker next needs the scheduler's attention.

The tick looks only at workers whose time has come, so a minute's work does not grow with the
number of workers who have nothing due. The index is rebuilt from storage at start-up.
"""
from __future__ import annotations

import datetime as dt


class DueIndex:
    def __init__(self) -> None:
        self._next: dict[str, dt.datetime] = {}

    def set(self, pid: str, when: dt.datetime | None) -> None:
        if when is None:
            self._next.pop(pid, None)
        else:
            self._next[pid] = when

    def due(self, now: dt.datetime) -> list[str]:
        """Workers whose next event is at or before `now`, earliest first."""
        return sorted((p for p, t in self._next.items() if t <= now), key=self._next.__getitem__)

    def __len__(self) -> int:
        return len(self._next)
