"""Routes each turn: interruptions first, then the flow in progress, then a new command."""
from __future__ import annotations

import hashlib
import json
from typing import Awaitable, Callable

from botbuilder.core import StatePropertyAccessor, TurnContext
from botbuilder.dialogs import Dialog, DialogSet, DialogTurnStatus

from ..clock import Clock
from ..content import Content
from ..private_records import CardActions
from .intent import MACHINE_KEYS, Handler, Intent, pid_of
from .replies import ONE_TURN

# Commands that answer at once without ending a flow in progress; the flow then asks again.
INTERRUPTIONS = ("help", "help_now", "about")
TextHandler = Callable[[TurnContext, Intent], Awaitable[bool]]


class Router:
    """Picks the one handler for a turn. Commands and card actions are matched exactly, never by substring.

    `commands` answer typed words or command buttons; `actions` answer card submits (by their
    "action" value); `text` handlers may claim free text (for example typed check-in answers);
    `flows` are multi-turn dialogs started by a command.
    """

    def __init__(self, dialog_state: StatePropertyAccessor, content: Callable[[], Content], *,
                 commands: dict[str, Handler] | None = None, actions: dict[str, Handler] | None = None,
                 text: list[TextHandler] | None = None, flows: dict[str, Dialog] | None = None,
                 acted: CardActions | None = None, clock: Clock | None = None):
        self._content = content
        self._acted = acted
        self._clock = clock
        self._commands = commands or {}
        self._actions = actions or {}
        self._text = text or []
        self._dialogs = DialogSet(dialog_state)
        self._flows: dict[str, str] = {}
        for command, dialog in (flows or {}).items():
            self._dialogs.add(dialog)
            self._flows[command] = dialog.id

    async def route(self, turn: TurnContext, intent: Intent) -> bool:
        """Handle one message turn; False when nothing here understood it (the caller answers kindly)."""
        content = self._content()
        action = intent.values.get("action") if intent.is_card_submit else None
        if action is not None:
            handler = self._actions.get(action) if isinstance(action, str) else None
            if handler is None:
                return False
            once = intent.values.get("once")
            if isinstance(once, str) and once and self._acted is not None:
                await self._act_once(turn, intent, handler, once_key(once, intent))
            else:
                await handler(turn, intent)
            return True
        dc = await self._dialogs.create_context(turn)
        if dc.active_dialog is not None:
            if intent.command in INTERRUPTIONS:
                await ONE_TURN[intent.command](turn, content)
                await dc.reprompt_dialog()
                return True
            if intent.command is None:
                result = await dc.continue_dialog()
                if result.status != DialogTurnStatus.Empty:
                    return True
            else:
                await dc.cancel_all_dialogs()
        return await self._start(dc, turn, intent, content)

    async def _act_once(self, turn: TurnContext, intent: Intent, handler: Handler, key: str) -> None:
        """A one-time button: act the first time only; a repeat press (a double click, or the same card
        delivered twice) gets a short answer and changes nothing. Turns of one worker never overlap."""
        pid = pid_of(turn)
        if await self._acted.done(pid, key):
            await turn.send_activity(self._content().messages.already_done)
            return
        await handler(turn, intent)
        await self._acted.record(pid, key, self._clock.now())

    async def _start(self, dc, turn: TurnContext, intent: Intent, content: Content) -> bool:
        if intent.command in self._flows:
            await dc.begin_dialog(self._flows[intent.command], intent)
        elif intent.command in self._commands:
            await self._commands[intent.command](turn, intent)
        elif intent.command in ONE_TURN:
            await ONE_TURN[intent.command](turn, content)
        else:
            for handler in self._text:
                if intent.text and await handler(turn, intent):
                    return True
            return False
        return True


def once_key(once: str, intent: Intent) -> str:
    """A one-time button's key: its card's token and what was typed with it, so pressing "Add" twice on
    the same words adds once, while adding something else from the same card still works."""
    typed = {k: v for k, v in intent.values.items() if k not in MACHINE_KEYS and k != "once"}
    return hashlib.sha256(json.dumps([once, typed], sort_keys=True, default=str).encode()).hexdigest()[:24]
