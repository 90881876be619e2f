"""Supervision information, and the worker's private list of things to take to supervision."""

from __future__ import annotations

from collections.abc import Callable

from ..cards.base import once
from ..cards.supervision import agenda_card, supervision_card
from ..content.views import SupervisionWords
from ..conversation import Conversation
from ..usecases.private_writing import PrivateWriting
from .intent import Intent
from .registry import card_action, command


class SupervisionDialogs:
    def __init__(self, writing: PrivateWriting, content: Callable[[], SupervisionWords]):
        self._writing = writing
        self._content = content

    @command("supervision")
    async def show(self, chat: Conversation) -> None:
        """What peer supervision is, how it differs from line management, how to book, groups."""
        count = len(await self._writing.agenda(chat.worker))
        await chat.send_card(supervision_card(self._content(), count))

    @command("agenda")
    @card_action("agenda_show")
    async def show_agenda(self, chat: Conversation) -> None:
        """The private list, with a box to add to it and a way to clear it."""
        await chat.send_card(agenda_card(self._content(), await self._writing.agenda(chat.worker), once()))

    @card_action("agenda_add")
    async def add(self, chat: Conversation, intent: Intent) -> None:
        """Add what the worker typed to their list."""
        m = self._content().messages.agenda
        text = intent.value("item").strip()
        if not text:
            await chat.send_text(m.nothing_to_add)
            return
        await self._writing.add_to_agenda(chat.worker, text)
        await chat.send_text(m.added)

    @card_action("agenda_add_checkin")
    async def add_from_checkin(self, chat: Conversation) -> None:
        """'Take this to supervision' after a check-in: a neutral line, never the score."""
        m = self._content().messages.agenda
        await self._writing.add_to_agenda(chat.worker, m.from_checkin)
        await chat.send_text(m.added)

    @card_action("agenda_add_reflection")
    async def add_from_reflection(self, chat: Conversation, intent: Intent) -> None:
        """'Take this to supervision' from a reflection: the worker's own words, or a neutral line."""
        m = self._content().messages.agenda
        text = intent.value("thoughts").strip() or m.from_reflection
        await self._writing.add_to_agenda(chat.worker, text)
        await chat.send_text(m.added)

    @card_action("agenda_clear")
    async def clear(self, chat: Conversation) -> None:
        await self._writing.clear_agenda(chat.worker)
        await chat.send_text(self._content().messages.agenda.cleared)
