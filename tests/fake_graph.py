"""A loopback fake of the Entra token endpoint and of the Microsoft Graph calls the bot makes: real HTTP,
every call recorded, and faults on demand (403 for a permission not granted, 404, 429 with Retry-After,
tokens that expire early, a rate limit like Teams' own).

Serve it with `await FakeGraph().start()`; its `url` is both GRAPH_URL and LOGIN_URL."""

from __future__ import annotations

import base64
import itertools
import json
import re
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

MANIFEST_ID = "0b5e3f2a-1c4d-4e6f-8a9b-0c1d2e3f4a5b"  # the bot's app id, as TEAMS_APP_ID defaults to it
CATALOGUE_ID = "7d4b2c1a-0000-4000-8000-00000000ca7a"
ALL_ROLES = ("User.ReadBasic.All", "TeamsAppInstallation.ReadWriteSelfForUser.All", "GroupMember.Read.All")
NEEDS = {
    "find_user": "User.ReadBasic.All",
    "list_installed": "TeamsAppInstallation.ReadWriteSelfForUser.All",
    "install": "TeamsAppInstallation.ReadWriteSelfForUser.All",
    "chat": "TeamsAppInstallation.ReadWriteSelfForUser.All",
    "members": "GroupMember.Read.All",
}


@dataclass
class GraphCall:
    operation: str
    method: str
    path: str
    query: str
    status: int
    at: float
    user: str = ""  # the Entra id the call was about, if any
    token: str = ""


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


def chat_id(user_id: str) -> str:
    return f"19:{user_id}_{MANIFEST_ID}@unq.gbl.spaces"


def fake_token(roles: tuple[str, ...], serial: int) -> str:
    """Shaped like an Entra access token (header.payload.signature) with a `roles` claim; never verified."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'roles': list(roles), 'n': serial})}.sig"


class FakeGraph:
    def __init__(self, tenant: str, *, page_size: int = 100):
        self.tenant = tenant
        self.page_size = page_size
        self.users: dict[str, str] = {}  # work email -> Entra object id
        self.installed: set[str] = set()  # Entra ids that have the app
        self.groups: dict[str, list[str]] = {}
        self.roles: tuple[str, ...] = ALL_ROLES
        self.expires_in = 3600
        self.calls: list[GraphCall] = []
        self.faults: dict[str, deque[Fault]] = {}
        self.on_install: Callable[[str], Awaitable[None]] | None = None  # Teams' install event, if a test sends it
        self.per_second: float | None = None  # like Teams' limit: more calls than this in a second get 429
        self.retry_after = "1"
        self._valid: set[str] = set()
        self._serial = itertools.count(1)
        self._window: deque[float] = deque()
        app = web.Application()
        app.router.add_post(f"/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_route("*", "/v1.0/{tail:.*}", self._graph)
        self._server = TestServer(app, host="127.0.0.1")

    async def start(self) -> FakeGraph:
        await self._server.start_server()
        return self

    async def close(self) -> None:
        await self._server.close()

    @property
    def url(self) -> str:
        return str(self._server.make_url("")).rstrip("/")

    # Set-up -----------------------------------------------------------------------------------------------

    def add_user(self, email: str, user_id: str | None = None, *, has_app: bool = False) -> str:
        user_id = (user_id or str(uuid.uuid4())).lower()
        self.users[email.lower()] = user_id
        if has_app:
            self.installed.add(user_id)
        return user_id

    def add_group(self, group_id: str, members: list[str]) -> None:
        self.groups[group_id] = members

    def fail(self, operation: str, status: int, times: int = 1, **headers: str) -> None:
        """Answer the next `times` calls of one operation with `status` (headers like Retry_After='2')."""
        fault = Fault(status, {k.replace("_", "-"): v for k, v in headers.items()})
        self.faults.setdefault(operation, deque()).extend(fault for _ in range(times))

    def expire_tokens(self) -> None:
        """Every token issued so far stops working at once (as one that expired or was revoked)."""
        self._valid.clear()

    # What was called --------------------------------------------------------------------------------------

    def of(self, operation: str, status: int | None = None) -> list[GraphCall]:
        return [c for c in self.calls if c.operation == operation and (status is None or c.status == status)]

    @property
    def token_requests(self) -> int:
        return len(self.of("token"))

    # Endpoints --------------------------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        assert form.get("grant_type") == "client_credentials" and form.get("client_secret"), "client credentials"
        assert str(form.get("scope")) == f"{self.url}/.default", form.get("scope")
        token = fake_token(self.roles, next(self._serial))
        self._valid.add(token)
        self.calls.append(GraphCall("token", "POST", request.path, "", 200, time.monotonic()))
        return web.json_response({"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token})

    def _operation(self, method: str, parts: list[str]) -> tuple[str, str]:
        if parts[0] == "users" and len(parts) == 1:
            return "find_user", ""
        if parts[0] == "groups":
            return "members", ""
        user = parts[1].lower() if len(parts) > 1 else ""
        if parts[-1] == "chat":
            return "chat", user
        if method == "POST":
            return "install", user
        return "list_installed", user

    async def _graph(self, request: web.Request) -> web.Response:
        parts = request.match_info["tail"].strip("/").split("/")
        operation, user = self._operation(request.method, parts)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        status, body, headers = await self._answer(request, operation, parts, user, token)
        self.calls.append(
            GraphCall(
                operation, request.method, request.path, request.query_string, status, time.monotonic(), user, token
            )
        )
        if status == 204:
            return web.Response(status=204)
        return web.json_response(body, status=status, headers=headers)

    async def _answer(
        self, request: web.Request, operation: str, parts: list[str], user: str, token: str
    ) -> tuple[int, Any, dict[str, str]]:
        error = {"error": {"code": "Fault", "message": "injected"}}
        if token not in self._valid:
            return 401, {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}, {}
        if self.per_second is not None:
            now = time.monotonic()
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= self.per_second:
                return 429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": self.retry_after}
            self._window.append(now)
        queued = self.faults.get(operation)
        if queued:
            fault = queued.popleft()
            return fault.status, error, fault.headers
        if NEEDS[operation] not in self.roles:
            return 403, {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}, {}
        query = request.query
        if operation == "find_user":
            wanted = re.findall(r"eq '((?:[^']|'')*)'", query.get("$filter", ""))
            emails = {w.replace("''", "'").lower() for w in wanted}
            found = [{"id": self.users[e]} for e in emails if e in self.users]
            return 200, {"value": found}, {}
        if operation == "members":
            members = self.groups.get(parts[1])
            if members is None:
                return 404, error, {}
            start = int(query.get("$skiptoken", "0"))
            page = members[start : start + self.page_size]
            body: dict[str, Any] = {"value": [{"id": m} for m in page]}
            if start + self.page_size < len(members):
                body["@odata.nextLink"] = f"{self.url}{request.path}?$select=id&$skiptoken={start + self.page_size}"
            return 200, body, {}
        if user not in self.users.values():
            return 404, error, {}
        if operation == "install":
            data = await request.json()
            assert data["teamsApp@odata.bind"].endswith(f"/appCatalogs/teamsApps/{CATALOGUE_ID}"), data
            if user in self.installed:
                return 409, {"error": {"code": "Conflict", "message": "App is already installed"}}, {}
            self.installed.add(user)
            if self.on_install is not None:
                await self.on_install(user)
            return 201, None, {}
        if operation == "chat":
            if user not in self.installed:
                return 404, error, {}
            return 200, {"id": chat_id(user)}, {}
        # list_installed, filtered by the manifest's id or the catalogue id
        filtered = query.get("$filter", "")
        ours = MANIFEST_ID in filtered or CATALOGUE_ID in filtered
        value = (
            [{"id": f"inst-{user}", "teamsApp": {"id": CATALOGUE_ID, "externalId": MANIFEST_ID}}]
            if user in self.installed and ours
            else []
        )
        return 200, {"value": value}, {}
