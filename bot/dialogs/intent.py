"""What a worker asked for in one turn, independent of how Teams delivered it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

PID_KEY = "wellbeing.pid"


def pid_of(turn) -> str:
    """The pseudonymous id of the worker this turn is from (set by the activity handler)."""
    return turn.turn_state[PID_KEY]


@dataclass(frozen=True)
class Intent:
    """A command id (from typed words or a card button), or free text, or card values."""

    command: str | None = None
    text: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def is_card_submit(self) -> bool:
        return bool(self.values)


Handler = Callable[[Any, Intent], Awaitable[None]]
