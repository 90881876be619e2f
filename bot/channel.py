"""The thin layer over the Bot Framework SDK's CloudAdapter: authentication, credentials, inbound turns.

What this adds to the SDK, each for a reason found in its 4.17 sources:
- authentication is checked before the turn, and any failure is a 401 (the SDK lets JWT errors out as 500);
- credentials are cached by app id and scope (the stock factory builds a new MSAL app, so a new token
  request, on every turn and every proactive send), and the token is fetched on a worker thread before
  each use, so MSAL's synchronous token request (first use, then about hourly) never blocks the loop;
- the OpenID signing keys are fetched on a worker thread with a timeout (the SDK uses a blocking
  `requests.get` with no timeout on the event loop);
- no user-token (OAuth sign-in) client is built per turn: the bot has no sign-in, and building one
  cost as much as the rest of the turn;
- msrest's own HTTP retries are turned off: it retried 5xx answers inside a worker thread, ignoring
  the shared pacing, and its set-up cost about 4 ms per connector client. Retries of proactive sends
  are the messenger's job (bot/messenger.py), where they honour Retry-After and back off together.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

import requests
from botbuilder.core import InvokeResponse
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticationConstants,
    ChannelValidation,
    PasswordServiceClientCredentialFactory,
    ServiceClientCredentialsFactory,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata
from msrest.authentication import Authentication
from msrest.universal_http import requests as msrest_requests
from urllib3.util.retry import Retry

from .config import Settings

log = logging.getLogger("bot.channel")
OPENID_TIMEOUT_SECONDS = 10


def _connection_retries_only(self) -> None:
    """Retry only connection failures (nothing reached Teams); HTTP answers go back to the caller.

    msrest's own policy also retried 5xx and honoured Retry-After by sleeping inside a worker thread,
    which hid 429s from the shared pacing and could repeat a POST that Teams had already accepted.
    """
    self.policy = Retry(total=3, connect=3, read=0, status=0, other=0, backoff_factor=0.5, backoff_max=8,
                        status_forcelist=(), allowed_methods=None, respect_retry_after_header=False,
                        raise_on_status=False)
    self.policy.BACKOFF_MAX = 8  # msrest reads this name when it logs the policy


msrest_requests.ClientRetryPolicy.__init__ = _connection_retries_only


class _NoSignInAuthentication(ConfigurationBotFrameworkAuthentication):
    """The SDK's configuration authentication, without a per-turn OAuth token client (no sign-in here)."""

    async def create_user_token_client(self, claims_identity):
        return None


class Unauthorized(Exception):
    """The request did not prove it came from the Bot Connector service for this bot."""


class CachingCredentialFactory(ServiceClientCredentialsFactory):
    """Reuses one credentials object per (app id, scope), so MSAL's token cache is actually used."""

    def __init__(self, inner: ServiceClientCredentialsFactory):
        self._inner = inner
        self._cache: dict[tuple[str, str, str], Authentication] = {}
        self._lock = asyncio.Lock()

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self._inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self._inner.is_authentication_disabled()

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> Authentication:
        key = (app_id or "", oauth_scope or "", login_endpoint or "")
        cached = self._cache.get(key)
        if cached is None:
            async with self._lock:
                cached = self._cache.get(key)
                if cached is None:
                    cached = await self._inner.create_credentials(app_id, oauth_scope, login_endpoint,
                                                                  validate_authority)
                    self._cache[key] = cached
        if app_id and hasattr(cached, "get_access_token"):
            # MSAL answers from its cache when the token is fresh; when it is not, the network call
            # happens here, on a thread, instead of later inside the SDK's send on the event loop.
            await asyncio.to_thread(cached.get_access_token)
        return cached


class _ThreadedOpenIdMetadata(_OpenIdMetadata):
    """The SDK's signing-key cache, fetching on a worker thread with a timeout."""

    async def _refresh(self):
        def fetch() -> list:
            response = requests.get(self.url, timeout=OPENID_TIMEOUT_SECONDS)
            response.raise_for_status()
            keys = requests.get(response.json()["jwks_uri"], timeout=OPENID_TIMEOUT_SECONDS)
            keys.raise_for_status()
            return keys.json()["keys"]

        self.keys = await asyncio.to_thread(fetch)
        from datetime import datetime

        self.last_updated = datetime.now()


def use_threaded_openid_metadata(url: str | None = None) -> None:
    """Make the SDK fetch signing keys from `url` (default: Bot Framework's) off the event loop."""
    url = url or ChannelValidation.open_id_metadata_endpoint or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    if not isinstance(JwtTokenExtractor.metadataCache.get(url), _ThreadedOpenIdMetadata):
        JwtTokenExtractor.metadataCache[url] = _ThreadedOpenIdMetadata(url)


class Channel:
    """Receives activities for the bot and sends through the Bot Connector."""

    def __init__(self, settings: Settings, credentials: ServiceClientCredentialsFactory | None = None):
        self.settings = settings
        if credentials is None:
            # Local mode has no app id: the SDK's configuration factory would refuse SingleTenant without one.
            credentials = (ConfigurationServiceClientCredentialFactory(settings) if settings.auth_enabled
                           else PasswordServiceClientCredentialFactory())
        self.credentials = CachingCredentialFactory(credentials)
        self._auth = _NoSignInAuthentication(settings, credentials_factory=self.credentials)
        self.adapter = CloudAdapter(self._auth)
        use_threaded_openid_metadata()

    def set_error_handler(self, handler: Callable[[Any, Exception], Awaitable[None]]) -> None:
        self.adapter.on_turn_error = handler

    async def process(self, activity: Activity, auth_header: str,
                      logic: Callable[[Any], Awaitable[None]]) -> InvokeResponse | None:
        """Authenticate, then run one turn. Raises Unauthorized for any authentication failure."""
        try:
            result = await self._auth.authenticate_request(activity, auth_header)
        except Exception as exc:  # noqa: BLE001 - jwt, key lookup and PermissionError all mean 401
            raise Unauthorized(type(exc).__name__) from exc
        if self.settings.auth_enabled and not self._service_url_allowed(activity.service_url):
            raise Unauthorized("service_url_not_allowed")
        return await self.adapter.process_activity(result, activity, logic)

    def _service_url_allowed(self, service_url: str) -> bool:
        parts = urlsplit(service_url or "")
        host = (parts.hostname or "").lower()
        allowed = any(host == h or host.endswith("." + h) for h in self.settings.service_url_hosts)
        return allowed and (parts.scheme == "https" or host in ("127.0.0.1", "localhost"))
