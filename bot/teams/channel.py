"""The thin layer over the Bot Framework SDK's CloudAdapter: authentication, credentials, inbound turns.

What this adds to the SDK, each for a reason found in its 4.17 sources:
- authentication is checked before the turn, and any failure is a 401 (the SDK lets JWT errors out as 500);
- credentials are cached by app id and scope (the stock factory builds a new MSAL app, so a new token
  request, on every turn and every proactive send), and the token is fetched on a worker thread before
  each use, so MSAL's synchronous token request (first use, then about hourly) never blocks the loop;
- the OpenID signing keys of every issuer (Bot Framework, emulator, skills, government clouds) are
  fetched with aiohttp and a timeout, one fetch at a time per address, and after a failure not again for a
  minute (the SDK uses a blocking `requests.get` with no timeout on the event loop, on every request while
  the keys are missing, so one forged token could stall every worker);
- every call to the Bot Connector goes through one aiohttp session with timeouts (the SDK's default
  sender runs `requests` on the shared thread pool, so a few hanging chats stalled every reply), and
  MSAL's synchronous token request runs on a small executor of its own, with a timeout;
- no user-token (OAuth sign-in) client is built per turn: the bot has no sign-in, and building one
  cost as much as the rest of the turn;
- msrest's own HTTP retries are turned off: it retried 5xx answers inside a worker thread, ignoring
  the shared pacing, and its set-up cost about 4 ms per connector client. Retries of proactive sends
  are the messenger's job (bot/messenger.py), where they honour Retry-After and back off together.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from botbuilder.core import InvokeResponse
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity
from botframework.connector.auth import (
    PasswordServiceClientCredentialFactory,
    ServiceClientCredentialsFactory,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata
from msrest.authentication import Authentication
from msrest.pipeline import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline, Response
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import AsyncHTTPSender as AsyncHTTPDriver
from msrest.universal_http import ClientRequest
from msrest.universal_http import requests as msrest_requests
from msrest.universal_http.aiohttp import AioHttpClientResponse
from urllib3.util.retry import Retry

from ..config import Settings, is_loopback
from ..storage import StorageUnavailable

log = logging.getLogger("bot.channel")
OPENID_TIMEOUT_SECONDS = 10
OPENID_RETRY_AFTER_FAILURE = 60.0  # seconds before a failed key fetch is tried again
SEND_TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5, sock_read=15)
LOOPBACK_CONNECT_SECONDS = 1.0
TOKEN_TIMEOUT_SECONDS = 15


def _connection_retries_only(self) -> None:
    """Retry only connection failures (nothing reached Teams); HTTP answers go back to the caller.

    msrest's own policy also retried 5xx and honoured Retry-After by sleeping inside a worker thread,
    which hid 429s from the shared pacing and could repeat a POST that Teams had already accepted.
    """
    self.policy = Retry(
        total=3,
        connect=3,
        read=0,
        status=0,
        other=0,
        backoff_factor=0.5,
        backoff_max=8,
        status_forcelist=(),
        allowed_methods=None,
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    self.policy.BACKOFF_MAX = 8  # msrest reads this name when it logs the policy


setattr(msrest_requests.ClientRetryPolicy, "__init__", _connection_retries_only)  # noqa: B010 - a deliberate patch


class _NoSignInAuthentication(ConfigurationBotFrameworkAuthentication):
    """The SDK's configuration authentication, without a per-turn OAuth token client (no sign-in here),
    whose connector clients send through the channel's aiohttp session."""

    channel: Channel | None = None

    async def create_user_token_client(self, claims_identity):
        return None

    def create_connector_factory(self, claims_identity):
        inner = super().create_connector_factory(claims_identity)
        return _AiohttpConnectorFactory(inner, self.channel) if self.channel else inner


class Unauthorized(Exception):
    """The request did not prove it came from the Bot Connector service for this bot."""


class CachingCredentialFactory(ServiceClientCredentialsFactory):
    """Reuses one credentials object per (app id, scope), so MSAL's token cache is actually used."""

    def __init__(self, inner: ServiceClientCredentialsFactory, executor: ThreadPoolExecutor):
        self._inner = inner
        self._cache: dict[tuple[str, str, str], Authentication] = {}
        self._lock = asyncio.Lock()
        self._executor = executor

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self._inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self._inner.is_authentication_disabled()

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        key = (app_id or "", oauth_scope or "", login_endpoint or "")
        cached = self._cache.get(key)
        if cached is None:
            async with self._lock:
                cached = self._cache.get(key)
                if cached is None:
                    cached = await self._inner.create_credentials(
                        app_id, oauth_scope, login_endpoint, validate_authority
                    )
                    self._cache[key] = cached
        if app_id and hasattr(cached, "get_access_token"):
            # MSAL answers from its cache when the token is fresh; when it is not, the network call
            # happens here, on a thread of our own, instead of later inside a send on the event loop.
            await access_token(cached, self._executor)
        return cached


async def access_token(credentials, executor: ThreadPoolExecutor) -> str:
    """The app's token, from MSAL (synchronous) on a bounded executor, never waiting more than a while."""
    loop = asyncio.get_running_loop()
    return await asyncio.wait_for(loop.run_in_executor(executor, credentials.get_access_token), TOKEN_TIMEOUT_SECONDS)


class AsyncOpenIdMetadata(_OpenIdMetadata):
    """The SDK's signing-key cache for one issuer, fetched with aiohttp and a timeout.

    One fetch at a time per address; after a failed fetch, requests needing the keys fail at once (401)
    for a minute instead of each waiting on the network again."""

    def __init__(self, url: str):
        super().__init__(url)
        self.last_updated: dt.datetime = self.last_updated  # the SDK sets it (to datetime.min) without a type
        self._lock = asyncio.Lock()
        self._retry_at = 0.0

    async def get(self, key_id: str):
        if self.last_updated < dt.datetime.now() - dt.timedelta(days=1):
            await self._refresh()
        key = self._find_or_none(key_id)
        if key is None and self.last_updated < dt.datetime.now() - dt.timedelta(hours=1):
            await self._refresh()  # an unknown key: look again, at most hourly
            key = self._find_or_none(key_id)
        return key

    def _find_or_none(self, key_id: str):
        if not any(k.get("kid") == key_id for k in self.keys):
            return None
        return self._find(key_id)

    async def _refresh(self) -> None:
        if time.monotonic() < self._retry_at:
            return
        started = self.last_updated
        async with self._lock:
            if self.last_updated != started:
                return  # another request just fetched them
            try:
                timeout = aiohttp.ClientTimeout(total=OPENID_TIMEOUT_SECONDS)
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    async with session.get(self.url) as response:
                        response.raise_for_status()
                        keys_url = (await response.json(content_type=None))["jwks_uri"]
                    async with session.get(keys_url) as response:
                        response.raise_for_status()
                        self.keys = (await response.json(content_type=None))["keys"]
                self.last_updated = dt.datetime.now()
            except (TimeoutError, aiohttp.ClientError, KeyError, TypeError, ValueError) as exc:
                self._retry_at = time.monotonic() + OPENID_RETRY_AFTER_FAILURE
                log.warning("openid_keys_unavailable error=%s", type(exc).__name__)


def _async_metadata(metadata_url: str) -> _OpenIdMetadata:
    metadata = JwtTokenExtractor.metadataCache.get(metadata_url)
    if not isinstance(metadata, AsyncOpenIdMetadata):
        metadata = JwtTokenExtractor.metadataCache[metadata_url] = AsyncOpenIdMetadata(metadata_url)
    return metadata


# Every issuer's keys (channel, emulator, skills, government) come through here.
JwtTokenExtractor.get_open_id_metadata = staticmethod(_async_metadata)


def timeout_for(url: str, timeout: aiohttp.ClientTimeout) -> aiohttp.ClientTimeout:
    """On loopback a connection is made at once or refused at once: one that waits is to a Bot Connector
    that will never answer (local mode, a bad serviceUrl), so it is given up after a second, not five."""
    if not is_loopback(urlsplit(url).hostname or ""):
        return timeout
    connect = min(timeout.connect or LOOPBACK_CONNECT_SECONDS, LOOPBACK_CONNECT_SECONDS)
    return aiohttp.ClientTimeout(
        total=timeout.total,
        connect=connect,
        sock_read=timeout.sock_read,
        sock_connect=connect,
        ceil_threshold=timeout.ceil_threshold,
    )


class _AioHttpDriver(AsyncHTTPDriver):
    """Sends msrest requests on a shared aiohttp session, with timeouts; reads the whole answer."""

    def __init__(self, session: aiohttp.ClientSession, timeout: aiohttp.ClientTimeout):
        self._session = session
        self._timeout = timeout

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_details):
        return None

    async def send(self, request: ClientRequest, **config: Any) -> AioHttpClientResponse:
        result = await self._session.request(
            request.method,
            request.url,
            headers=request.headers,
            data=request.data,
            timeout=timeout_for(request.url, self._timeout),
        )
        response = AioHttpClientResponse(request, result)
        await response.load_body()
        return response


class _Sender(AsyncHTTPSender):
    def __init__(self, driver: _AioHttpDriver):
        self.driver = driver

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_details):
        return None

    async def send(self, request, **config: Any):
        return Response(request, await self.driver.send(request.http_request))


class _BearerPolicy(AsyncHTTPPolicy):
    """Adds the app's token to each call (none in local mode), fetched off the event loop."""

    def __init__(self, credentials, executor: ThreadPoolExecutor):
        super().__init__()
        self._credentials = credentials
        self._executor = executor

    async def send(self, request, **kwargs):
        if getattr(self._credentials, "microsoft_app_id", None):
            token = await access_token(self._credentials, self._executor)
            request.http_request.headers["Authorization"] = f"Bearer {token}"
        assert self.next is not None  # the pipeline links every policy to the next before sending
        return await self.next.send(request, **kwargs)


class _AiohttpConnectorFactory:
    """The SDK's connector factory, with every client it makes sending through our aiohttp session."""

    def __init__(self, inner, channel: Channel):
        self._inner = inner
        self._channel = channel

    async def create(self, service_url: str, audience: str | None = None):
        client = await self._inner.create(service_url, audience)
        config = client.config
        policies = [
            config.user_agent_policy,
            _BearerPolicy(config.credentials, self._channel.token_executor),
            RawDeserializer(),
            config.http_logger_policy,
        ]
        driver = _AioHttpDriver(self._channel.session(), self._channel.send_timeout)
        config.pipeline = AsyncPipeline(policies, _Sender(driver))
        return client


class Channel:
    """Receives activities for the bot and sends through the Bot Connector."""

    def __init__(
        self,
        settings: Settings,
        credentials: ServiceClientCredentialsFactory | None = None,
        send_timeout: aiohttp.ClientTimeout = SEND_TIMEOUT,
        *,
        first_time: Callable[[str], Awaitable[bool]],
    ):
        self.settings = settings
        self.send_timeout = send_timeout
        self.token_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="token")
        if credentials is None:
            # Local mode has no app id: the SDK's configuration factory would refuse SingleTenant without one.
            credentials = (
                ConfigurationServiceClientCredentialFactory(settings)
                if settings.auth_enabled
                else PasswordServiceClientCredentialFactory()
            )
        self.credentials = CachingCredentialFactory(credentials, self.token_executor)
        self._auth = _NoSignInAuthentication(settings, credentials_factory=self.credentials)
        self._auth.channel = self
        self.adapter = CloudAdapter(self._auth)
        self._session: aiohttp.ClientSession | None = None
        # Which activities were handled already: the store's, so a retry reaching another process is known.
        self._first_time = first_time

    def session(self) -> aiohttp.ClientSession:
        """The one HTTP session for the Bot Connector (made on first use, on the running loop)."""
        if self._session is None or self._session.closed:
            # Every chat goes to one host (Teams'): a per-host cap would let a few stuck chats block every
            # reply, so connections are bounded only in total, and each call by its timeout.
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1000, limit_per_host=0))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self.token_executor.shutdown(wait=False, cancel_futures=True)

    def set_error_handler(self, handler: Callable[[Any, Exception], Awaitable[None]]) -> None:
        self.adapter.on_turn_error = handler

    async def process(
        self, activity: Activity, auth_header: str, logic: Callable[[Any], Awaitable[None]]
    ) -> InvokeResponse | None:
        """Authenticate, then run one turn. Raises Unauthorized for any authentication failure."""
        try:
            result = await self._auth.authenticate_request(activity, auth_header)
        except Exception as exc:
            raise Unauthorized(type(exc).__name__) from exc
        if result.connector_factory is not None:  # replies in the turn send through our session too
            result.connector_factory = _AiohttpConnectorFactory(result.connector_factory, self)
        if self.settings.auth_enabled and not self._service_url_allowed(activity.service_url):
            raise Unauthorized("service_url_not_allowed")
        # Only after authentication, so strangers cannot fill the memory of ids seen.
        if activity.id and activity.conversation and not await self._fresh(f"{activity.conversation.id}|{activity.id}"):
            log.info("duplicate_activity_ignored")
            return None
        return await self.adapter.process_activity(result, activity, logic)

    async def _fresh(self, key: str) -> bool:
        try:
            return await self._first_time(key)
        except StorageUnavailable:
            return True  # cannot tell: the turn runs, and answers kindly if the records are out of reach

    def _service_url_allowed(self, service_url: str) -> bool:
        parts = urlsplit(service_url or "")
        host = (parts.hostname or "").lower()
        allowed = any(host == h or host.endswith("." + h) for h in self.settings.service_url_hosts)
        return allowed and (parts.scheme == "https" or host in ("127.0.0.1", "localhost"))
