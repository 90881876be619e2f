"""Supervision information, and the worker's private list of things to take to supervision."""
from __future__ import annotations

from typing import Callable

from botbuilder.core import TurnContext

from .. import cards
from ..clock import Clock
from ..content import Content
from ..private_records import EntryList
from .intent import Intent, pid_of
from .replies import send_card


class SupervisionDialogs:
    def __init__(self, agenda: EntryList, content: Callable[[], Content], clock: Clock):
        self._agenda = agenda
        self._content = content
        self._clock = clock

    async def show(self, turn: TurnContext, intent: Intent) -> None:
        """What peer supervision is, how it differs from line management, how to book, groups."""
        content = self._content()
        info, m = content.supervision, content.messages.supervision
        body = [cards.text_block(info.what_it_is), cards.text_block(info.peer_vs_line), cards.text_block(info.how_to_book)]
        if info.groups:
            body.append(cards.text_block(m.groups_title, weight="Bolder", spacing="Medium"))
            body.append({"type": "FactSet", "facts": [{"title": g.name, "value": f"{g.when}. {g.how_to_join}"}
                                                      for g in info.groups]})
        count = len(await self._agenda.all(pid_of(turn)))
        body.append(cards.text_block(content.text("agenda.count", count=str(count)), spacing="Medium"))
        actions = [cards.action(m.agenda_button, "agenda_show"), cards.help_now_action(content)]
        if info.booking_link:
            actions.insert(0, cards.open_url(m.book_button, str(info.booking_link)))
        fallback = "\n".join([info.what_it_is, info.peer_vs_line, info.how_to_book])
        await send_card(turn, cards.card(body, actions, fallback))

    async def show_agenda(self, turn: TurnContext, intent: Intent) -> None:
        """The private list, with a box to add to it and a way to clear it."""
        content = self._content()
        m = content.messages.agenda
        entries = await self._agenda.all(pid_of(turn))
        body = [cards.text_block(m.title, weight="Bolder", style="heading")]
        body += [cards.text_block(f"- {e.text}") for e in entries] or [cards.text_block(m.empty)]
        if entries:
            body.append(cards.text_block(m.share_hint, isSubtle=True))
        body += cards.multiline_input("item", m.add_label)
        actions = [cards.submit(m.add_button, "agenda_add", once=cards.once()), cards.hide_action(content)]
        if entries:
            actions.append(cards.action(m.clear_button, "agenda_clear"))
        fallback = "\n".join([m.title] + [f"- {e.text}" for e in entries])
        await send_card(turn, cards.card(body, actions, fallback))

    async def add(self, turn: TurnContext, intent: Intent) -> None:
        """Add what the worker typed to their list."""
        m = self._content().messages.agenda
        text = str(intent.values.get("item", "")).strip()
        if not text:
            await turn.send_activity(m.nothing_to_add)
            return
        await self._agenda.add(pid_of(turn), text, self._clock.now().date())
        await turn.send_activity(m.added)

    async def add_from_checkin(self, turn: TurnContext, intent: Intent) -> None:
        """'Take this to supervision' after a check-in: a neutral line, never the score."""
        m = self._content().messages.agenda
        await self._agenda.add(pid_of(turn), m.from_checkin, self._clock.now().date())
        await turn.send_activity(m.added)

    async def add_from_reflection(self, turn: TurnContext, intent: Intent) -> None:
        """'Take this to supervision' from a reflection: the worker's own words, or a neutral line."""
        m = self._content().messages.agenda
        text = str(intent.values.get("thoughts", "")).strip() or m.from_reflection
        await self._agenda.add(pid_of(turn), text, self._clock.now().date())
        await turn.send_activity(m.added)

    async def clear(self, turn: TurnContext, intent: Intent) -> None:
        await self._agenda.clear(pid_of(turn))
        await turn.send_activity(self._content().messages.agenda.cleared)
