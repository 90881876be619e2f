"""The messages the bot starts itself, worded from content and sent through the outbox.

Use-cases declare each one (a `Notice`, bot/usecases/ports.py) and say to whom; this module words it:
its text from `notices` in messages.yaml with the placeholders filled, or its card from the named
builder (bot/cards/notices.py). Without an outbox (the terminal preview) nothing can be sent, and each
notice reports that it failed, as an unreachable chat would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..cards.notices import BUILDERS
from ..content import Content
from ..outbox import Attempting, Delivery, Late, Outbox, Outgoing, Recipient
from ..usecases.ports import Notice


class NoOutbox:
    async def send(self, to: Recipient, messages: list[Outgoing], on_attempt: Attempting | None = None) -> Delivery:
        return Delivery("failed")

    async def deliver(self, to: Recipient, messages: list[Outgoing], on_late: Late | None = None) -> Delivery:
        return Delivery("failed")


class Notices:
    def __init__(self, outbox: Outbox | None, content: Callable[[], Content]):
        self._outbox: Outbox = outbox or NoOutbox()
        self._content = content

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
        """Word the notice now (the content being served) and send it."""
        messages = self.worded(notice, **data)
        if in_turn or on_late is not None:
            return await self._outbox.deliver(to, messages, on_late)
        return await self._outbox.send(to, messages, on_attempt)

    def worded(self, notice: Notice, **data: Any) -> list[Outgoing]:
        """The messages a notice is sent as."""
        content = self._content()
        if notice.card is not None and notice.lead:
            words = {name: data.pop(name) for name in notice.placeholders}
            return BUILDERS[notice.card](
                content, lead=content.fill(content.messages.notices[notice.name], **words), **data
            )
        if notice.card is not None:
            return BUILDERS[notice.card](content, **data)
        return [Outgoing(text=content.fill(content.messages.notices[notice.name], **data))]
