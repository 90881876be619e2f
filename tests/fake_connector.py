"""A loopback fake of the Bot Connector service: records every call and can answer with faults."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.card_schema import card_problems


@dataclass
class Call:
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    response_id: str | None = None

    @property
    def conversation_id(self) -> str:
        return self.path.split("/")[3]

    @property
    def text(self) -> str:
        return (self.body or {}).get("text") or ""

    @property
    def cards(self) -> list[dict]:
        return [
            a["content"]
            for a in (self.body or {}).get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def words(self) -> str:
        """Everything a person would read in this activity: text plus all card text blocks and buttons."""
        parts = [self.text]
        for card in self.cards:
            parts += _card_words(card)
        return "\n".join(p for p in parts if p)


def _card_words(node: Any) -> list[str]:
    if isinstance(node, dict):
        words = [node[k] for k in ("text", "title", "label") if isinstance(node.get(k), str)]
        for key, value in node.items():
            if key not in ("fallbackText",):
                words += _card_words(value) if isinstance(value, (dict, list)) else []
        return words
    if isinstance(node, list):
        return [w for item in node for w in _card_words(item)]
    return []


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class FakeConnector:
    """Start with `await connector.start()`; its `url` goes in the activities' serviceUrl."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: deque[Fault] = deque()
        self.members: dict[str, dict] = {}  # user id -> {"name", "email", "aad"} for member lookups
        self.hanging: set[str] = set()  # conversation ids whose requests hang until `release()`
        self._released = asyncio.Event()
        self.drops = 0  # the next N sends are read, then the connection is dropped without an answer
        self.conversation_faults: dict[str, deque[Fault]] = {}  # faults for one conversation only
        self._ids = itertools.count(1)
        self._server: TestServer | None = None
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._app = app

    async def start(self) -> FakeConnector:
        self._server = TestServer(self._app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def close(self) -> None:
        self.release()
        if self._server:
            await self._server.close()

    def fail_conversation(self, conversation_id: str, status: int, times: int = 1) -> None:
        """Answer the next `times` calls for one conversation with `status`."""
        self.conversation_faults.setdefault(conversation_id, deque()).extend(Fault(status) for _ in range(times))

    def hang(self, conversation_id: str) -> None:
        """Requests for this conversation get no answer until `release()` (a slow or stuck chat)."""
        self.hanging.add(conversation_id)
        self._released.clear()

    def release(self) -> None:
        self.hanging.clear()
        self._released.set()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the connector first"
        return str(self._server.make_url("/"))

    def fail_next(self, status: int, times: int = 1, **headers: str) -> None:
        """Answer the next `times` calls with `status` (and headers such as Retry_After='2')."""
        for _ in range(times):
            self.faults.append(Fault(status, {k.replace("_", "-"): v for k, v in headers.items()}))

    @property
    def sent(self) -> list[Call]:
        """Activities the bot sent (replies and proactive messages), in order."""
        return [c for c in self.calls if c.method == "POST" and "/activities" in c.path]

    def card_problems(self) -> list[str]:
        """Every card the bot sent, checked against the Adaptive Card schema and for unnamed inputs (after
        the test: checking inside the handler would slow the event loop the test is timing)."""
        seen: dict[str, list[str]] = {}
        for call in self.calls:
            for card in call.cards:
                key = json.dumps(card, sort_keys=True)
                if key not in seen:
                    seen[key] = card_problems(card)
        return [p for problems in seen.values() for p in problems]

    @property
    def updated(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT"]

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        self.calls.append(Call(request.method, request.path, body, dict(request.headers)))
        parts = request.path.split("/")
        if len(parts) > 3 and parts[3] in self.hanging:
            await self._released.wait()
        if self.drops and request.method == "POST" and "/activities" in request.path:
            self.drops -= 1
            if request.transport is not None:
                request.transport.abort()  # Teams took the message, then the connection went: no answer
            return web.Response(status=201)
        own = self.conversation_faults.get(parts[3]) if len(parts) > 3 else None
        if own:
            fault = own.popleft()
            return web.json_response({"error": {"code": "Fault", "message": "injected"}}, status=fault.status)
        if self.faults:
            fault = self.faults.popleft()
            error = {"error": {"code": "Fault", "message": "injected"}}
            return web.json_response(error, status=fault.status, headers=fault.headers)
        if request.method == "GET" and "/members/" in request.path:
            member = request.path.rsplit("/", 1)[1]
            person = self.members.get(member, {})
            return web.json_response(
                {
                    "id": member,
                    "name": person.get("name", "Member"),
                    "aadObjectId": person.get("aad", member),
                    "email": person.get("email"),
                    "userPrincipalName": person.get("email"),
                }
            )
        if request.method == "POST" and request.path.rstrip("/") == "/v3/conversations":
            return web.json_response({"id": f"conv-{next(self._ids)}"}, status=201)
        if request.method == "PUT":
            return web.json_response({"id": request.path.rsplit("/", 1)[1]}, status=200)
        self.calls[-1].response_id = f"act-{next(self._ids)}"
        return web.json_response({"id": self.calls[-1].response_id}, status=201)
