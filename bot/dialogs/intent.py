"""What a worker asked for in one turn, independent of how Teams delivered it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

PID_KEY = "wellbeing.pid"
# Card fields the bot itself puts in buttons; everything else in a card submit was typed or chosen.
MACHINE_KEYS = {"action", "command", "nonce", "topic", "weeks", "id", "worker", "link", "request", "target", "once"}


def pid_of(turn) -> str:
    """The pseudonymous id of the worker this turn is from (set by the activity handler)."""
    return turn.turn_state[PID_KEY]


@dataclass(frozen=True)
class Intent:
    """A command id (from typed words or a card button), or free text, or card values."""

    command: str | None = None
    text: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    argument: str = ""  # the words after a command that takes text ("guide boundaries")

    def free_text(self) -> list[str]:
        """Everything the worker wrote themselves in this turn: typed text and text typed into cards."""
        typed = [self.text] if self.text and self.command is None else []
        return typed + [v for k, v in self.values.items() if isinstance(v, str) and k not in MACHINE_KEYS and v.strip()]

    @property
    def is_card_submit(self) -> bool:
        return bool(self.values)


Handler = Callable[[Any, Intent], Awaitable[None]]
