"""What use-cases need from the outside, as protocols: the messages the bot starts itself.

The dialogs layer implements `Notices` (bot/dialogs/notices.py: it words each message and builds its
card); a use-case only says which message goes to whom."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from ..outbox import Attempting, Delivery, Late
from ..records.sharing import Link, Request
from ..records.workers import Worker
from ..rules import Schedule


class Notices(Protocol):
    """Each message the bot sends on its own. `on_late` given: sent from inside a turn (the turn waits
    briefly, then the send finishes in the background and `on_late` hears how it went)."""

    async def checkin(
        self,
        to: Worker,
        instrument: str,
        nonce: str,
        welcome_back: Schedule | None,
        on_attempt: Attempting | None = None,
    ) -> Delivery:
        """A scheduled check-in; `on_attempt` runs just before the card first goes to Teams."""

    async def checkin_reminder(self, to: Worker) -> Delivery: ...

    async def checkin_interrupted(self, to: Worker) -> Delivery: ...

    async def nomination(
        self, to: Worker, worker: Worker, link: Link, on_late: Late, invited: bool = False
    ) -> Delivery: ...

    async def nomination_undelivered(self, to: Worker, link: Link) -> Delivery: ...

    async def link_answered(self, to: Worker, link: Link, accepted: bool) -> Delivery: ...

    async def link_ended_by_other(self, to: Worker, other_name: str) -> Delivery: ...

    async def link_reconfirm(self, to: Worker, link: Link) -> Delivery: ...

    async def request(
        self, to: Worker, worker: Worker, request: Request, on_late: Late | None, nudge: bool = False
    ) -> Delivery: ...

    async def request_undelivered(self, to: Worker, name: str, in_turn: bool = False) -> Delivery: ...

    async def request_acknowledged(self, to: Worker, name: str) -> Delivery: ...

    async def request_no_answer(self, to: Worker, link: Link, request: Request) -> Delivery: ...

    async def supervisor_left(self, to: Worker) -> Delivery: ...

    async def worker_left(self, to: Worker, name: str) -> Delivery: ...


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
