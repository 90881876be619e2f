"""The Bot Connector service, reached by the project's own small client; and the app's Entra token.

Both channels send through `BotConnector`: each SDK gets it through its public extension point for
connector clients (botbuilder's ConnectorFactory, the Agents SDK's ChannelServiceClientFactoryBase), so
replies in a turn and proactive messages leave the same way whichever SDK runs:

- one aiohttp session for every call, made once (botbuilder built a msrest client and its retry policy
  per turn and sent with `requests` on the shared thread pool; the Agents SDK 1.9 opens a new aiohttp
  session, with no timeout, for every turn and every proactive send);
- a timeout on every call, and on loopback a connection is given up after a second;
- no retries here: an HTTP answer goes back to the caller as `ConnectorError` (status and Retry-After),
  so the messenger's pacing and back-off see every 429 and never repeat a send Teams accepted;
- the app's token from `AppToken`: MSAL on a small executor of its own, with a timeout, cached until
  shortly before it expires, so a turn normally waits for no token at all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
import requests

from ..config import Settings, is_loopback

log = logging.getLogger("bot.channel")
SEND_TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5, sock_read=15)
LOOPBACK_CONNECT_SECONDS = 1.0
TOKEN_TIMEOUT_SECONDS = 15.0
TOKEN_EARLY_SECONDS = 300.0  # a token is fetched again this long before it expires
BOT_CONNECTOR_SCOPE = "https://api.botframework.com/.default"
MAX_ANSWER_BYTES = 1024 * 1024  # a Bot Connector answer is a few hundred bytes; anything huge is not one

# A synchronous token fetch: returns (access token, seconds it stays valid). Runs on the token executor.
FetchToken = Callable[[], tuple[str, float]]


class TokenUnavailable(Exception):
    """The app's token could not be had: nothing was sent."""


class ConnectorError(Exception):
    """The Bot Connector answered with an error status."""

    def __init__(self, status: int, retry_after: str | None = None):
        super().__init__(f"bot connector answered {status}")
        self.status = status
        self.retry_after = retry_after


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


def msal_fetch(settings: Settings) -> FetchToken:
    """The app's token from Entra through MSAL, as both SDKs get it (client secret, or a user-assigned
    managed identity), with MSAL's own HTTP timeout. The MSAL app is made on first use, on the token
    executor: making it fetches the authority's OpenID document, which must not run on the event loop."""
    lock = threading.Lock()
    holder: dict[str, Any] = {}

    def fetch() -> tuple[str, float]:
        import msal

        with lock:
            app = holder.get("app")
            if app is None:
                if settings.app_type == "UserAssignedMSI":
                    app = msal.ManagedIdentityClient(
                        msal.UserAssignedManagedIdentity(client_id=settings.app_id), http_client=_TimeoutSession()
                    )
                else:
                    tenant = settings.tenant_id if settings.app_type == "SingleTenant" else "botframework.com"
                    app = msal.ConfidentialClientApplication(
                        settings.app_id,
                        client_credential=settings.app_password,
                        authority=f"https://login.microsoftonline.com/{tenant}",
                        timeout=TOKEN_TIMEOUT_SECONDS,
                    )
                holder["app"] = app
        if isinstance(app, msal.ManagedIdentityClient):
            result = app.acquire_token_for_client(resource="https://api.botframework.com")
        else:
            result = app.acquire_token_for_client(scopes=[BOT_CONNECTOR_SCOPE])
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            raise PermissionError(f"no token from Entra: {(result or {}).get('error', 'unknown')}")
        return token, float(result.get("expires_in") or 3600)

    return fetch


class _TimeoutSession(requests.Session):
    """A requests session whose every call has a timeout (for MSAL's managed identity client)."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TOKEN_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


class AppToken:
    """The bot's own token for calls to the Bot Connector, cached; fetched off the event loop, with a
    timeout, one fetch at a time. None in local mode (no app id: calls carry no token)."""

    def __init__(self, fetch: FetchToken | None, monotonic=time.monotonic):
        self._fetch = fetch
        self._monotonic = monotonic
        self._token: str | None = None
        self._good_until = 0.0
        self._lock = asyncio.Lock()
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="token")

    async def get(self) -> str | None:
        if self._fetch is None:
            return None
        if self._token is not None and self._monotonic() < self._good_until:
            return self._token
        async with self._lock:
            if self._token is None or self._monotonic() >= self._good_until:
                loop = asyncio.get_running_loop()
                token, lifetime = await asyncio.wait_for(
                    loop.run_in_executor(self.executor, self._fetch), TOKEN_TIMEOUT_SECONDS
                )
                self._token = token
                self._good_until = self._monotonic() + max(0.0, lifetime - TOKEN_EARLY_SECONDS)
        return self._token

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class BotConnector:
    """The three calls the bot makes to the Bot Connector: send (or reply), replace, and look up a member."""

    def __init__(self, token: AppToken, timeout: aiohttp.ClientTimeout = SEND_TIMEOUT):
        self.token = token
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The one HTTP session for the Bot Connector (made on first use, on the running loop)."""
        if self._session is None or self._session.closed:
            # Every chat goes to one host (Teams'): a per-host cap would let a few stuck chats block every
            # reply, so connections are bounded only in total, and each call by its timeout.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=1000, limit_per_host=0), json_serialize=_dumps
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self.token.close()

    async def send(
        self, service_url: str, conversation_id: str, activity: dict[str, Any], reply_to: str | None = None
    ) -> str | None:
        """POST an activity to the conversation (as a reply when `reply_to` is given); the new activity's id."""
        path = f"v3/conversations/{_part(conversation_id)}/activities"
        if reply_to:
            path += f"/{_part(reply_to)}"
        answer = await self._call("POST", service_url, path, activity)
        return answer.get("id") if isinstance(answer, dict) and isinstance(answer.get("id"), str) else None

    async def update(self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]) -> None:
        """PUT: replace an activity the bot sent (a card that was acted on)."""
        path = f"v3/conversations/{_part(conversation_id)}/activities/{_part(activity_id)}"
        await self._call("PUT", service_url, path, activity)

    async def member(self, service_url: str, conversation_id: str, member_id: str) -> dict[str, Any]:
        """GET one member of the conversation (Teams gives name, email and user principal name)."""
        path = f"v3/conversations/{_part(conversation_id)}/members/{_part(member_id)}"
        answer = await self._call("GET", service_url, path, None)
        return answer if isinstance(answer, dict) else {}

    async def _call(self, method: str, service_url: str, path: str, body: dict[str, Any] | None) -> Any:
        url = service_url.rstrip("/") + "/" + path
        headers = {"Accept": "application/json"}
        try:
            token = await self.token.get()
        except Exception as exc:
            raise TokenUnavailable(type(exc).__name__) from exc
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self.session().request(
            method,
            url,
            json=body,
            headers=headers,
            timeout=timeout_for(url, self.timeout),
            allow_redirects=False,
        ) as response:
            raw = await response.content.read(MAX_ANSWER_BYTES)
            if response.status >= 300:
                raise ConnectorError(response.status, response.headers.get("Retry-After"))
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None


def _part(value: str) -> str:
    """An id as one path segment (ids are checked at the front door, but never trusted in a URL)."""
    return quote(value, safe=":@")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
