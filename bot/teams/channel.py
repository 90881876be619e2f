"""The BotBuilder channel (BOT_SDK=botbuilder): botbuilder 4.17's CloudAdapter runs the turn.

Everything that botbuilder did unsafely is replaced through its public extension points, and nothing of
the SDK is patched or subclassed where it is private:
- `CloudAdapter` is given a `BotFrameworkAuthentication` of ours (the SDK's public abstract class): the
  token is checked by bot/teams/tokens.py before the turn (the SDK's own check fetched signing keys with a
  blocking `requests.get` on the event loop, and let JWT errors out as 500s);
- its `ConnectorFactory` (public) hands the turn a client over bot/teams/connector.py, so replies,
  card replacements, member look-ups and proactive messages go through one aiohttp session with
  timeouts and no hidden retries (the SDK built a msrest client per turn, sent with `requests` on the
  shared thread pool, and retried 5xx answers out of sight of the messenger's pacing);
- no user-token (OAuth sign-in) client is made: the bot has no sign-in.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from botbuilder.core import BotAdapter, CardFactory, InvokeResponse, MessageFactory, TurnContext, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ConversationReference, ResourceResponse
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ChannelValidation,
    ClaimsIdentity,
    ConnectorFactory,
)

from ..cards.text import fold
from ..config import Settings
from ..outbox import Outgoing
from .base import CHANNEL_AUDIENCE, BadActivity, ChannelCore, ErrorHandler, InvokeAnswer, Logic
from .connector import SEND_TIMEOUT, BotConnector, FetchToken

log = logging.getLogger("bot.channel")


class BotbuilderKit:
    """What the handler needs built with botbuilder's own classes."""

    name = "botbuilder"

    def card(self, card: dict[str, Any], text: str | None = None) -> Activity:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        activity.text = text
        return activity

    def replacement(self, activity_id: str, text: str) -> Activity:
        return Activity(type="message", id=activity_id, text=text)

    def invoke_response(self, status: int, body: dict[str, Any]) -> Activity:
        return Activity(type="invokeResponse", value=InvokeResponse(status=status, body=body))

    def reference(self, activity: Activity) -> dict[str, Any]:
        return TurnContext.get_conversation_reference(activity).serialize()

    def remove_mention(self, activity: Activity) -> None:
        TurnContext.remove_recipient_mention(activity)

    async def member(self, turn: TurnContext, user_id: str) -> dict[str, Any]:
        client = turn.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        if not isinstance(client, _Client):
            raise LookupError("no Bot Connector in this turn")
        return await client.member(turn.activity.conversation.id, user_id)


KIT = BotbuilderKit()


class _Client:
    """What botbuilder's CloudAdapter calls on a connector client (`conversations.reply_to_activity`,
    `send_to_conversation`, `update_activity`), over the project's Bot Connector client."""

    def __init__(self, connector: BotConnector, service_url: str):
        self._connector = connector
        self._service_url = service_url
        self.conversations = self

    async def reply_to_activity(self, conversation_id: str, activity_id: str, activity: Activity) -> ResourceResponse:
        body = activity.serialize()
        return ResourceResponse(id=await self._connector.send(self._service_url, conversation_id, body, activity_id))

    async def send_to_conversation(self, conversation_id: str, activity: Activity) -> ResourceResponse:
        body = activity.serialize()
        return ResourceResponse(id=await self._connector.send(self._service_url, conversation_id, body))

    async def update_activity(self, conversation_id: str, activity_id: str, activity: Activity) -> ResourceResponse:
        await self._connector.update(self._service_url, conversation_id, activity_id, activity.serialize())
        return ResourceResponse(id=activity_id)

    async def member(self, conversation_id: str, user_id: str) -> dict[str, Any]:
        return await self._connector.member(self._service_url, conversation_id, user_id)


class _Connectors(ConnectorFactory):
    def __init__(self, connector: BotConnector):
        self._connector = connector

    async def create(self, service_url: str, audience: str) -> Any:
        return _Client(self._connector, service_url)


class _Authentication(BotFrameworkAuthentication):
    """The authentication CloudAdapter asks for connectors and user-token clients. Inbound requests are
    authenticated before the adapter sees them (BotbuilderChannel.process)."""

    def __init__(self, connectors: _Connectors):
        self._connectors = connectors

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        raise PermissionError("requests are authenticated before the adapter")

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        raise PermissionError("streaming is not used")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._connectors

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> None:
        return None  # the bot has no sign-in

    def get_originating_audience(self) -> str:
        return CHANNEL_AUDIENCE


class BotbuilderChannel(ChannelCore):
    """Receives activities for the bot and sends through the Bot Connector, with botbuilder's turn pipeline."""

    name = "botbuilder"
    kit = KIT

    def __init__(
        self,
        settings: Settings,
        token: FetchToken | None = None,
        send_timeout: aiohttp.ClientTimeout = SEND_TIMEOUT,
        *,
        first_time: Callable[[str], Awaitable[bool]],
    ):
        # botbuilder's own setting for the channel's OpenID address, where a site (or a test) has set it.
        super().__init__(
            settings,
            token,
            send_timeout,
            first_time=first_time,
            metadata_url=ChannelValidation.open_id_metadata_endpoint,
        )
        self._connectors = _Connectors(self.connector)
        self.adapter = CloudAdapter(_Authentication(self._connectors))

    def set_error_handler(self, handler: ErrorHandler) -> None:
        self.adapter.on_turn_error = handler

    async def process(self, body: dict[str, Any], auth_header: str, logic: Logic) -> InvokeAnswer | None:
        claims = await self.admit(body, auth_header)  # first: a stranger costs no model building
        try:
            activity = Activity().deserialize(body)
        except Exception as exc:  # msrest raises DeserializationError and, on odd shapes, others
            raise BadActivity(type(exc).__name__) from exc
        if not await self.fresh(body):
            return None
        result = AuthenticateRequestResult()
        result.claims_identity = ClaimsIdentity(claims, True, "Bearer" if claims else "anonymous")
        result.audience = CHANNEL_AUDIENCE
        result.connector_factory = self._connectors
        invoke = await self.adapter.process_activity(result, activity, logic)
        if invoke is None:
            return None
        # Serialised here: the SDK's own path fails with a 500 on plain-dict invoke bodies.
        answer = invoke.body if isinstance(invoke.body, (dict, list, type(None))) else serializer_helper(invoke.body)
        return invoke.status, answer

    async def send(self, reference: dict[str, Any], message: Outgoing) -> str | None:
        outcome: dict[str, Any] = {}
        if message.card is not None:
            activity = KIT.card(message.card, message.text)
        else:
            activity = MessageFactory.text(fold(message.text or ""))

        async def callback(turn: TurnContext) -> None:
            try:
                outcome["id"] = getattr(await turn.send_activity(activity), "id", None)
            except Exception as exc:  # noqa: BLE001 - handed to the messenger, which knows what each means
                outcome["error"] = exc

        await self.adapter.continue_conversation(
            ConversationReference().deserialize(reference), callback, self.settings.app_id
        )
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("id")
