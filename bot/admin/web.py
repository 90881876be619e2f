"""The content page: `/admin/content` and the small JSON API behind it.

Anyone can open the page (it is the Teams app's "Content" tab); only the Entra ids in ADMIN_IDS can see
or change content through its API, everyone else gets a short explanation. Inside Teams every API request
carries the Teams single sign-on token (bot/admin/sso.py); in local mode (no MicrosoftAppId) the page
works without sign-in, for requests to a loopback address from a loopback address only, like `make
preview`. Every request that changes anything also passes the CSRF checks (bot/admin/csrf.py).

Every save and restore is written to the log with who (a handle, never a name), which file and which
version: never the text. Nothing here blocks the event loop: checks run on a worker thread, one at a time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import json
import logging
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from ..config import Settings, is_loopback
from ..content.editing import Checked, Checker, Gate, Loader, content_files, diff, is_content_file, meta_of, sign_off
from ..content.golive import placeholders
from ..content.problems import Problem
from ..content.source import ContentSource
from ..content.versions import Author, Busy, Conflict, ContentVersions, Current, Meta, Refused, Version
from . import csrf, preview
from .sso import Person, TeamsSignIn, Unauthorized

log = logging.getLogger("bot.admin")
STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 6 * 1024 * 1024  # a content file (at most 4 MB of text) in JSON
LOCAL = Person("local", "")
WHO_EDITS = (
    "Only the people your Trust has named as admins of this bot can see and change its words: usually the "
    "peer support lead, the communications officer and the Clinical Safety Officer who signs changes off. "
    "If you think you should be one, ask the team that runs the bot for your Trust to add you."
)
NO_TENANT = (
    "The content page needs MicrosoftAppTenantId (the Trust's Entra tenant) to check who is signed in. "
    "Ask the team that runs the bot to set it."
)
# Where Teams shows the tab from (the web, desktop and mobile clients frame it from these).
TEAMS_FRAMES = (
    "https://teams.microsoft.com https://*.teams.microsoft.com https://teams.cloud.microsoft https://*.office.com"
)


@dataclass
class AdminPage:
    """What the page's routes need, once content and storage are open."""

    settings: Settings
    source: ContentSource
    versions: ContentVersions
    checker: Checker
    tokens: csrf.CsrfTokens
    sign_in: TeamsSignIn | None
    live: bool  # a live site: the go-live gate refuses a save with placeholders
    scratch: Path  # the checker's own folder, removed by close()
    today: Callable[[], dt.date] = dt.date.today
    checking: asyncio.Semaphore = dataclasses.field(default_factory=lambda: asyncio.Semaphore(1))

    @property
    def local(self) -> bool:
        return not self.settings.auth_enabled

    def own_origins(self, request: web.Request) -> set[str]:
        """The page's own origin: PUBLIC_URL's, or in local mode the loopback address it was asked at."""
        if self.local:
            return {f"http://{request.host}".lower()}
        parts = urlsplit(self.settings.public_url)
        return {f"{parts.scheme}://{parts.netloc}".lower()}

    async def check(self, name: str, text: str) -> Checked:
        async with self.checking:
            return await asyncio.to_thread(self.checker.check, name, text)

    async def validate(self, name: str, text: str, folder: Path) -> list[Problem]:
        async with self.checking:
            return await asyncio.to_thread(self.checker.validate, name, text, folder)

    async def close(self) -> None:
        await asyncio.to_thread(shutil.rmtree, self.scratch, True)


ADMIN_PAGE = web.AppKey("admin_page", AdminPage)


def sign_in_for(settings: Settings, metadata_url: str | None = None) -> TeamsSignIn | None:
    """The token check for this deployment (None in local mode, or without a tenant to check against)."""
    if not settings.auth_enabled or not settings.tenant_id:
        return None
    domain = (urlsplit(settings.public_url).hostname or "").lower()
    return TeamsSignIn(settings.app_id, settings.tenant_id, domain, metadata_url)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin/content", page)
    app.router.add_get("/admin/static/{name}", static)
    app.router.add_get("/admin/api/session", session)
    app.router.add_get("/admin/api/file", open_file)
    app.router.add_get("/admin/api/version", version_text)
    app.router.add_post("/admin/api/check", check)
    app.router.add_post("/admin/api/prepare", prepare)
    app.router.add_post("/admin/api/save", save)


# The page itself and its files: the same for everyone (nothing in them is content).

_ASSETS = {"app.js": "text/javascript", "app.css": "text/css", "teams.js": "text/javascript"}


async def page(request: web.Request) -> web.Response:
    state = request.app[ADMIN_PAGE]
    if state.local and not _on_loopback(request):
        return web.Response(status=403, text="The content page answers only on this computer in local mode.")
    nonce = secrets.token_urlsafe(16)
    html = await asyncio.to_thread(_index)
    html = html.replace("%%MODE%%", "local" if state.local else "teams").replace("%%NONCE%%", nonce)
    return web.Response(text=html, content_type="text/html", headers=_page_headers(nonce, state.local))


@functools.cache
def _index() -> str:
    return (STATIC / "index.html").read_text(encoding="utf-8")


def _page_headers(nonce: str, local: bool) -> dict[str, str]:
    frames = "'self'" if local else f"'self' {TEAMS_FRAMES}"
    policy = (
        "default-src 'none'; "
        "script-src 'self'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {frames}"
    )
    return {
        "Content-Security-Policy": policy,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


async def static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    kind = _ASSETS.get(name)
    if kind is None or not (STATIC / name).is_file():
        raise web.HTTPNotFound()
    body = await asyncio.to_thread((STATIC / name).read_bytes)
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    return web.Response(body=body, content_type=kind, charset="utf-8", headers=headers)


# Who asks, and may they.


class Refusal(Exception):
    def __init__(self, status: int, error: str, message: str, reason: str = ""):
        super().__init__(error)
        self.response = web.json_response({"error": error, "message": message}, status=status)
        self.reason = reason or error


async def _who(request: web.Request) -> Person:
    """The admin making the request; Refusal (401/403) for anyone else."""
    state = request.app[ADMIN_PAGE]
    if state.local:
        if not _on_loopback(request):
            raise Refusal(403, "not_local", "In local mode the content page answers only on this computer.")
        return LOCAL
    if state.sign_in is None:
        raise Refusal(401, "no_tenant", NO_TENANT)
    try:
        person = await state.sign_in.person(request.headers.get("Authorization", ""))
    except Unauthorized as exc:
        raise Refusal(401, "sign_in", "Open this page from the bot's Content tab in Teams.", str(exc)) from None
    if person.object_id not in state.settings.admin_ids:
        raise Refusal(403, "not_admin", WHO_EDITS)
    return person


def _on_loopback(request: web.Request) -> bool:
    """A request from this computer, to this computer by a loopback name (a page on another site that
    renames itself to 127.0.0.1, DNS rebinding, still sends its own host name)."""
    host = urlsplit(f"//{request.host}").hostname or ""
    return is_loopback(request.remote or "") and is_loopback(host)


async def _change(request: web.Request) -> tuple[Person, dict[str, Any]]:
    """An admin's request to check or change content: signed in, not from another site, with its CSRF
    token, as JSON. Refusal otherwise."""
    person = await _who(request)
    state = request.app[ADMIN_PAGE]
    if csrf.cross_site(
        request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"), state.own_origins(request)
    ):
        raise Refusal(403, "cross_site", "This request came from another site.")
    if not state.tokens.valid(request.headers.get(csrf.HEADER, ""), person.object_id):
        raise Refusal(403, "csrf", "This page has been open too long. Reload it and try again.")
    if request.content_type != "application/json":
        raise Refusal(415, "not_json", "Requests must be JSON.")
    body = await _read_json(request, state.settings.request_timeout)
    return person, body


async def _read_json(request: web.Request, timeout: float) -> dict[str, Any]:
    """The body as a JSON object, read up to MAX_BODY_BYTES within the request timeout."""
    chunks, size = [], 0

    async def read() -> None:
        nonlocal size
        async for chunk in request.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise Refusal(413, "too_large", "That is larger than any content file can be.")
            chunks.append(chunk)

    try:
        await asyncio.wait_for(read(), timeout)
        body = json.loads(b"".join(chunks))
    except TimeoutError:
        raise Refusal(408, "too_slow", "The request took too long to arrive.") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Refusal(400, "malformed", "The request was not JSON.") from None
    if not isinstance(body, dict):
        raise Refusal(400, "malformed", "The request was not a JSON object.")
    return body


def refusals(handler: Callable[[web.Request], Any]) -> Callable[[web.Request], Any]:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except Refusal as refused:
            log.warning("admin_request_refused status=%d reason=%s", refused.response.status, refused.reason)
            return refused.response

    return wrapped


def _file_name(state: AdminPage, raw: Any) -> str:
    if not isinstance(raw, str) or not is_content_file(raw, state.versions.defaults):
        raise Refusal(404, "no_such_file", "There is no such content file.")
    return raw


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise Refusal(400, "no_text", "The request has no text.")
    return raw.replace("\r\n", "\n")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _approver(raw: Any) -> str:
    name = " ".join(_CONTROL.sub(" ", raw).split()) if isinstance(raw, str) else ""
    if not name or len(name) > 200:
        raise Refusal(400, "approved_by", "Say who approved this change (a name and role, up to 200 characters).")
    return name


# The API.


@refusals
async def session(request: web.Request) -> web.Response:
    """Who is signed in, their CSRF token, and the files (with what the go-live gate still marks)."""
    person = await _who(request)
    state = request.app[ADMIN_PAGE]
    marked: dict[str, int] = {}
    for problem in placeholders(state.source.current):
        marked[problem.file] = marked.get(problem.file, 0) + 1
    files = [{"name": name, "marks": marked.get(name, 0), "guard": name.startswith("crisis")} for name in _files(state)]
    return web.json_response(
        {
            "name": person.name,
            "local": state.local,
            "csrf": state.tokens.issue(person.object_id),
            "live": state.live,
            "storage": "database" if state.versions.shared else "files",
            "files": files,
        },
        headers={"Cache-Control": "no-store"},
    )


def _files(state: AdminPage) -> list[str]:
    return content_files(state.versions.defaults)


@refusals
async def open_file(request: web.Request) -> web.Response:
    """A file as served now, its history, and what the checker and the go-live gate say of it."""
    await _who(request)
    state = request.app[ADMIN_PAGE]
    name = _file_name(state, request.query.get("name"))
    current = await state.versions.current(name)
    checked = await state.check(name, current.text)
    history = await state.versions.history(name)
    body = {
        "name": name,
        "text": current.text,
        "sha": current.sha,
        "version": _version(current.version),
        "meta": meta_of(current.text),
        "history": [_version(v) for v in history],
        **await _checked(state, name, checked),
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


@refusals
async def version_text(request: web.Request) -> web.Response:
    await _who(request)
    state = request.app[ADMIN_PAGE]
    name = _file_name(state, request.query.get("name"))
    try:
        number = int(request.query.get("number", ""))
    except ValueError:
        raise Refusal(404, "no_such_version", "There is no such version.") from None
    text = await state.versions.text(name, number)
    if text is None:
        raise Refusal(404, "no_such_version", "There is no such version.")
    return web.json_response({"name": name, "number": number, "text": text}, headers={"Cache-Control": "no-store"})


@refusals
async def check(request: web.Request) -> web.Response:
    """The checker's problems for an edit as the admin types, its go-live marks, and what it changes."""
    _person, body = await _change(request)
    state = request.app[ADMIN_PAGE]
    name = _file_name(state, body.get("name"))
    checked = await state.check(name, _text(body.get("text")))
    return web.json_response(await _checked(state, name, checked))


async def _checked(state: AdminPage, name: str, checked: Checked) -> dict[str, Any]:
    """The problems, the go-live marks, and the cards the edit changes (built off the event loop: every card
    the bot sends, from both contents)."""
    shown = (
        await asyncio.to_thread(preview.affected, state.source.current, checked.content, name)
        if checked.content
        else None
    )
    return {
        "problems": [_problem(p) for p in checked.problems],
        "marks": [{"line": m.line, "text": m.text, "message": m.message} for m in checked.marks],
        "preview": shown,
    }


def _problem(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "message": problem.message, "text": str(problem)}


@refusals
async def prepare(request: web.Request) -> web.Response:
    """What a save (or a restore) would store: the text with its sign-off, and the diff from the file
    as served now. Nothing is saved."""
    _person, body = await _change(request)
    state = request.app[ADMIN_PAGE]
    name, current, text, restoring = await _candidate(state, body)
    signed = sign_off(
        text, _approver(body.get("approved_by")), state.today(), _meta_version(current), restoring=restoring
    )
    checked = await state.check(name, signed)
    return web.json_response(
        {
            "text": signed,
            "sha": current.sha,
            "changed": signed != current.text,
            "diff": await asyncio.to_thread(diff, current.text, signed),
            "problems": [_problem(p) for p in checked.problems],
        }
    )


@refusals
async def save(request: web.Request) -> web.Response:
    """Save an edit (or restore an earlier version) as the newest version: signed off, checked whole, and
    never over a version the admin did not start from."""
    person, body = await _change(request)
    state = request.app[ADMIN_PAGE]
    name, current, text, restoring = await _candidate(state, body)
    base = body.get("base")
    if not isinstance(base, str):
        raise Refusal(400, "no_base", "The request does not say which version the edit started from.")
    approver = _approver(body.get("approved_by"))
    signed = sign_off(text, approver, state.today(), _meta_version(current), restoring=restoring)
    if signed == current.text:
        raise Refusal(400, "unchanged", "Nothing has changed: there is nothing to save.")
    meta = meta_of(signed)
    record = Meta(
        approved_by=meta.get("approved_by", approver),
        approved_on=meta.get("approved_on", ""),
        meta_version=meta.get("version", ""),
        action="restored" if restoring else "saved",
        restored_from=body.get("restore") if restoring else None,
    )
    author = Author(person.name or ("local" if state.local else ""), person.object_id)
    event = "content_restore" if restoring else "content_save"
    try:
        version = await state.versions.save(name, signed, base, author, record, state.validate)
    except Conflict as exc:
        log.warning("%s_conflict file=%s admin=%s", event, name, author.handle)
        return web.json_response(await _conflict(state, name, base, signed, exc.current), status=409)
    except Refused as exc:
        log.warning("%s_refused file=%s admin=%s problems=%d", event, name, author.handle, len(exc.problems))
        return web.json_response({"error": "problems", "problems": [_problem(p) for p in exc.problems]}, status=422)
    except Busy:
        return web.json_response(
            {"error": "busy", "message": "Other changes were being saved at the same moment. Try again."}, status=503
        )
    live = await state.source.reload()
    log.info(
        "%sd file=%s number=%d version=%s admin=%s%s",
        event,
        name,
        version.number,
        version.meta_version,
        author.handle,
        f" restored_from={version.restored_from}" if restoring else "",
    )
    return web.json_response(
        {
            "version": _version(version),
            "sha": version.sha,
            "text": signed,
            "live": live,
            "content": state.source.current.version,
        }
    )


async def _candidate(state: AdminPage, body: dict[str, Any]) -> tuple[str, Current, str, bool]:
    """The file, how it is now, and the text to store: the admin's edit, or an earlier version to restore."""
    name = _file_name(state, body.get("name"))
    current = await state.versions.current(name)
    restore = body.get("restore")
    if restore is None:
        return name, current, _text(body.get("text")), False
    if not isinstance(restore, int) or isinstance(restore, bool):
        raise Refusal(404, "no_such_version", "There is no such version.")
    text = await state.versions.text(name, restore)
    if text is None:
        raise Refusal(404, "no_such_version", "There is no such version.")
    return name, current, text, True


def _meta_version(current: Current) -> str | None:
    return meta_of(current.text).get("version")


async def _conflict(state: AdminPage, name: str, base: str, mine: str, current: Current) -> dict[str, Any]:
    """What the second of two admins saving one file is told: who saved meanwhile, what they changed, and
    how the file now differs from their own edit (which stays in the editor, unsaved)."""
    history = await state.versions.history(name)
    started = next((v for v in history if v.sha == base), None)
    started_text = await state.versions.text(name, started.number) if started else None
    by = current.version.saved_by if current.version and current.version.saved_by else "someone"
    when = current.version.saved_at if current.version else ""
    return {
        "error": "conflict",
        "message": (
            f"{by} saved a new version of {name} while you were editing it, so your change was not saved "
            "(nothing was overwritten). Below is what they changed. Your edit is still in the editor: "
            "start again from their version and make your change there."
        ),
        "current": {"text": current.text, "sha": current.sha, "version": _version(current.version), "at": when},
        "theirs": await asyncio.to_thread(diff, started_text, current.text) if started_text is not None else None,
        "yours": await asyncio.to_thread(diff, current.text, mine),
    }


def _version(version: Version | None) -> dict[str, Any] | None:
    if version is None:
        return None
    shown = dataclasses.asdict(version)
    shown.pop("text_id")
    return shown


def make_admin_page(
    settings: Settings,
    source: ContentSource,
    versions: ContentVersions,
    *,
    secret: str,
    scratch: Path,
    load: Loader,
    gate: Gate | None,
    metadata_url: str | None = None,
) -> AdminPage:
    """The page's state for an app (the composition root calls this once content and storage are open)."""
    checker = Checker(versions.folder, load, gate=gate, scratch=scratch)
    return AdminPage(
        settings=settings,
        source=source,
        versions=versions,
        checker=checker,
        tokens=csrf.CsrfTokens(secret),
        sign_in=sign_in_for(settings, metadata_url),
        live=gate is not None,
        scratch=scratch,
    )
