"""Routes each turn to its one handler: a card button by its action, a command by its id, then free text.

There are no multi-turn dialog stacks: every step is one card and its buttons carry what the next step
needs, so a turn never depends on remembered dialog state (see docs/architecture.md)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from ..clock import Clock
from ..content.views import Words
from ..conversation import Conversation
from ..records.private import CardActions
from .intent import MACHINE_KEYS, Intent
from .registry import Answers, Handler


class Router:
    """Commands and card actions are matched exactly, never by substring."""

    def __init__(self, answers: Answers, content: Callable[[], Words], acted: CardActions, clock: Clock):
        self._answers = answers
        self._content = content
        self._acted = acted
        self._clock = clock

    async def route(self, chat: Conversation, intent: Intent) -> bool:
        """Handle one message turn; False when nothing here understood it (the caller answers kindly)."""
        action = intent.values.get("action") if intent.is_card_submit else None
        if action is not None:
            handler = self._answers.actions.get(action) if isinstance(action, str) else None
            if handler is None:
                return False
            once = intent.values.get("once")
            if isinstance(once, str) and once:
                await self._act_once(chat, intent, handler, once_key(once, intent))
            else:
                await handler(chat, intent)
            return True
        if intent.command is not None and intent.command in self._answers.commands:
            await self._answers.commands[intent.command](chat, intent)
            return True
        for claim in self._answers.typed:
            if intent.text and await claim(chat, intent):
                return True
        return False

    async def _act_once(self, chat: Conversation, intent: Intent, handler: Handler, key: str) -> None:
        """A one-time button: act the first time only; a repeat press (a double click, or the same card
        delivered twice) gets a short answer and changes nothing. Turns of one worker never overlap."""
        if await self._acted.done(chat.worker, key):
            await chat.send_text(self._content().messages.already_done)
            return
        await handler(chat, intent)
        await self._acted.record(chat.worker, key, self._clock.now())


def once_key(once: str, intent: Intent) -> str:
    """A one-time button's key: its card's token, the button, and what was typed with it, so pressing
    "Add" twice on the same words adds once, while adding something else (or pressing another one-time
    button of the same card) still works."""
    typed = {k: v for k, v in intent.values.items() if k not in MACHINE_KEYS}
    action = intent.values.get("action")
    return hashlib.sha256(json.dumps([once, action, typed], sort_keys=True, default=str).encode()).hexdigest()[:24]
