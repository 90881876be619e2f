"""Reflect: a short debrief after a difficult shift. Nothing is kept unless the worker saves it."""
from __future__ import annotations

from typing import Callable

from botbuilder.core import TurnContext

from .. import cards
from ..clock import Clock
from ..content import Content
from ..private_records import EntryList
from .intent import Intent, pid_of
from .replies import send_card

PROMPTS_PER_REFLECTION = 3


class ReflectDialogs:
    def __init__(self, notes: EntryList, content: Callable[[], Content], clock: Clock):
        self._notes = notes
        self._content = content
        self._clock = clock

    async def start(self, turn: TurnContext, intent: Intent) -> None:
        """Three peer-work prompts (a different three each day) and a private box for thoughts."""
        content = self._content()
        m = content.messages.reflect
        prompts = content.prompts.prompts
        start = self._clock.now().toordinal() % len(prompts)
        chosen = [prompts[(start + i) % len(prompts)] for i in range(min(PROMPTS_PER_REFLECTION, len(prompts)))]
        body = [cards.text_block(m.intro)] + [cards.text_block(f"- {p.text}", weight="Bolder") for p in chosen]
        body += cards.multiline_input("thoughts", m.notes_label)
        once = cards.once()
        actions = [cards.submit(m.save_button, "reflect_save", once=once), cards.action(m.done_button, "reflect_done"),
                   cards.submit(content.messages.agenda.take_button, "agenda_add_reflection", once=once)]
        await send_card(turn, cards.card(body, actions, "\n".join([m.intro] + [p.text for p in chosen])))

    async def save(self, turn: TurnContext, intent: Intent) -> None:
        """Keep the worker's thoughts in their private notes, only because they asked."""
        m = self._content().messages.reflect
        thoughts = str(intent.values.get("thoughts", "")).strip()
        if thoughts:
            await self._notes.add(pid_of(turn), thoughts, self._clock.now().date())
            await turn.send_activity(f"{m.saved}\n\n{m.closing}")
        else:
            await turn.send_activity(f"{m.not_saved}\n\n{m.closing}")

    async def done(self, turn: TurnContext, intent: Intent) -> None:
        m = self._content().messages.reflect
        await turn.send_activity(f"{m.not_saved}\n\n{m.closing}")

    async def show_notes(self, turn: TurnContext, intent: Intent) -> None:
        content = self._content()
        m = content.messages.notes
        notes = await self._notes.all(pid_of(turn))
        body = [cards.text_block(m.title, weight="Bolder", style="heading")]
        body += [cards.text_block(f"{n.added_on}: {n.text}") for n in notes] or [cards.text_block(m.empty)]
        actions = [cards.hide_action(content)] + ([cards.action(m.delete_button, "notes_delete")] if notes else [])
        await send_card(turn, cards.card(body, actions, m.title))

    async def delete_notes(self, turn: TurnContext, intent: Intent) -> None:
        await self._notes.clear(pid_of(turn))
        await turn.send_activity(self._content().messages.notes.deleted)
