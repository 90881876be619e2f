"""The Microsoft 365 Agents SDK channel (BOT_SDK=agents): the Agents SDK 1.9's CloudAdapter runs the turn.

Only `microsoft-agents-activity`, `-hosting-core` and `-hosting-aiohttp` are used. What the SDK does
unsafely (checked in its 1.9.0 sources; docs/architecture.md lists it) is replaced through its public
extension points, and nothing of it is patched or subclassed where it is private:
- the token is checked by bot/teams/tokens.py before the turn, instead of the SDK's JwtTokenValidator
  (PyJWT's urllib key client on the shared default thread pool, 30 s per fetch, a new fetch for every
  unknown key id, and issuers checked only when asked);
- `CloudAdapter` is given a `ChannelServiceClientFactoryBase` of ours whose connector client sends through
  bot/teams/connector.py (the SDK's opens a new aiohttp session with no timeout for every turn and every
  proactive send, and its MSAL provider builds its MSAL app on the event loop, which fetches the
  authority's OpenID document with no timeout, then asks for tokens on the default thread pool with none);
- no user-token (OAuth sign-in) client is made (the SDK makes one, and asks Entra for its token, every
  turn): the bot has no sign-in.
Not used: `-authentication-msal` (bot/teams/connector.py gets the token through MSAL itself) and
`-hosting-msteams` (it builds an httpx client and a Graph client per turn for what one GET does here).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pydantic
from microsoft_agents.activity import Activity, ConversationReference, InvokeResponse, ResourceResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    CardFactory,
    ChannelServiceClientFactoryBase,
    ClaimsIdentity,
    MessageFactory,
    TurnContext,
)
from microsoft_agents.hosting.core.connector import ConnectorClientBase, UserTokenClientBase

from ..cards.text import fold
from ..config import Settings
from ..outbox import Outgoing
from .base import BadActivity, ChannelCore, ErrorHandler, InvokeAnswer, Logic
from .connector import SEND_TIMEOUT, BotConnector, FetchToken

log = logging.getLogger("bot.channel")


class _NoRefusedActivityDumps(logging.Filter):
    """The SDK logs an activity it cannot read at ERROR with the offending values, which may be what a
    worker typed. Such an activity is a 400 at the front door, logged there without content."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Validation error for Activity")


logging.getLogger("microsoft_agents.activity.activity").addFilter(_NoRefusedActivityDumps())


class AgentsKit:
    """What the handler needs built with the Agents SDK's own classes."""

    name = "agents"

    def card(self, card: dict[str, Any], text: str | None = None) -> Activity:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        if text is not None:
            activity.text = text
        return activity

    def replacement(self, activity_id: str, text: str) -> Activity:
        return Activity(type="message", id=activity_id, text=text)

    def invoke_response(self, status: int, body: dict[str, Any]) -> Activity:
        return Activity(type="invokeResponse", value=InvokeResponse(status=status, body=body))

    def reference(self, activity: Activity) -> dict[str, Any]:
        return activity.get_conversation_reference().model_dump(mode="json", by_alias=True, exclude_none=True)

    def remove_mention(self, activity: Activity) -> None:
        activity.remove_recipient_mention()

    async def member(self, turn: TurnContext, user_id: str) -> dict[str, Any]:
        client = turn.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        if not isinstance(client, _Client):
            raise LookupError("no Bot Connector in this turn")
        return await client.member(turn.activity.conversation.id, user_id)


KIT = AgentsKit()


def _dump(activity: Activity) -> dict[str, Any]:
    return activity.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)


class _Conversations:
    """What the Agents SDK's ChannelServiceAdapter calls on `conversations`, over the project's client."""

    def __init__(self, connector: BotConnector, service_url: str):
        self._connector = connector
        self._service_url = service_url

    async def reply_to_activity(self, conversation_id: str, activity_id: str, body: Activity) -> ResourceResponse:
        return ResourceResponse(
            id=await self._connector.send(self._service_url, conversation_id, _dump(body), activity_id) or ""
        )

    async def send_to_conversation(self, conversation_id: str, body: Activity) -> ResourceResponse:
        return ResourceResponse(id=await self._connector.send(self._service_url, conversation_id, _dump(body)) or "")

    async def update_activity(self, conversation_id: str, activity_id: str, body: Activity) -> ResourceResponse:
        await self._connector.update(self._service_url, conversation_id, activity_id, _dump(body))
        return ResourceResponse(id=activity_id)


class _Client(ConnectorClientBase):
    """A connector client for one turn (or one proactive send): nothing to open or close of its own."""

    def __init__(self, connector: BotConnector, service_url: str):
        self._connector = connector
        self._service_url = service_url
        self._conversations = _Conversations(connector, service_url)

    @property
    def base_uri(self) -> str:
        return self._service_url

    @property
    def attachments(self) -> Any:
        raise NotImplementedError("the bot uploads no attachments")

    @property
    def conversations(self) -> Any:
        return self._conversations

    async def member(self, conversation_id: str, user_id: str) -> dict[str, Any]:
        return await self._connector.member(self._service_url, conversation_id, user_id)

    async def close(self) -> None:
        return None  # the session is the channel's, shared by every turn


class _NoSignIn(UserTokenClientBase):
    """The bot has no OAuth sign-in: no token service client, no token request for one."""

    @property
    def agent_sign_in(self) -> Any:
        raise NotImplementedError("no sign-in")

    @property
    def user_token(self) -> Any:
        raise NotImplementedError("no sign-in")

    async def get_user_token(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("no sign-in")

    async def get_sign_in_resource(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("no sign-in")

    async def sign_out_user(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("no sign-in")

    async def get_token_status(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("no sign-in")

    async def get_aad_tokens(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("no sign-in")

    async def exchange_token(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("no sign-in")

    async def get_token_or_sign_in_resource(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("no sign-in")

    async def close(self) -> None:
        return None


NO_SIGN_IN = _NoSignIn()


class _Clients(ChannelServiceClientFactoryBase):
    def __init__(self, connector: BotConnector):
        self._connector = connector

    async def create_connector_client(
        self,
        context: Any,
        claims_identity: Any,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClientBase:
        return _Client(self._connector, service_url)

    async def create_user_token_client(self, context: Any, claims_identity: Any, use_anonymous: bool = False) -> Any:
        return NO_SIGN_IN


class AgentsChannel(ChannelCore):
    """Receives activities for the bot and sends through the Bot Connector, with the Agents SDK's pipeline."""

    name = "agents"
    kit = KIT

    def __init__(
        self,
        settings: Settings,
        token: FetchToken | None = None,
        send_timeout: aiohttp.ClientTimeout = SEND_TIMEOUT,
        *,
        first_time: Callable[[str], Awaitable[bool]],
    ):
        super().__init__(settings, token, send_timeout, first_time=first_time)
        self.adapter = CloudAdapter(channel_service_client_factory=_Clients(self.connector))
        self.adapter.on_turn_error = _quiet_turn_error  # the SDK's default prints and sends the exception text

    def set_error_handler(self, handler: ErrorHandler) -> None:
        self.adapter.on_turn_error = handler

    async def process(self, body: dict[str, Any], auth_header: str, logic: Logic) -> InvokeAnswer | None:
        claims = await self.admit(body, auth_header)  # first: a stranger costs no model building
        try:
            activity = Activity.model_validate(body)
        except Exception as exc:  # its validators also raise plain Exception (a sub-channel conflict)
            raise BadActivity(type(exc).__name__) from exc
        if not await self.fresh(body):
            return None
        identity = ClaimsIdentity(claims, authentication_type="Bearer") if claims else ClaimsIdentity({}, "anonymous")
        invoke = await self.adapter.process_activity(identity, activity, logic)
        if invoke is None:
            return None
        answer = invoke.body
        if isinstance(answer, pydantic.BaseModel):
            answer = answer.model_dump(mode="json", by_alias=True, exclude_none=True)
        return int(invoke.status or 501), answer

    async def send(self, reference: dict[str, Any], message: Outgoing) -> str | None:
        outcome: dict[str, Any] = {}
        if message.card is not None:
            activity = KIT.card(message.card, message.text)
        else:
            activity = MessageFactory.text(fold(message.text or ""))

        async def callback(turn: TurnContext) -> None:
            try:
                outcome["id"] = getattr(await turn.send_activity(activity), "id", None) or None
            except Exception as exc:  # noqa: BLE001 - handed to the messenger, which knows what each means
                outcome["error"] = exc

        continuation = ConversationReference.model_validate(reference).get_continuation_activity()
        await self.adapter.continue_conversation(self.settings.app_id, continuation, callback)
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("id")


async def _quiet_turn_error(_turn: Any, error: Exception) -> None:
    log.error("turn_error error=%s", type(error).__name__)
