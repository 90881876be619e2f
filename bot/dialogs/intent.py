"""What a worker asked for in one turn, independent of how the channel delivered it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Card fields the bot itself puts in buttons; everything else in a card submit was typed or chosen.
MACHINE_KEYS = {"action", "command", "nonce", "topic", "weeks", "id", "worker", "link", "request", "target", "once"}


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

    def value(self, key: str, default: str = "") -> str:
        """A card value as text (card data can be forged: never trust its type)."""
        raw = self.values.get(key, default)
        return raw if isinstance(raw, str) else default
