"""Routes each turn: interruptions first, then the flow in progress, then a new command."""
from __future__ import annotations

from typing import Callable

from botbuilder.core import StatePropertyAccessor, TurnContext
from botbuilder.dialogs import Dialog, DialogSet, DialogTurnStatus

from ..content import Content
from .intent import Intent
from .replies import ONE_TURN, send_unknown

# Commands that answer at once without ending a flow in progress; the flow then asks again.
INTERRUPTIONS = ("help", "help_now", "about")


class Router:
    """Picks the one handler for a turn. Commands are matched exactly, never by substring."""

    def __init__(self, dialog_state: StatePropertyAccessor, content: Callable[[], Content],
                 flows: dict[str, Dialog] | None = None):
        self._content = content
        self._dialogs = DialogSet(dialog_state)
        self._flows: dict[str, str] = {}
        for command, dialog in (flows or {}).items():
            self._dialogs.add(dialog)
            self._flows[command] = dialog.id

    async def route(self, turn: TurnContext, intent: Intent) -> None:
        """Handle one message turn."""
        content = self._content()
        dc = await self._dialogs.create_context(turn)
        if dc.active_dialog is not None:
            if intent.command in INTERRUPTIONS:
                await ONE_TURN[intent.command](turn, content)
                await dc.reprompt_dialog()
                return
            if intent.command is None or intent.command not in self._flows:
                result = await dc.continue_dialog()
                if result.status != DialogTurnStatus.Empty:
                    return
            else:
                await dc.cancel_all_dialogs()
        await self._start(dc, turn, intent, content)

    async def _start(self, dc, turn: TurnContext, intent: Intent, content: Content) -> None:
        if intent.command in self._flows:
            await dc.begin_dialog(self._flows[intent.command], intent)
        elif intent.command in ONE_TURN:
            await ONE_TURN[intent.command](turn, content)
        else:
            await send_unknown(turn, content)
