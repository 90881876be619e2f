"""A worker's named supervisor: finding them, asking them, their answer, ending and re-confirming.

A link must be accepted by the named person before anything can ever be sent to them (see requests.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from ..clock import Clock
from ..content.views import Rules
from ..outbox import Delivery
from ..records.sharing import AuditEntry, Link, SharingRecords, Supervising, as_role, with_status
from ..records.workers import Worker, WorkerRepository, is_pid
from ..rules import add_months
from .outcome import Outcome
from .ports import Notice, Notices, Processes

Nominated = Literal[
    "asked", "self", "unknown", "declined_before", "already_asked", "already_linked", "limit", "unreachable"
]
Answered = Literal["accepted", "declined", "already_answered", "no_longer_open", "not_for_you"]
Ended = Literal["ended", "no_link", "not_for_you"]
Kept = Literal["kept", "no_link"]

NOMINATION = Notice("nomination", card="nomination")
# To someone the app was just installed for through the directory (bot/usecases/directory.py): the nomination
# card, opening with who asked and that nothing about them is shared unless they accept.
INVITATION = Notice("invitation", ("name",), card="nomination", lead=True)
UNDELIVERED = Notice("nomination_undelivered", ("name",))
ACCEPTED = Notice("link_accepted", ("name",))
DECLINED = Notice("link_declined", ("name",))
ENDED_BY_OTHER = Notice("link_ended_by_other", ("name",))
RECONFIRM = Notice("link_reconfirm", card="reconfirm")


def entry(now: dt.datetime, event: str, link: Link, detail: str = "") -> AuditEntry:
    """An audit entry about a link: the other person's name as it is now, their id, and the link."""
    return AuditEntry(now.isoformat(), event, link.supervisor_name, detail, link.id, link.supervisor_pid)


class Links:
    def __init__(
        self,
        *,
        workers: WorkerRepository,
        sharing: SharingRecords,
        notices: Notices,
        content: Callable[[], Rules],
        clock: Clock,
        processes: Processes | None = None,
    ):
        self._processes = processes or Processes()
        self._workers = workers
        self._sharing = sharing
        self._notices = notices
        self._content = content
        self._clock = clock

    async def of(self, pid: str) -> Link | None:
        """The worker's current or last link."""
        return await self._sharing.link(pid)

    async def history(self, pid: str) -> list[AuditEntry]:
        """The worker's own record of who has seen what, oldest first."""
        return await self._sharing.audit(pid)

    async def name_of(self, pid: str) -> str:
        """A worker's display name, as Teams last gave it."""
        worker = await self._workers.get(pid)
        return worker.name if worker else ""

    async def find(self, pid: str, query: str) -> list[Worker]:
        me = await self._workers.get(pid)
        return [w for w in await self._workers.find(me.tenant_id, query) if w.pid != pid] if me else []

    async def is_me(self, pid: str, query: str) -> bool:
        """Whether what the worker typed is their own email or name."""
        me = await self._workers.get(pid)
        wanted = query.strip().lower()
        return bool(me and wanted and (me.email == wanted or me.name.lower() == wanted))

    async def supervising(self, pid: str) -> list[Supervising]:
        """For a supervisor: the live links of people who named them."""
        return [e for e in await self._sharing.supervising(pid) if e.status in ("pending", "active")]

    async def nominate(
        self, pid: str, target_pid: str, role: str, *, shown_name: str = "", invited: bool = False
    ) -> Outcome[Nominated]:
        """Ask a person to be the worker's named supervisor; they must accept before anything can be sent.
        `shown_name`: how the worker named them, when that is all the worker may see (an email typed for the
        directory); `invited`: the app was just installed for them, so the card says first who asked."""
        now = self._clock.now()
        me = await self._workers.get(pid)
        if target_pid == pid:
            return Outcome("self")
        if not is_pid(target_pid):
            return Outcome("unknown")
        target = await self._workers.get(target_pid)
        if me is None or target is None or not target.installed or target.tenant_id != me.tenant_id:
            return Outcome("unknown")
        name = shown_name or target.name
        previous = await self._sharing.link(pid)
        if previous and previous.supervisor_pid == target_pid and previous.status == "declined":
            return Outcome("declined_before", previous.supervisor_name)
        if previous and previous.supervisor_pid == target_pid and previous.status in ("pending", "active"):
            status: Nominated = "already_asked" if previous.status == "pending" else "already_linked"
            return Outcome(status, previous.supervisor_name)
        since = (now - dt.timedelta(days=1)).isoformat()
        asked_today = [e for e in await self._sharing.audit(pid) if e.event == "nominated" and e.at >= since]
        if len(asked_today) >= self._content().rules.supervisor.nominations_per_day:
            return Outcome("limit", name)
        if previous and previous.status in ("pending", "active"):
            await self.end(pid, by_worker=True)
        link = Link(
            secrets.token_urlsafe(9),
            target_pid,
            name,
            as_role(role),
            "pending",
            now.isoformat(),
            card_sent=False,
            owner=self._processes.me,
        )
        await self._sharing.save_link(pid, link, entry(now, "nominated", link))
        await self._sharing.set_supervising(target_pid, Supervising(link.id, pid, me.name, link.role, "pending"))

        async def settle(delivery: Delivery, late: bool = True) -> Outcome[Nominated]:
            return await self._nomination_settled(pid, me, link, delivery, late)

        # Just installed for them through the directory: the card first says who asked, and that nothing is shared yet.
        if invited:
            delivery = await self._notices.send(INVITATION, target, on_late=settle, worker=me, link=link, name=me.name)
        else:
            delivery = await self._notices.send(NOMINATION, target, on_late=settle, worker=me, link=link)
        if delivery.pending:
            return Outcome("asked", name)  # still being delivered; the worker hears if it fails
        return await settle(delivery, late=False)

    async def _nomination_settled(
        self, pid: str, me: Worker, link: Link, delivery: Delivery, late: bool
    ) -> Outcome[Nominated]:
        """Record that the nomination card arrived, or end the link (and tell the worker, if they were
        already told it was on its way)."""
        current = await self._sharing.link(pid)
        if current is None or current.id != link.id:
            return Outcome("asked", link.supervisor_name)
        if delivery.delivered:
            await self._sharing.save_link(pid, replace(current, card_sent=True))
            return Outcome("asked", link.supervisor_name)
        await self._unreachable(pid, me, current, late)
        return Outcome("unreachable", link.supervisor_name)

    async def _unreachable(self, pid: str, me: Worker | None, link: Link, tell: bool) -> None:
        now = self._clock.now()
        await self._sharing.save_link(pid, with_status(link, "ended", now))
        await self._sharing.set_supervising(
            link.supervisor_pid, Supervising(link.id, pid, me.name if me else "", link.role, "ended")
        )
        if tell and me is not None and me.installed:
            await self._notices.send(UNDELIVERED, me, name=link.supervisor_name)

    async def answer(self, presser_pid: str, worker_pid: str, link_id: str, accept: bool) -> Outcome[Answered]:
        """The named person accepts or declines; only they can, and only once."""
        link = await self._sharing.link(worker_pid) if is_pid(worker_pid) else None
        if link is None or link.id != link_id or link.supervisor_pid != presser_pid:
            # It was for them once, if they were named in that very link: it has since changed or ended.
            named = [e for e in await self._sharing.supervising(presser_pid) if e.link_id == link_id]
            return Outcome("no_longer_open", named[0].worker_name) if named else Outcome("not_for_you")
        if link.status == "ended":
            return Outcome("no_longer_open", await self.name_of(worker_pid))
        if link.status != "pending":
            return Outcome("already_answered")
        now = self._clock.now()
        worker = await self._workers.get(worker_pid)
        if accept:
            updated = replace(
                link, status="active", accepted_at=now.isoformat(), reconfirm_due=self._reconfirm_due(now).isoformat()
            )
        else:
            updated = with_status(link, "declined", now)
        await self._sharing.save_link(worker_pid, updated, entry(now, "accepted" if accept else "declined", link))
        await self._sharing.set_supervising(
            presser_pid, Supervising(link.id, worker_pid, worker.name if worker else "", link.role, updated.status)
        )
        if worker:
            await self._notices.send(ACCEPTED if accept else DECLINED, worker, in_turn=True, name=link.supervisor_name)
        return Outcome("accepted" if accept else "declined", worker.name if worker else "")

    async def end(self, pid: str, *, by_worker: bool, presser_pid: str | None = None) -> Outcome[Ended]:
        """Either side ends the link; sharing for it stops at once; the other side is told."""
        link = await self._sharing.link(pid) if is_pid(pid) else None
        if link is None or link.status not in ("pending", "active"):
            return Outcome("no_link")
        if not by_worker and link.supervisor_pid != presser_pid:
            return Outcome("not_for_you")
        now = self._clock.now()
        worker = await self._workers.get(pid)
        await self._sharing.save_link(pid, with_status(link, "ended", now), entry(now, "ended", link))
        await self._sharing.set_supervising(
            link.supervisor_pid, Supervising(link.id, pid, worker.name if worker else "", link.role, "ended")
        )
        other = await self._workers.get(link.supervisor_pid) if by_worker else worker
        other_name = worker.name if by_worker and worker else link.supervisor_name
        if other and link.status == "active":
            await self._notices.send(ENDED_BY_OTHER, other, in_turn=True, name=other_name)
        return Outcome("ended", link.supervisor_name)

    async def keep(self, pid: str) -> Outcome[Kept]:
        """The worker confirms their named person when asked (every `reconfirm_after_months`)."""
        link = await self._sharing.link(pid)
        if link is None or link.status != "active":
            return Outcome("no_link")
        now = self._clock.now()
        await self._sharing.save_link(
            pid,
            replace(link, reconfirm_due=self._reconfirm_due(now).isoformat(), reconfirm_asked=False),
            entry(now, "kept", link),
        )
        return Outcome("kept", link.supervisor_name)

    def _reconfirm_due(self, now: dt.datetime) -> dt.datetime:
        return add_months(now, self._content().rules.supervisor.reconfirm_after_months)

    async def ask_to_reconfirm(self, now: dt.datetime) -> None:
        """Timed work (hourly): ask a worker to re-confirm their named person once the link is due for it."""
        for index, pid in enumerate(await self._workers.all_pids()):
            if index % 100 == 0:
                await asyncio.sleep(0)  # reads come from memory: yield so a big Trust never stalls the loop
            link = await self._sharing.link(pid)
            due = link.reconfirm_due_at() if link else None
            if link is None or link.status != "active" or link.reconfirm_asked or due is None or now < due:
                continue
            worker = await self._workers.get(pid)
            if worker is None or not worker.installed or worker.unreachable:
                continue
            await self._sharing.save_link(pid, replace(link, reconfirm_asked=True))
            await self._notices.send(RECONFIRM, worker, link=link)

    async def recover(self) -> int:
        """At start-up and hourly, whatever their age: a nomination whose card was never confirmed, by a
        process that has stopped, ends, and the worker is told (it is not re-sent: it may have arrived)."""
        count = 0
        for pid in await self._workers.all_pids():
            link = await self._sharing.link(pid)
            if (
                link
                and link.status == "pending"
                and not link.card_sent
                and not await self._processes.running(link.owner)
            ):
                await self._unreachable(pid, await self._workers.get(pid), link, tell=True)
                count += 1
        return count
