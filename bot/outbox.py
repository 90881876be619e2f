"""Messages the bot starts itself (check-ins, reminders, a request to a supervisor): what is sent and
how it went. Plain data and a protocol; bot/teams/messenger.py is the implementation for Teams."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

DeliveryStatus = Literal["delivered", "unconfirmed", "unreachable", "failed", "pending"]


@dataclass(frozen=True)
class Outgoing:
    """A message to send: text, an Adaptive Card (a dict), or both."""

    text: str | None = None
    card: dict[str, Any] | None = None


@dataclass
class Delivery:
    """The outcome of one send."""

    status: DeliveryStatus
    ids: list[str | None] = field(default_factory=list)
    attempts: int = 0

    @property
    def delivered(self) -> bool:
        """Delivered, or sent without an answer (treated as arrived, never sent twice)."""
        return self.status in ("delivered", "unconfirmed")

    @property
    def pending(self) -> bool:
        """Still being sent in the background (started inside a worker's turn)."""
        return self.status == "pending"


Late = Callable[[Delivery], Awaitable[Any]]
# Called once, just before the first attempt reaches Teams: until then a send can safely be started again.
Attempting = Callable[[], Awaitable[Any]]


class Recipient(Protocol):
    """Whom a message goes to: enough to find their chat (a stored Worker is one)."""

    @property
    def pid(self) -> str: ...

    @property
    def tenant_id(self) -> str: ...

    @property
    def conversation_reference(self) -> dict[str, Any]: ...


class Outbox(Protocol):
    async def send(self, to: Recipient, messages: list[Outgoing], on_attempt: Attempting | None = None) -> Delivery:
        """Send with every retry, waiting for the outcome (for scheduled work)."""

    async def deliver(self, to: Recipient, messages: list[Outgoing], on_late: Late | None = None) -> Delivery:
        """Send from inside a turn: wait briefly, then finish in the background and call `on_late`."""
