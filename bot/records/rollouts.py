"""Group rollouts (`admin install GROUP-ID`): one row per Entra group, with counts only.

Who was reached is kept in each person's own record (`Worker.rollout`), never here: this file holds the
group id an admin typed, who started it (a pseudonymous id), when, which process runs it, and three counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from ..storage import Documents, Tables
from .files import ROLLOUTS

TABLE = "rollouts"
RolloutStatus = Literal["running", "done", "stopped"]


@dataclass(frozen=True)
class Rollout:
    group: str  # the Entra group's object id, as the admin typed it (lower case)
    status: RolloutStatus
    by: str  # the admin's pseudonymous id
    owner: str  # the process running it; another takes it over once that one has stopped
    started_at: str
    finished_at: str = ""
    installed: int = 0
    had: int = 0  # already had the app
    failed: int = 0
    missing: str = ""  # the permission whose absence stopped it, if one did

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Rollout:
        return cls(**{k: doc[k] for k in cls.__dataclass_fields__ if k in doc})


class RolloutRecords:
    def __init__(self, store: Documents):
        self._store = store

    async def all(self) -> list[Rollout]:
        rows = await self._store.shard(ROLLOUTS).read(lambda data: list(data.get(TABLE, {}).values()))
        return sorted((Rollout.from_doc(r) for r in rows), key=lambda r: r.started_at)

    async def get(self, group: str) -> Rollout | None:
        return next((r for r in await self.all() if r.group == group), None)

    async def start(self, rollout: Rollout) -> Rollout | None:
        """Record a new rollout of a group, unless one of it is running already (then None)."""

        def change(data: Tables) -> Rollout | None:
            rows = data.setdefault(TABLE, {})
            current = rows.get(rollout.group)
            if current is not None and current["status"] == "running":
                return None
            rows[rollout.group] = asdict(rollout)
            return rollout

        return await self._store.shard(ROLLOUTS).write(change)

    async def claim(self, group: str, owner: str, expected: str) -> Rollout | None:
        """Take over a running rollout from the process `expected` (one that stopped); None if another
        process took it first or it is no longer running."""

        def change(data: Tables) -> Rollout | None:
            row = data.get(TABLE, {}).get(group)
            if row is None or row["status"] != "running" or row["owner"] != expected:
                return None
            row["owner"] = owner
            return Rollout.from_doc(row)

        return await self._store.shard(ROLLOUTS).write(change)

    async def count(self, group: str, **added: int) -> None:
        def change(data: Tables) -> None:
            row = data.get(TABLE, {}).get(group)
            if row is not None:
                for key, value in added.items():
                    row[key] = row.get(key, 0) + value

        await self._store.shard(ROLLOUTS).write(change)

    async def finish(self, rollout: Rollout) -> None:
        """Save its final state (exact counts, done or stopped)."""

        def change(data: Tables) -> None:
            data.setdefault(TABLE, {})[rollout.group] = asdict(rollout)

        await self._store.shard(ROLLOUTS).write(change)


def finished(rollout: Rollout, status: RolloutStatus, at: str, **changes: Any) -> Rollout:
    return replace(rollout, status=status, finished_at=at, **changes)
