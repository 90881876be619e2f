"""HTTP routes: the Bot Framework messages endpoint and the health checks (the same on both channels).

Bad requests are answered with a 4xx before the SDK sees them, logged in one line without any
content of the request, and leave the server serving the next one. Every check here is linear in the
size of the request; the body is read with a timeout, so a slow client holds only its own connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from ..assembly import Wellbeing
from ..storage import StorageUnavailable, Store
from . import shape
from .base import BadActivity, Channel
from .handler import NOT_SUPPORTED, WellbeingBot
from .messenger import Messenger
from .tokens import Unauthorized

log = logging.getLogger("bot.http")


@dataclass(frozen=True)
class Services:
    """What the routes need, built once storage and content are open."""

    channel: Channel
    handler: WellbeingBot
    bot: Wellbeing
    messenger: Messenger
    store: Store
    request_timeout: float = 15.0
    scheduler: Any = None  # the APScheduler scheduler (has `running`), started after the bot


SERVICES = web.AppKey("services", Services)
MAX_DEPTH = 32  # Teams activities nest a few levels; anything deeper is not one
MAX_NAME = 128  # display names are cut to this
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # in names: tabs and newlines just collapse
_EXPORT_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


def too_deep(body: Any) -> bool:
    """True when JSON nests deeper than MAX_DEPTH (checked without recursion)."""
    stack = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def safe_strings(node: Any) -> Any:
    """The same JSON with every string storable: a lone surrogate (which no file can hold) becomes '?'."""
    if isinstance(node, str):
        try:
            node.encode("utf-8")
            return node
        except UnicodeEncodeError:
            return node.encode("utf-8", "replace").decode("utf-8")
    if isinstance(node, dict):
        return {safe_strings(k): safe_strings(v) for k, v in node.items()}
    if isinstance(node, list):
        return [safe_strings(v) for v in node]
    return node


def clean_names(body: dict) -> None:
    """Make the people in an activity safe to store: names without control characters and not absurdly
    long (their types were checked by shape.problem)."""
    for owner in ("from", "recipient", "conversation"):
        name = body[owner].get("name")
        if name is not None:
            body[owner]["name"] = " ".join(_CONTROL.sub("", name).split())[:MAX_NAME]


def _reject(status: int, reason: str) -> web.Response:
    log.warning("request_rejected status=%d reason=%s", status, reason)
    return web.json_response({"error": reason}, status=status)


async def messages(request: web.Request) -> web.Response:
    """POST /api/messages: one activity from the Bot Connector service."""
    services = request.app[SERVICES]
    if request.content_type != "application/json":
        return _reject(415, "content_type_not_json")
    try:
        raw = await asyncio.wait_for(request.read(), services.request_timeout)
    except web.HTTPRequestEntityTooLarge:
        return _reject(413, "body_too_large")
    except TimeoutError:
        return _reject(408, "body_too_slow")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _reject(400, "malformed_json")
    if not isinstance(body, dict):
        return _reject(400, "not_an_activity")
    if too_deep(body):
        return _reject(400, "nested_too_deeply")
    body = safe_strings(body)
    bad_shape = shape.problem(body)
    if bad_shape:
        return _reject(400, bad_shape)
    clean_names(body)
    # A turn of the loop between reading a request and checking its token: under a flood of requests
    # arriving together, no one turn of the loop does all of both for all of them.
    await asyncio.sleep(0)
    try:
        invoke = await services.channel.process(
            body, request.headers.get("Authorization", ""), services.handler.on_turn
        )
    except BadActivity:
        if body.get("type") == "invoke":  # an invoke gets Teams' error answer, whatever the SDK could read
            log.warning("request_rejected status=400 reason=invalid_invoke")
            return web.json_response(NOT_SUPPORTED, status=400)
        return _reject(400, "invalid_activity")
    except Unauthorized as exc:
        log.warning("request_rejected status=401 reason=%s", exc)
        return web.json_response({"error": "unauthorized"}, status=401)
    if invoke is not None:
        status, body_out = invoke
        return web.json_response(body_out, status=status)
    return web.Response(status=201)


async def export(request: web.Request) -> web.Response:
    """GET /export/{token}: a worker's data as a JSON file; each link works once, for ten minutes."""
    services = request.app[SERVICES]
    token = request.match_info["token"]
    data = None
    if _EXPORT_TOKEN.fullmatch(token):  # anything else cannot be a token: storage is not even read
        data = await services.bot.rights.export_by_token(token)
    if data is None:
        log.warning("export_refused")
        return web.Response(text=services.bot.content().messages.privacy.export_refused, status=410)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return web.Response(
        text=body,
        content_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-wellbeing-data.json"', "Cache-Control": "no-store"},
    )


async def healthz(_request: web.Request) -> web.Response:
    """GET /healthz: the process is alive and serving HTTP."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """GET /readyz: the records can be written (the data folder, or the database) and the scheduler runs.
    Also says which storage engine this process uses, which content it serves, and how many damaged
    workers' files are set aside ("degraded", still 200: everyone else is served)."""
    services = request.app.get(SERVICES)
    if services is None:
        return web.json_response({"status": "not_ready", "checks": {"storage": False, "scheduler": False}}, status=503)
    name = "database" if services.store.kind == "postgresql" else "storage"
    checks = {
        name: await services.store.check_writable(),
        "scheduler": bool(services.scheduler is not None and services.scheduler.running),
    }
    ready = all(checks.values())
    try:
        set_aside = await services.store.quarantine.count()
    except StorageUnavailable:
        set_aside = 0  # the database check above already says why
    body = {
        # Degraded: serving everyone, but some worker's damaged data waits for an operator (a count, no ids).
        "status": ("degraded" if set_aside else "ready") if ready else "not_ready",
        "checks": checks,
        "set_aside": set_aside,
        "storage_engine": services.store.kind,
        # With several instances, each reads the content files itself: this shows they all serve the same.
        "content_version": services.bot.content.current.version,
    }
    return web.json_response(body, status=200 if ready else 503)


@web.middleware
async def error_middleware(request: web.Request, handler):
    """Any unexpected failure is a short 500 with a log line, never a traceback to the caller."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:  # noqa: BLE001
        log.error("request_failed path=%s error=%s", request.path, type(exc).__name__)
        return web.json_response({"error": "internal"}, status=500)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    # GET only: a HEAD (a link preview, a proxy's check) must never spend a one-time link.
    app.router.add_get("/export/{token}", export, allow_head=False)


class AccessLogger(AbstractAccessLogger):
    """One line per request without client addresses or secrets (download tokens are bearer links)."""

    def log(self, request, response, time):
        path = request.path
        if path.startswith("/export/"):
            path = "/export/<redacted>"
        self.logger.info("http %s %s %d %.1fms", request.method, path, response.status, time * 1000)
