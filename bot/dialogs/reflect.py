"""Reflect: a short debrief after a difficult shift. Nothing is kept unless the worker saves it."""

from __future__ import annotations

from collections.abc import Callable

from ..cards.base import once
from ..cards.reflect import notes_card, reflect_card
from ..clock import Clock
from ..content.views import ReflectWords
from ..conversation import Conversation
from ..usecases.private_writing import PrivateWriting
from .intent import Intent
from .registry import card_action, command

PROMPTS_PER_REFLECTION = 3


class ReflectDialogs:
    def __init__(self, writing: PrivateWriting, content: Callable[[], ReflectWords], clock: Clock):
        self._writing = writing
        self._content = content
        self._clock = clock

    @command("reflect")
    async def start(self, chat: Conversation) -> None:
        """Three peer-work prompts (a different three each day) and a private box for thoughts."""
        content = self._content()
        prompts = content.prompts.prompts
        start = self._clock.now().toordinal() % len(prompts)
        chosen = [prompts[(start + i) % len(prompts)] for i in range(min(PROMPTS_PER_REFLECTION, len(prompts)))]
        await chat.send_card(reflect_card(content, chosen, once()))

    @card_action("reflect_save")
    async def save(self, chat: Conversation, intent: Intent) -> None:
        """Keep the worker's thoughts in their private notes, only because they asked."""
        m = self._content().messages.reflect
        thoughts = intent.value("thoughts").strip()
        if thoughts:
            await self._writing.add_note(chat.worker, thoughts)
            await chat.send_text(f"{m.saved}\n\n{m.closing}")
        else:
            await chat.send_text(f"{m.not_saved}\n\n{m.closing}")

    @card_action("reflect_done")
    async def done(self, chat: Conversation) -> None:
        m = self._content().messages.reflect
        await chat.send_text(f"{m.not_saved}\n\n{m.closing}")

    @command("notes")
    async def show_notes(self, chat: Conversation) -> None:
        await chat.send_card(notes_card(self._content(), await self._writing.notes(chat.worker)))

    @card_action("notes_delete")
    async def delete_notes(self, chat: Conversation) -> None:
        await self._writing.clear_notes(chat.worker)
        await chat.send_text(self._content().messages.notes.deleted)
