"""`Conversation` for a Teams turn: who is writing, and how to answer them, over the SDK's TurnContext.

It imports no SDK: both SDKs' turn contexts have `activity`, `send_activity` and `update_activity`, and
what has to be built with an SDK's own classes (a card attachment, the replacement of a card, an invoke
answer, the stored conversation reference) comes from the channel's `Kit`.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..cards.text import fold


class Kit(Protocol):
    """What the handler and conversation need built by the channel's SDK (bot/teams/channel.py for
    botbuilder, bot/teams/agents.py for the Microsoft 365 Agents SDK)."""

    name: str

    def card(self, card: dict[str, Any], text: str | None = None) -> Any:
        """A message activity carrying an Adaptive Card (and text beside it)."""

    def replacement(self, activity_id: str, text: str) -> Any:
        """A message activity that replaces the bot's activity `activity_id` with `text`."""

    def invoke_response(self, status: int, body: dict[str, Any]) -> Any:
        """The answer to an invoke."""

    def reference(self, activity: Any) -> dict[str, Any]:
        """The conversation reference of an incoming activity, as Bot Framework protocol JSON."""

    def remove_mention(self, activity: Any) -> None:
        """Remove the bot's @mention from the activity's text."""

    async def member(self, turn: Any, user_id: str) -> dict[str, Any]:
        """The conversation member as the Bot Connector describes them (name, email, userPrincipalName)."""


class OutgoingCard(dict):
    """An Adaptive Card sent in reply. Both SDKs deep-copy every activity they send (their copy of the
    envelope is what they change); the card inside is built for that one send and never changed after,
    so copying it, most of the cost of a card reply, is skipped. The handler's send hook then gives the
    copy a plain new card with "Get help now" first (bot/teams/handler.py `_finish_cards`): msrest
    would write a dict subclass as a string."""

    def __deepcopy__(self, memo: dict[int, Any]) -> OutgoingCard:
        return self


class TeamsConversation:
    """The one object dialogs get for a turn (bot/conversation.py is the protocol it meets)."""

    def __init__(self, turn: Any, worker: str, tenant: str, admin_ids: frozenset[str], kit: Kit):
        self._turn = turn
        self._kit = kit
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
        await self._turn.send_activity(self._kit.card(OutgoingCard(card)))

    async def replace_card(self, text: str) -> None:
        """Teams sends the pressed card's id as reply_to_id: the card is updated in place (PUT)."""
        card_id = self._turn.activity.reply_to_id
        if card_id:
            await self._turn.update_activity(self._kit.replacement(card_id, fold(text)))
        else:
            await self._turn.send_activity(fold(text))
