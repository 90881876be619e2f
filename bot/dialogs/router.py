"""Routes each turn: interruptions first, then the flow in progress, then a new command."""
from __future__ import annotations

from typing import Awaitable, Callable

from botbuilder.core import StatePropertyAccessor, TurnContext
from botbuilder.dialogs import Dialog, DialogSet, DialogTurnStatus

from ..content import Content
from .intent import Handler, Intent
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
                 text: list[TextHandler] | None = None, flows: dict[str, Dialog] | None = None):
        self._content = content
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
