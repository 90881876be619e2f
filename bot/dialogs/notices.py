"""The messages the bot starts itself, worded from content and sent through the outbox.

Use-cases say which message goes to whom (the `Notices` port in bot/usecases/ports.py); this module
words it and builds its card. Without an outbox (the terminal preview) nothing can be sent, and each
notice reports that it failed, as an unreachable chat would."""

from __future__ import annotations

from collections.abc import Callable

from ..cards import checkin as checkin_cards
from ..cards import help as help_cards
from ..cards import sharing as sharing_cards
from ..cards.base import once
from ..cards.words import describe
from ..content import Content
from ..outbox import Attempting, Delivery, Late, Outbox, Outgoing
from ..records.sharing import Link, Request
from ..records.workers import Worker
from ..rules import Schedule


class NoOutbox:
    async def send(self, to, messages: list[Outgoing], on_attempt: Attempting | None = None) -> Delivery:
        return Delivery("failed")

    async def deliver(self, to, messages: list[Outgoing], on_late: Late | None = None) -> Delivery:
        return Delivery("failed")


class Notices:
    def __init__(self, outbox: Outbox | None, content: Callable[[], Content]):
        self._outbox: Outbox = outbox or NoOutbox()
        self._content = content

    async def _send(
        self,
        to: Worker,
        messages: list[Outgoing],
        in_turn: bool = False,
        on_late: Late | None = None,
        on_attempt: Attempting | None = None,
    ) -> Delivery:
        if in_turn or on_late is not None:
            return await self._outbox.deliver(to, messages, on_late)
        return await self._outbox.send(to, messages, on_attempt)

    async def _text(self, to: Worker, text: str, in_turn: bool = False) -> Delivery:
        return await self._send(to, [Outgoing(text=text)], in_turn)

    # Check-ins -----------------------------------------------------------------------------------------

    async def checkin(
        self,
        to: Worker,
        instrument: str,
        nonce: str,
        welcome_back: Schedule | None,
        on_attempt: Attempting | None = None,
    ) -> Delivery:
        content = self._content()
        messages = []
        if welcome_back is not None:
            messages.append(Outgoing(text=content.text("pause.welcome_back", schedule=describe(content, welcome_back))))
        lead = content.messages.checkin.lead_scheduled
        messages.append(Outgoing(card=checkin_cards.checkin_card(content, instrument, nonce, lead)))
        return await self._send(to, messages, on_attempt=on_attempt)

    async def checkin_reminder(self, to: Worker) -> Delivery:
        return await self._text(to, self._content().messages.checkin.reminder)

    async def checkin_interrupted(self, to: Worker) -> Delivery:
        return await self._text(to, self._content().messages.checkin.interrupted, in_turn=True)

    async def welcome(self, to: Worker, schedule: Schedule, on_attempt: Attempting | None = None) -> Delivery:
        """The welcome, sent by the bot itself to someone the app was installed for (a group rollout)."""
        content = self._content()
        card = help_cards.welcome_card(content, describe(content, schedule))
        return await self._send(to, [Outgoing(card=card)], on_attempt=on_attempt)

    # Links -----------------------------------------------------------------------------------------------

    async def nomination(
        self, to: Worker, worker: Worker, link: Link, on_late: Late, invited: bool = False
    ) -> Delivery:
        """`invited`: the app was just installed for them, so the card first says who asked and that nothing
        about the worker is shared unless they accept (bot/usecases/directory.py)."""
        content = self._content()
        lead = content.text("directory.invitation_lead", worker=worker.name) if invited else None
        card = sharing_cards.nomination_card(content, worker.name, worker.pid, link, lead=lead)
        return await self._send(to, [Outgoing(card=card)], on_late=on_late)

    async def nomination_undelivered(self, to: Worker, link: Link) -> Delivery:
        return await self._text(to, self._content().text("sharing.nomination_undelivered", name=link.supervisor_name))

    async def link_answered(self, to: Worker, link: Link, accepted: bool) -> Delivery:
        key = "sharing.accepted" if accepted else "sharing.declined"
        return await self._text(to, self._content().text(key, name=link.supervisor_name), in_turn=True)

    async def link_ended_by_other(self, to: Worker, other_name: str) -> Delivery:
        return await self._text(to, self._content().text("sharing.link_ended_by_other", name=other_name), in_turn=True)

    async def link_reconfirm(self, to: Worker, link: Link) -> Delivery:
        return await self._send(to, [Outgoing(card=sharing_cards.reconfirm_card(self._content(), link, once()))])

    # Requests --------------------------------------------------------------------------------------------

    async def request(
        self, to: Worker, worker: Worker, request: Request, on_late: Late | None, nudge: bool = False
    ) -> Delivery:
        content = self._content()
        # The supervisor can open a chat with the worker when Teams gave the worker's work email.
        chat_url = sharing_cards.chat_link(worker.tenant_id, worker.email) if worker.email else None
        if nudge:
            card = sharing_cards.nudge_card(content, worker.name, worker.pid, request, chat_url)
        else:
            card = sharing_cards.request_card(
                content, worker.name, request.note, worker.pid, request.id, chat_url=chat_url
            )
        return await self._send(to, [Outgoing(card=card)], in_turn=True, on_late=on_late)

    async def request_undelivered(self, to: Worker, name: str, in_turn: bool = False) -> Delivery:
        return await self._text(to, self._content().text("sharing.undelivered", name=name), in_turn)

    async def request_acknowledged(self, to: Worker, name: str) -> Delivery:
        return await self._text(to, self._content().text("sharing.acknowledged", name=name), in_turn=True)

    async def request_no_answer(self, to: Worker, link: Link, request: Request) -> Delivery:
        return await self._send(to, [Outgoing(card=sharing_cards.no_answer_card(self._content(), link, request))])

    # Erasure ---------------------------------------------------------------------------------------------

    async def supervisor_left(self, to: Worker) -> Delivery:
        return await self._text(to, self._content().messages.privacy.supervisor_gone, in_turn=True)

    async def worker_left(self, to: Worker, name: str) -> Delivery:
        """The named person hears whose link ended, in the words used when a worker ends it (never why)."""
        content = self._content()
        text = content.text("sharing.link_ended_by_other", name=name) if name else content.messages.sharing.link_ended
        return await self._text(to, text, in_turn=True)
