"""What both channels share, whichever SDK runs the turn: the token check, the service URL allow-list,
Teams' retried activities acted on once, the Bot Connector client and the app's token.

A channel (bot/teams/channel.py on botbuilder, bot/teams/agents.py on the Microsoft 365 Agents SDK)
adds only what its SDK does: turning the JSON body into the SDK's activity, running the SDK's turn
pipeline, and plugging `BotConnector` into the SDK through its public connector-client extension point.
The composition root (`bot.compose.make_channel`) picks one by the BOT_SDK setting and imports only that SDK.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp

from ..config import Settings
from ..outbox import Outgoing
from ..storage import StorageUnavailable
from .connector import SEND_TIMEOUT, AppToken, BotConnector, FetchToken, msal_fetch
from .conversation import Kit
from .tokens import TokenValidator, Unauthorized

log = logging.getLogger("bot.channel")
CHANNEL_AUDIENCE = "https://api.botframework.com"  # whom the bot's own calls to the Bot Connector are for
Logic = Callable[[Any], Awaitable[None]]
ErrorHandler = Callable[[Any, Exception], Awaitable[None]]
InvokeAnswer = tuple[int, Any]  # the HTTP status and JSON body of the answer to an invoke


class BadActivity(Exception):
    """The body has an activity's shape but the SDK cannot read it as one (a 400)."""


class Channel(Protocol):
    """What the routes, the composition root and the messenger use of a channel."""

    @property
    def name(self) -> str: ...

    @property
    def kit(self) -> Kit: ...

    @property
    def connector(self) -> BotConnector: ...

    def set_error_handler(self, handler: ErrorHandler) -> None: ...

    async def process(self, body: dict[str, Any], auth_header: str, logic: Logic) -> InvokeAnswer | None:
        """Authenticate (Unauthorized), read the activity (BadActivity), then run one turn."""

    async def send(self, reference: dict[str, Any], message: Outgoing) -> str | None:
        """A proactive message through the SDK (bot/teams/messenger.py's Proactive)."""

    async def close(self) -> None: ...


class ChannelCore:
    """The SDK-free half of a channel."""

    name = "none"

    def __init__(
        self,
        settings: Settings,
        token: FetchToken | None = None,
        send_timeout: aiohttp.ClientTimeout = SEND_TIMEOUT,
        *,
        first_time: Callable[[str], Awaitable[bool]],
        metadata_url: str | None = None,
    ):
        self.settings = settings
        if token is None and settings.auth_enabled:
            token = msal_fetch(settings)
        self.connector = BotConnector(AppToken(token if settings.auth_enabled else None), send_timeout)
        self.validator = TokenValidator(settings.app_id, metadata_url) if settings.auth_enabled else None
        # Which activities were handled already: the store's, so a retry reaching another process is known.
        self._first_time = first_time

    async def admit(self, body: dict[str, Any], auth_header: str) -> dict[str, Any]:
        """The token's claims (empty in local mode), or Unauthorized; then whether the bot may send to the
        activity's serviceUrl, and whether the activity is new (False: Teams retried it, already handled)."""
        claims: dict[str, Any] = {}
        if self.validator is not None:
            claims = await self.validator.validate(auth_header, body["channelId"], body["serviceUrl"])
            if not self._service_url_allowed(body["serviceUrl"]):
                raise Unauthorized("service_url_not_allowed")
        return claims

    async def fresh(self, body: dict[str, Any]) -> bool:
        """Only after authentication, so strangers cannot fill the memory of ids seen."""
        activity_id = body.get("id")
        if not activity_id:
            return True
        try:
            first = await self._first_time(f"{body['conversation']['id']}|{activity_id}")
        except StorageUnavailable:
            return True  # cannot tell: the turn runs, and answers kindly if the records are out of reach
        if not first:
            log.info("duplicate_activity_ignored")
        return first

    def _service_url_allowed(self, service_url: str) -> bool:
        parts = urlsplit(service_url or "")
        host = (parts.hostname or "").lower()
        allowed = any(host == h or host.endswith("." + h) for h in self.settings.service_url_hosts)
        return allowed and (parts.scheme == "https" or host in ("127.0.0.1", "localhost"))

    async def close(self) -> None:
        await self.connector.close()
