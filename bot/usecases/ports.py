"""What use-cases need from outside, as protocols: the messages the bot starts itself, and which
processes still run.

A use-case declares each message it starts as a `Notice` (a module-level constant, found by
`bot.usecases.declared_notices`) and sends it through the `Notices` port; the dialogs layer words it
(bot/dialogs/notices.py) and the Teams messenger sends it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..outbox import Attempting, Delivery, Late, Recipient


@dataclass(frozen=True)
class Notice:
    """A message the bot starts itself. Its words are `notices.<name>` in messages.yaml, and may use
    the `placeholders` the sender fills; with `card`, a named card builder (bot/cards/notices.py) makes
    it from the data sent instead, with the card's own words. With a card and `lead`, the card opens with
    the words `notices.<name>` (filled from the `placeholders`; the rest of the data feeds the card)."""

    name: str
    placeholders: tuple[str, ...] = ()
    card: str | None = None
    lead: bool = False

    @property
    def worded(self) -> bool:
        """Whether it has words of its own under `notices:` (a text, or a card's first line)."""
        return self.card is None or self.lead


class Notices(Protocol):
    """Sends a declared message to one person."""

    async def send(
        self,
        notice: Notice,
        to: Recipient,
        *,
        in_turn: bool = False,
        on_late: Late | None = None,
        on_attempt: Attempting | None = None,
        **data: Any,
    ) -> Delivery:
        """`data` fills the placeholders (or feeds the card). `in_turn` or `on_late`: sent from inside a
        turn (the turn waits briefly, then the send finishes in the background and `on_late` hears how it
        went); `on_attempt` runs just before the message first goes to Teams."""


@dataclass(frozen=True)
class Processes:
    """This process's id, and whether another is still running: what a stopped process was sending is
    settled by the next one to look, and never what a running one is still sending."""

    me: str = "this process"
    alive: Callable[[str], Awaitable[bool]] | None = None

    async def running(self, owner: str) -> bool:
        if owner == self.me:
            return True
        return bool(owner) and self.alive is not None and await self.alive(owner)
