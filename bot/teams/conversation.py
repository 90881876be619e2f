"""`Conversation` for a Teams turn: who is writing, and how to answer them, over the SDK's TurnContext."""

from __future__ import annotations

from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from ..cards.text import fold


class TeamsConversation:
    """The one object dialogs get for a turn (bot/conversation.py is the protocol it meets)."""

    def __init__(self, turn: TurnContext, worker: str, tenant: str, admin_ids: frozenset[str]):
        self._turn = turn
        self._worker = worker
        self._tenant = tenant
        user = turn.activity.from_property
        self._is_admin = bool(user and user.aad_object_id and user.aad_object_id.lower() in admin_ids)
        self._notes: dict[str, Any] = {}

    @property
    def worker(self) -> str:
        return self._worker

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def is_admin(self) -> bool:
        return self._is_admin

    @property
    def notes(self) -> dict[str, Any]:
        return self._notes

    async def send_text(self, text: str) -> None:
        await self._turn.send_activity(fold(text))

    async def send_card(self, card: dict[str, Any]) -> None:
        await self._turn.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def replace_card(self, text: str) -> None:
        """Teams sends the pressed card's id as reply_to_id: the card is updated in place (PUT)."""
        card_id = self._turn.activity.reply_to_id
        if card_id:
            await self._turn.update_activity(Activity(type=ActivityTypes.message, id=card_id, text=fold(text)))
        else:
            await self._turn.send_activity(fold(text))
