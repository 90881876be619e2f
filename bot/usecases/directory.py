"""Reaching a named person through the organisation's directory (Microsoft Graph), even before they have
the app: find them by the exact work email the worker typed, install the app for them, and send the
invitation in the chat that install opens.

The directory is read only to resolve the one email typed: no browsing, no partial search, and nothing
read from it is kept beyond what a named person's record holds anyway (their Entra id, the email the
worker typed, and how to reach their chat). Their display name is never read: the worker sees the email
they typed until the person answers.

`Directory` is the port (bot/teams/graph.py implements it over Microsoft Graph); `Invitations` is the
use-case; `DirectoryStatus` is what the admin report says about it (a permission that is missing).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..clock import Clock
from ..records.workers import Worker, WorkerRepository
from .links import Links, Nominated
from .outcome import Outcome

log = logging.getLogger("bot.directory")

# The application permissions each call needs (the least that work), as Entra names them.
READ_USERS = "User.ReadBasic.All"
INSTALL_APP = "TeamsAppInstallation.ReadWriteSelfForUser.All"
READ_GROUP_MEMBERS = "GroupMember.Read.All"
NEEDED = (READ_USERS, INSTALL_APP)  # to name anyone by email; READ_GROUP_MEMBERS only for `admin install`

Invited = Nominated | Literal["no_permission", "directory_unavailable"]
# A work email as typed: one @, no spaces or quotes that could change a directory query.
EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def is_email(text: str) -> bool:
    return len(text) <= 254 and bool(EMAIL.match(text))


class DirectoryRefused(Exception):
    """The directory answered 403: the app lacks an application permission (named, for the admin)."""

    def __init__(self, permission: str, operation: str):
        super().__init__(f"{permission} missing for {operation}")
        self.permission = permission
        self.operation = operation


class DirectoryUnavailable(Exception):
    """The directory could not be reached, kept failing, or asked to wait longer than the caller can."""


@dataclass(frozen=True)
class Installed:
    """The app is installed for the person (by us now, or they had it): the id of their chat with it."""

    chat_id: str
    already: bool


class Directory(Protocol):
    """What the use-cases need from the directory. `patient`: background work that may wait out long
    throttling; a worker's turn never waits more than a few seconds."""

    async def user_id(self, email: str) -> str | None:
        """The Entra object id of the one user whose work email (or sign-in name) is exactly `email`."""

    async def install(self, user_id: str, known_user: str, *, patient: bool = False) -> Installed:
        """Install the app for the user (409: they had it) and find their chat with it. `known_user`: the
        Entra id of someone who has the app, to look up its catalogue id the first time."""

    def group_members(self, group_id: str) -> AsyncIterator[list[str]]:
        """The Entra object ids of a group's user members, a page at a time."""

    async def granted(self) -> frozenset[str] | None:
        """The application permissions the app's token carries (None: no token could be had)."""


@dataclass
class DirectoryStatus:
    """What the admin report says about the directory: permissions found missing (by a 403, or absent from
    the app's token), and when. Kept in memory: each process finds out for itself within one call."""

    clock: Clock
    missing: dict[str, str] = field(default_factory=dict)  # permission -> when it was found missing (ISO)

    def refused(self, error: DirectoryRefused) -> None:
        if error.permission not in self.missing:
            self.missing[error.permission] = self.clock.now().isoformat(timespec="minutes")
        log.warning("graph_permission_missing permission=%s operation=%s", error.permission, error.operation)

    def seen(self, granted: frozenset[str] | None) -> None:
        """The permissions the token carries: a granted one is no longer reported missing."""
        if granted is None:
            return
        for permission in list(self.missing):
            if permission in granted:
                del self.missing[permission]
        for permission in (*NEEDED, READ_GROUP_MEMBERS):
            if permission not in granted and permission not in self.missing:
                self.missing[permission] = self.clock.now().isoformat(timespec="minutes")
                log.warning("graph_permission_missing permission=%s operation=token", permission)


def chat_reference(asker: Worker, chat_id: str, user_id: str) -> dict[str, Any]:
    """How to reach a person's chat with the app, from the chat id the directory gave and the Bot Connector
    address of someone in the same organisation (Teams serves a tenant from one address)."""
    known = asker.conversation_reference
    return {
        "bot": known.get("bot", {}),
        "user": {"id": "", "aadObjectId": user_id},
        "conversation": {"id": chat_id, "conversationType": "personal", "tenantId": asker.tenant_id},
        "channelId": known.get("channelId", "msteams"),
        "serviceUrl": known.get("serviceUrl", ""),
    }


class Invitations:
    """Name a person by exact work email when the bot does not know them yet."""

    def __init__(
        self,
        *,
        directory: Directory,
        status: DirectoryStatus,
        workers: WorkerRepository,
        links: Links,
        clock: Clock,
    ):
        self._directory = directory
        self.status = status
        self._workers = workers
        self._links = links
        self._clock = clock

    async def invite(self, pid: str, email: str, role: str) -> Outcome[Invited]:
        """Find the person the email names; when they do not have the app, install it for them and ask them
        in the chat that opens. The worker's words name them by the email typed, never by the directory."""
        email = email.strip().lower()
        me = await self._workers.get(pid)
        if me is None or not is_email(email):
            return Outcome("unknown")
        try:
            user_id = await self._directory.user_id(email)
            if user_id is None:
                return Outcome("unknown")
            target_pid = self._workers.pid_of(me.tenant_id, user_id)
            if target_pid == pid:
                return Outcome("self")
            target = await self._workers.get(target_pid)
            if target is not None and target.installed and not target.unreachable:
                return _widen(await self._links.nominate(pid, target_pid, role, shown_name=email))
            await self._workers.expect(target_pid, me.tenant_id, user_id, email, self._clock.now())
            installed = await self._directory.install(user_id, me.aad_object_id)
        except DirectoryRefused as error:
            self.status.refused(error)
            return Outcome("no_permission")
        except DirectoryUnavailable as error:
            log.warning("graph_unavailable operation=invite error=%s", error)
            return Outcome("directory_unavailable")
        await self._workers.reached(target_pid, chat_reference(me, installed.chat_id, user_id))
        log.info("graph_invited already_had_app=%s", installed.already)
        return _widen(await self._links.nominate(pid, target_pid, role, shown_name=email, invited=True))

    async def check(self) -> None:
        """At start-up: which permissions the app's token carries, so the admin report can name a missing one
        before anyone is refused."""
        self.status.seen(await self._directory.granted())


def _widen(outcome: Outcome[Nominated]) -> Outcome[Invited]:
    return Outcome(outcome.status, outcome.name, outcome.request)
