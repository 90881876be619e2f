"""What a worker asked for in one turn, independent of how Teams delivered it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Intent:
    """A command id (from typed words or a card button), or free text, or card values."""

    command: str | None = None
    text: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def is_card_submit(self) -> bool:
        return bool(self.values)
