"""Microsoft Graph over aiohttp: the directory port (bot/usecases/directory.py) for Teams.

Only what naming a person and rolling the app out need, each with the least application permission that
works: find one user by exact work email (`User.ReadBasic.All`), install the app for a user and find their
chat with it (`TeamsAppInstallation.ReadWriteSelfForUser.All`), list a group's members for `admin install`
(`GroupMember.Read.All`). The app's catalogue id is read once from the installation of someone who already
has it, by the manifest's id, and cached: no `AppCatalog.Read.All` is needed.

- Tokens: the bot's own app registration, client credentials over plain HTTPS (`TokenSource`), cached
  until five minutes before they expire, one request at a time, with a timeout; a 401 from Graph drops
  the cached token and tries once more with a new one. Nothing here blocks the event loop.
- Pace: every call takes the next free moment from the store's pacer (shared by every process on
  PostgreSQL), at most `per_second` a second for the tenant (Teams' Graph limit is 30 a second per app
  per tenant for installedApps). A 429 or 503 is retried after its Retry-After, and while one call waits
  out a 429 every other Graph call waits too. A worker's turn never waits more than `TURN_BUDGET`
  seconds in all: past that the call gives up (DirectoryUnavailable) and the worker is asked to try later.
- 403 raises DirectoryRefused naming the permission that call needs; 404 on a user means no such user.
- Graph's own addresses (`@odata.nextLink`) are followed only on GRAPH_URL's own host, so the token is
  never sent anywhere else. No log line carries an email, an id or a name.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp

from ..clock import Clock
from ..storage.base import Pacer
from ..usecases.directory import (
    INSTALL_APP,
    READ_GROUP_MEMBERS,
    READ_USERS,
    DirectoryRefused,
    DirectoryUnavailable,
    Installed,
)
from .messenger import retry_after_seconds

log = logging.getLogger("bot.graph")
CALL_TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5, sock_read=10)
TOKEN_TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5, sock_read=10)
REFRESH_BEFORE_EXPIRY = 300.0  # seconds: a token is renewed this long before it expires
TURN_BUDGET = 8.0  # seconds of waiting (pace and Retry-After) a worker's turn allows in all
PATIENT_BUDGET = 600.0  # the same for background work (a group rollout)
MAX_ATTEMPTS = 5
RETRYABLE = {429, 500, 502, 503, 504}
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class Token:
    value: str
    expires_at: float  # on the clock's monotonic scale


class TokenSource:
    """The app's own token for Graph, by client credentials (the OAuth 2.0 token endpoint of the tenant)."""

    def __init__(
        self,
        session: Callable[[], aiohttp.ClientSession],
        *,
        login_url: str,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        scope: str,
        clock: Clock,
    ):
        self._session = session
        self._url = f"{login_url.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"
        self._form = {
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": scope,
            "grant_type": "client_credentials",
        }
        self._clock = clock
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self.fetched = 0

    async def get(self) -> str:
        """A token valid for a while yet: the cached one, or a new one (one request at a time)."""
        token = self._token
        if token is not None and self._clock.monotonic() < token.expires_at - REFRESH_BEFORE_EXPIRY:
            return token.value
        async with self._lock:
            token = self._token
            if token is not None and self._clock.monotonic() < token.expires_at - REFRESH_BEFORE_EXPIRY:
                return token.value
            self._token = await self._fetch()
            return self._token.value

    def drop(self, value: str) -> None:
        """Graph refused this token (expired or revoked early): the next call fetches a new one."""
        if self._token is not None and self._token.value == value:
            self._token = None

    async def _fetch(self) -> Token:
        started = self._clock.monotonic()
        try:
            async with self._session().post(self._url, data=self._form, timeout=TOKEN_TIMEOUT) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            log.warning("graph_token_failed error=%s", type(exc).__name__)
            raise DirectoryUnavailable(f"token: {type(exc).__name__}") from None
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            # Entra's error codes (AADSTS...) name what is wrong without any secret: log the code only.
            code = body.get("error") if isinstance(body, dict) else None
            log.warning("graph_token_refused status=%s error=%s", status, code)
            raise DirectoryUnavailable(f"token: {status}")
        self.fetched += 1
        expires_in = float(body.get("expires_in") or 3600)
        return Token(body["access_token"], started + expires_in)


def roles_of(token: str) -> frozenset[str] | None:
    """The application permissions (`roles`) an Entra access token carries, read from its payload (the
    token came straight from Entra over TLS; nothing is decided on it but what the admin report says)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return None
    roles = claims.get("roles") if isinstance(claims, dict) else None
    return frozenset(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else frozenset()


class _Budget:
    """How long one use-case call may still wait, in all."""

    def __init__(self, clock: Clock, seconds: float):
        self._clock = clock
        self._until = clock.monotonic() + seconds

    def allows(self, wait: float) -> bool:
        return self._clock.monotonic() + wait <= self._until


class GraphClient:
    """The directory (bot/usecases/directory.py) over Microsoft Graph v1.0."""

    def __init__(
        self,
        *,
        graph_url: str,
        tokens: TokenSource,
        session: Callable[[], aiohttp.ClientSession],
        manifest_id: str,
        tenant_id: str,
        clock: Clock,
        pacer: Pacer,
        per_second: float = 10.0,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
        close: Callable[[], Awaitable[None]] | None = None,
    ):
        self._close = close
        self._base = graph_url.rstrip("/") + "/v1.0"
        self._host = urlsplit(graph_url).netloc.lower()
        self._tokens = tokens
        self._session = session
        self._manifest_id = manifest_id
        self._tenant = tenant_id
        self._clock = clock
        self._gap = 1.0 / per_second
        self._pacer = pacer
        self._sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()
        self._catalogue_id: str | None = None
        self._catalogue_lock = asyncio.Lock()
        self._throttled_until = 0.0  # every Graph call waits while one waits out a 429
        self.calls = 0

    async def close(self) -> None:
        if self._close is not None:
            await self._close()

    # The directory port --------------------------------------------------------------------------------

    async def user_id(self, email: str) -> str | None:
        literal = email.replace("'", "''")
        query = f"$filter=mail eq '{literal}' or userPrincipalName eq '{literal}'&$select=id&$top=2"
        body = await self._call("GET", f"/users?{_encode(query)}", READ_USERS, "find_user", absent_ok=True)
        users = [u for u in (body or {}).get("value", []) if isinstance(u, dict) and isinstance(u.get("id"), str)]
        return users[0]["id"].lower() if len(users) == 1 else None  # two matches: not one person, ask again

    async def install(self, user_id: str, known_user: str, *, patient: bool = False) -> Installed:
        budget = _Budget(self._clock, PATIENT_BUDGET if patient else TURN_BUDGET)
        catalogue_id = await self._catalogue(known_user, budget)
        user = quote(user_id, safe="")
        bind = {"teamsApp@odata.bind": f"{self._base}/appCatalogs/teamsApps/{catalogue_id}"}
        status = await self._call(
            "POST",
            f"/users/{user}/teamwork/installedApps",
            INSTALL_APP,
            "install",
            body=bind,
            budget=budget,
            statuses=(201, 409),
        )
        already = status == 409
        mine = _encode(f"$expand=teamsApp&$filter=teamsApp/id eq '{catalogue_id}'")
        found = await self._call(
            "GET",
            f"/users/{user}/teamwork/installedApps?{mine}",
            INSTALL_APP,
            "find_installation",
            budget=budget,
        )
        installations = [i for i in (found or {}).get("value", []) if isinstance(i, dict) and i.get("id")]
        if not installations:
            raise DirectoryUnavailable("installation not listed yet")
        installation = quote(str(installations[0]["id"]), safe="")
        chat = await self._call(
            "GET", f"/users/{user}/teamwork/installedApps/{installation}/chat", INSTALL_APP, "find_chat", budget=budget
        )
        chat_id = (chat or {}).get("id")
        if not isinstance(chat_id, str) or not chat_id:
            raise DirectoryUnavailable("no chat id")
        return Installed(chat_id, already)

    async def group_members(self, group_id: str) -> AsyncIterator[list[str]]:
        url: str | None = f"/groups/{quote(group_id, safe='')}/members/microsoft.graph.user?$select=id&$top=999"
        while url:
            budget = _Budget(self._clock, PATIENT_BUDGET)
            body = await self._call("GET", url, READ_GROUP_MEMBERS, "group_members", budget=budget)
            page = body or {}
            yield [
                m["id"].lower() for m in page.get("value", []) if isinstance(m, dict) and isinstance(m.get("id"), str)
            ]
            link = page.get("@odata.nextLink")
            url = link if isinstance(link, str) and urlsplit(link).netloc.lower() == self._host else None

    async def granted(self) -> frozenset[str] | None:
        try:
            return roles_of(await self._tokens.get())
        except DirectoryUnavailable:
            return None

    # Calls ----------------------------------------------------------------------------------------------

    async def _catalogue(self, known_user: str, budget: _Budget) -> str:
        """The app's id in the organisation's catalogue, looked up once by the manifest's id, through the
        installation of someone who has the app (the worker asking, or the admin)."""
        if self._catalogue_id:
            return self._catalogue_id
        async with self._catalogue_lock:
            if self._catalogue_id:
                return self._catalogue_id
            literal = self._manifest_id.replace("'", "''")
            query = _encode(f"$expand=teamsApp&$filter=teamsApp/externalId eq '{literal}'")
            body = await self._call(
                "GET",
                f"/users/{quote(known_user, safe='')}/teamwork/installedApps?{query}",
                INSTALL_APP,
                "find_catalogue_id",
                budget=budget,
            )
            for item in (body or {}).get("value", []):
                app = item.get("teamsApp") if isinstance(item, dict) else None
                if isinstance(app, dict) and isinstance(app.get("id"), str) and app["id"]:
                    self._catalogue_id = app["id"]
                    log.info("graph_catalogue_id_found")
                    return app["id"]
            # The person asking has the app, so it is in the catalogue under another manifest id: TEAMS_APP_ID.
            log.error("graph_catalogue_id_missing hint=TEAMS_APP_ID must be the manifest id of the uploaded app")
            raise DirectoryUnavailable("catalogue id not found")

    async def _call(
        self,
        method: str,
        path: str,
        permission: str,
        operation: str,
        *,
        body: dict[str, Any] | None = None,
        budget: _Budget | None = None,
        statuses: tuple[int, ...] = (200,),
        absent_ok: bool = False,
    ) -> Any:
        """One Graph call: paced, with a token, a timeout and retries. Returns the JSON body (for 200) or the
        status (for the other expected statuses); None for a 404 when `absent_ok`."""
        budget = budget or _Budget(self._clock, TURN_BUDGET)
        url = path if path.startswith("https://") or path.startswith("http://") else self._base + path
        refreshed = False
        for attempt in range(1, MAX_ATTEMPTS + 1):
            await self._wait_turn(budget)
            token = await self._tokens.get()
            headers = {"Authorization": f"Bearer {token}"}
            started = self._clock.monotonic()
            self.calls += 1
            try:
                async with self._session().request(
                    method, url, json=body, headers=headers, timeout=CALL_TIMEOUT
                ) as response:
                    status = response.status
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                    answer = await response.json(content_type=None) if status == 200 else None
            except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                # Tried again: every call here reads, except the install, which answers 409 if it had arrived.
                log.warning("graph_call_failed operation=%s error=%s", operation, type(exc).__name__)
                status, retry_after, answer = None, None, None
            log.debug("graph_call operation=%s status=%s ms=%.0f", operation, status, self._ms(started))
            if status in statuses:
                return answer if status == 200 else status
            if status == 404 and absent_ok:
                return None
            if status == 404:
                raise DirectoryUnavailable(f"{operation}: 404")
            if status == 401 and not refreshed:
                self._tokens.drop(token)  # expired or revoked before its time: one more try with a new one
                refreshed = True
                continue
            if status == 403:
                raise DirectoryRefused(permission, operation)
            if (status is not None and status not in RETRYABLE) or attempt == MAX_ATTEMPTS:
                log.warning("graph_call_gave_up operation=%s status=%s attempts=%d", operation, status, attempt)
                raise DirectoryUnavailable(f"{operation}: {status}")
            delay = retry_after if retry_after is not None else self._rng.uniform(0.5, 1.0) * 2 ** (attempt - 1)
            if not budget.allows(delay):
                log.warning("graph_call_gave_up operation=%s status=%s wait_s=%.1f", operation, status, delay)
                raise DirectoryUnavailable(f"{operation}: would wait {delay:.0f}s")
            if status == 429:
                self._throttled_until = max(self._throttled_until, self._clock.monotonic() + delay)
                log.warning("graph_throttled operation=%s retry_after_s=%.1f", operation, delay)
            await self._sleep(delay)
        raise DirectoryUnavailable(operation)  # not reached: the last attempt returns or raises above

    async def _wait_turn(self, budget: _Budget) -> None:
        """Wait out a 429 another call is waiting on, then take the tenant's next free moment for Graph."""
        throttled = self._throttled_until - self._clock.monotonic()
        if throttled > 0:
            if not budget.allows(throttled):
                raise DirectoryUnavailable(f"throttled for {throttled:.0f}s")
            await self._sleep(throttled)
        key = f"graph|{self._tenant}"
        wait = await self._pacer.slot(key, key, self._gap, self._gap)
        if wait > 0:
            if not budget.allows(wait):
                raise DirectoryUnavailable(f"busy for {wait:.0f}s")
            await self._sleep(wait)

    def _ms(self, started: float) -> float:
        return (self._clock.monotonic() - started) * 1000


class Sessions:
    """One aiohttp session for Graph and the token endpoint, made on first use on the running loop."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def __call__(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _encode(query: str) -> str:
    """An OData query string, with its spaces and quotes percent-encoded (`$`, `=`, `&` and `/` kept)."""
    return quote(query, safe="$=&/,()")
