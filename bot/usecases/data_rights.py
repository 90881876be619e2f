"""The worker's rights over their data: see what is held, take a copy, erase it.

Every record about a worker lives in their own file. Other workers' files can mention them only
through a supervisor link; erasure removes or blanks those mentions too. All through the records.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..records import Records
from ..records.sharing import Consent, Link
from ..records.workers import is_pid
from ..rules import Schedule
from .links import ENDED_BY_OTHER
from .ports import Notice, Notices
from .schedules import Schedules

EXPORT_TTL = dt.timedelta(minutes=10)
CONFIRM_TTL = dt.timedelta(minutes=10)
EXPORT_FORMAT = "peer-wellbeing-export/2"
SUPERVISOR_LEFT = Notice("supervisor_left")
WORKER_LEFT = Notice("worker_left")  # the erased worker's name unknown: the words of a link simply ended


@dataclass(frozen=True)
class Held:
    """What the bot holds about a worker, in counts and dates (never scores)."""

    schedule: Schedule
    checkin_dates: list[str]
    link: Link | None
    consent: Consent
    requests_sent: int
    notes: int
    agenda: int
    plan_written: bool


@dataclass(frozen=True)
class Erasure:
    """What erasure did to other people: links they had with the erased worker were ended."""

    workers_told: tuple[str, ...] = ()  # pids of workers whose named person was erased
    supervisor_told: str | None = None  # pid of the erased worker's own named person
    name: str = ""  # the erased worker's name, which their named person already knows them by


class DataRights:
    def __init__(
        self,
        *,
        records: Records,
        schedules: Schedules,
        notices: Notices,
        clock: Clock,
        forget_schedule: Callable[[str], Awaitable[None]],
    ):
        self._records = records
        self._schedules = schedules
        self._notices = notices
        self._clock = clock
        self._forget_schedule = forget_schedule  # the prompting index drops an erased worker

    async def held(self, pid: str) -> Held:
        r = self._records
        sent = [q for q in await r.sharing.requests(pid) if q.status in ("sent", "acknowledged")]
        return Held(
            schedule=await self._schedules.of(pid),
            checkin_dates=[c.date for c in await r.checkins.list(pid)],
            link=await r.sharing.link(pid),
            consent=await r.sharing.consent(pid),
            requests_sent=len(sent),
            notes=len(await r.notes.all(pid)),
            agenda=len(await r.agenda.all(pid)),
            plan_written=not (await r.plans.get(pid)).empty,
        )

    # A copy of everything -----------------------------------------------------------------------------

    async def export(self, pid: str) -> dict[str, Any]:
        """All the worker's data, machine-readable, with the format documented in docs/privacy.md."""
        return {
            "format": EXPORT_FORMAT,
            "exported_at": self._clock.now().isoformat(),
            "worker_id": pid,
            "records": await self._records.files.everything(pid),
        }

    async def export_link(self, pid: str) -> str:
        """A single-use token for downloading the export, valid for ten minutes."""
        return await self._records.exports.issue(pid, self._clock.now(), EXPORT_TTL)

    async def export_by_token(self, token: str) -> dict[str, Any] | None:
        """The export for a valid, unused, unexpired download token; None otherwise."""
        pid = await self._records.exports.redeem(token, self._clock.now())
        return await self.export(pid) if pid else None

    # Erasure ------------------------------------------------------------------------------------------

    async def ask_to_erase(self, pid: str) -> str:
        """The confirmation token for "Yes, delete everything" (valid for ten minutes)."""
        nonce = secrets.token_urlsafe(12)
        await self._records.erasure_requests.ask(pid, nonce, self._clock.now() + CONFIRM_TTL)
        return nonce

    async def cancel_erase(self, pid: str) -> None:
        await self._records.erasure_requests.cancel(pid)

    async def confirm_erase(self, pid: str, nonce: object) -> Erasure | None:
        """Erase, if this is the worker's own, current confirmation; otherwise change nothing (None)."""
        pending = await self._records.erasure_requests.pending(pid)
        if (
            pending is None
            or not isinstance(nonce, str)
            or not secrets.compare_digest(pending[0], nonce)
            or pending[1] < self._clock.now()
        ):
            return None
        return await self.erase(pid)

    async def tell_others(self, erasure: Erasure) -> None:
        """The people whose link with the erased worker ended hear that it did (never why)."""
        for other in erasure.workers_told:
            worker = await self._records.workers.get(other)
            if worker and worker.installed:
                await self._notices.send(SUPERVISOR_LEFT, worker, in_turn=True)
        if erasure.supervisor_told:
            supervisor = await self._records.workers.get(erasure.supervisor_told)
            if supervisor and supervisor.installed:
                # The named person hears whose link ended, in the words used when a worker ends it (never why).
                if erasure.name:
                    await self._notices.send(ENDED_BY_OTHER, supervisor, in_turn=True, name=erasure.name)
                else:
                    await self._notices.send(WORKER_LEFT, supervisor, in_turn=True)

    async def erase(self, pid: str) -> Erasure:
        """Erase everything about the worker at once, keeping only a dated record that an erasure happened.

        Other people's files can mention them too (a link to them, a request, an audit line from an
        earlier link, a "people who named me" entry): every other worker's file is checked and each
        mention is removed or blanked, so no name, id or pseudonym of theirs is left anywhere."""
        r, now = self._records, self._clock.now()
        me = await r.workers.get(pid)
        name = me.name if me else ""
        link = await r.sharing.link(pid)
        # People with a link to or from them: the only files where an old entry may carry just their name.
        related = {e.worker_pid for e in await r.sharing.supervising(pid)}
        related |= {q.supervisor_pid for q in await r.sharing.requests(pid)}
        if link:
            related.add(link.supervisor_pid)
        told: list[str] = []
        for index, other in enumerate(await r.workers.all_pids()):
            if index % 100 == 0:
                await asyncio.sleep(0)  # a large Trust's files are checked without holding up other turns
            if other != pid and await r.sharing.forget(other, pid, name if other in related else "", now):
                told.append(other)
        supervisor = link.supervisor_pid if link and link.status == "active" and is_pid(link.supervisor_pid) else None
        await r.files.delete(pid)
        await self._forget_schedule(pid)
        await r.exports.drop_for(pid)
        await r.erasures.record(now.date())
        return Erasure(tuple(w for w in told if w != supervisor), supervisor, name)
