"""Requests to a named supervisor after repeated low check-ins (section 4 of the product brief).

Nothing about a worker reaches anyone unless, at the moment of sending, there is an accepted and
current link to that person, sharing consent for that very link, and no pause (`may_send_request`).
The supervisor only ever receives the request (no scores, trends or labels, only the worker's own note
if they added one) and reminders the worker asked for.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from ..clock import Clock
from ..content.views import Scoring
from ..outbox import Delivery
from ..records.sharing import AuditEntry, Consent, Link, Request, RequestStatus, SharingRecords
from ..records.workers import WorkerRepository, is_pid
from ..rules import add_working_days, band, is_paused, may_send_request, request_decision
from .consent import Consents
from .links import entry
from .outcome import Outcome
from .ports import Notice, Notices, Processes
from .rule_settings import low_level, request_rule
from .schedules import Schedules

MAX_NOTE = 280
AfterCheckin = Literal[
    "none",
    "preview",
    "sent_auto",
    "sending",
    "undelivered",
    "blocked",
    "already_answered",
    "not_for_you",
    "suggest_name",
    "suggest_sharing",
    "held_pending",
    "held_reconfirm",
]
Sent = Literal["sent", "sending", "undelivered", "blocked", "already_answered", "not_for_you"]
Settled = Literal["sent", "undelivered"]
Closed = Literal["not_now", "stopped", "already_answered"]
Acknowledged = Literal["acknowledged", "already_acknowledged", "already_answered", "not_for_you"]
Nudged = Literal["nudged", "undelivered", "blocked", "already_nudged", "already_answered"]

REQUEST = Notice("request", card="request")
UNDELIVERED = Notice("request_undelivered", ("name",))
ACKNOWLEDGED = Notice("request_acknowledged", ("name",))
NO_ANSWER = Notice("request_no_answer", card="no_answer")


def _last(requests: list[Request], statuses: tuple[RequestStatus, ...], field: str) -> dt.datetime | None:
    """When the latest request in one of `statuses` was sent (or declined): cool-offs run from then."""
    times = [getattr(r, field) for r in requests if r.status in statuses and getattr(r, field)]
    return dt.datetime.fromisoformat(max(times)) if times else None


def _allowed(link: Link | None, consent: Consent, paused: bool, now: dt.datetime) -> bool:
    return may_send_request(
        link.status if link else None,
        link.reconfirm_due_at() if link else None,
        consent.on,
        bool(link and consent.link_id == link.id),
        paused,
        now,
    )


class Requests:
    def __init__(
        self,
        *,
        workers: WorkerRepository,
        sharing: SharingRecords,
        checkins,
        schedules: Schedules,
        consents: Consents,
        notices: Notices,
        content: Callable[[], Scoring],
        clock: Clock,
        processes: Processes | None = None,
    ):
        self._processes = processes or Processes()
        self._workers = workers
        self._sharing = sharing
        self._checkins = checkins
        self._schedules = schedules
        self._consents = consents
        self._notices = notices
        self._content = content
        self._clock = clock

    async def sent(self, pid: str) -> list[Request]:
        """Requests that reached the supervisor."""
        return [r for r in await self._sharing.requests(pid) if r.status in ("sent", "acknowledged")]

    async def after_checkin(self, pid: str) -> Outcome[AfterCheckin]:
        """Run the rule after a completed check-in. The worker always hears first; what they hear
        follows their real state."""
        content, now = self._content(), self._clock.now()
        schedule = await self._schedules.stored(pid)
        paused = bool(schedule and is_paused(schedule, now))
        low = low_level(content, schedule)
        main = content.rules.checkin.instrument
        completed = [
            (dt.date.fromisoformat(c.date), band(c.total, low, content.rules.thresholds.very_low))
            for c in await self._checkins.list(pid)
            if c.instrument == main
        ]
        requests = await self._sharing.requests(pid)
        link, consent = await self._sharing.link(pid), await self._sharing.consent(pid)
        allowed = _allowed(link, consent, paused, now)
        today = schedule.local(now).date() if schedule else now.date()
        decision = request_decision(
            completed,
            today,
            now,
            consent.mode if allowed else "ask",
            _last(requests, ("sent", "acknowledged"), "sent_at"),
            _last(requests, ("not_now",), "closed_at"),
            paused,
            request_rule(content),
        )
        if decision == "none":
            return Outcome("none")
        if not allowed or link is None:
            return await self._held(pid, link, consent, now)
        for old in requests:
            if old.status == "offered":
                await self._sharing.update_request(
                    pid, old.id, ("offered",), status="lapsed", closed_at=now.isoformat()
                )
        request = Request(
            secrets.token_urlsafe(9),
            link.id,
            link.supervisor_pid,
            "offered",
            now.isoformat(),
            very_low=completed[-1][1] == "very_low",
        )
        await self._sharing.add_request(pid, request)
        if decision == "send":
            sent = await self.send(pid, request.id, "", automatic=True)
            return Outcome("sent_auto" if sent.status == "sent" else sent.status, link.supervisor_name, sent.request)
        return Outcome("preview", link.supervisor_name, request)

    async def _held(self, pid: str, link: Link | None, consent: Consent, now: dt.datetime) -> Outcome[AfterCheckin]:
        """The rule fired but nothing can be sent: say why when the worker chose sharing; suggest
        naming someone (or turning sharing on) at most once ever, never again after that."""
        name = link.supervisor_name if link else ""
        if link and link.status == "pending":
            return Outcome("held_pending", name)
        if link and link.status == "active" and consent.on and consent.link_id == link.id:
            due = link.reconfirm_due_at()
            if due and now >= due:
                return Outcome("held_reconfirm", name)
            return Outcome("none")  # paused: pausing pauses everything, and the worker knows they paused
        prefs = await self._sharing.prefs(pid)
        if prefs.suggested_at or prefs.no_suggestions:
            return Outcome("none")
        await self._sharing.save_prefs(pid, replace(prefs, suggested_at=now.isoformat()))
        if link and link.status == "active":
            return Outcome("suggest_sharing", name)
        return Outcome("suggest_name")

    async def send(self, pid: str, request_id: str, note: str, *, automatic: bool = False) -> Outcome[Sent]:
        """Send an offered request, checking every condition again now; a double click sends once, and
        never a second request within the cool-off of one sent."""
        now = self._clock.now()
        link, consent = await self._sharing.link(pid), await self._sharing.consent(pid)
        schedule = await self._schedules.stored(pid)
        paused = bool(schedule and is_paused(schedule, now))
        requests = await self._sharing.requests(pid)
        request = next((r for r in requests if r.id == request_id), None)
        if request is None:
            return Outcome("not_for_you")
        if request.status != "offered":
            return Outcome("already_answered")
        if link is None or not _allowed(link, consent, paused, now) or link.id != request.link_id:
            return Outcome("blocked")
        last_sent = _last(requests, ("sent", "acknowledged", "sending"), "sent_at")
        if last_sent and now < last_sent + request_rule(self._content()).cool_off:
            return Outcome("already_answered")
        # Claim the request before sending: a second click finds it taken.
        claimed = await self._sharing.update_request(
            pid,
            request_id,
            ("offered",),
            status="sending",
            note=note.strip()[:MAX_NOTE],
            sent_at=now.isoformat(),
            automatic=automatic,
            owner=self._processes.me,
        )
        if claimed is None:
            return Outcome("already_answered")
        worker, supervisor = await self._workers.get(pid), await self._workers.get(link.supervisor_pid)

        async def settle(delivery: Delivery, late: bool = True) -> Outcome[Sent]:
            settled = await self._request_settled(pid, request_id, link, automatic, delivery, late)
            return Outcome(settled.status, settled.name, settled.request)

        if worker is None or supervisor is None or not supervisor.installed or supervisor.unreachable:
            return await settle(Delivery("unreachable"), late=False)
        delivery = await self._notices.send(
            REQUEST, supervisor, in_turn=True, on_late=settle, worker=worker, request=claimed
        )
        if delivery.pending:
            return Outcome("sending", link.supervisor_name, claimed)  # the worker hears if it finally fails
        return await settle(delivery, late=False)

    async def _request_settled(
        self, pid: str, request_id: str, link: Link, automatic: bool, delivery: Delivery, late: bool
    ) -> Outcome[Settled]:
        """Record how a request went; if it finally failed after the worker was told it was on its way, tell them."""
        now = self._clock.now()
        status: Settled = "sent" if delivery.delivered else "undelivered"
        event = f"request_{status}" + ("_auto" if automatic and delivery.delivered else "")
        # Delivered: the time it was claimed stays its sent time (the cool-off runs from it); else none.
        changes = (
            {"status": "sent"}
            if delivery.delivered
            else {"status": status, "sent_at": None, "closed_at": now.isoformat()}
        )
        updated = await self._sharing.update_request(pid, request_id, ("sending",), entry(now, event, link), **changes)
        worker = await self._workers.get(pid)
        if late and not delivery.delivered and worker and worker.installed:
            await self._notices.send(UNDELIVERED, worker, name=link.supervisor_name)
        return Outcome(status, link.supervisor_name, updated)

    async def not_now(self, pid: str, request_id: str, *, stop: bool = False) -> Outcome[Closed]:
        now = self._clock.now()
        updated = await self._sharing.update_request(
            pid, request_id, ("offered",), status="stopped" if stop else "not_now", closed_at=now.isoformat()
        )
        if updated is None:
            return Outcome("already_answered")
        if stop:
            await self._consents.turn_off(pid)
        return Outcome("stopped" if stop else "not_now")

    async def acknowledge(self, presser_pid: str, worker_pid: str, request_id: str) -> Outcome[Acknowledged]:
        """'I've been in touch', only from the person the request was sent to, only once."""
        requests = await self._sharing.requests(worker_pid) if is_pid(worker_pid) else []
        request = next((r for r in requests if r.id == request_id), None)
        if request is None or request.supervisor_pid != presser_pid:
            return Outcome("not_for_you")
        now = self._clock.now()
        link = await self._sharing.link(worker_pid)
        name = link.supervisor_name if link else ""
        audit = (
            entry(now, "request_acknowledged", link) if link else AuditEntry(now.isoformat(), "request_acknowledged")
        )
        updated = await self._sharing.update_request(
            worker_pid, request_id, ("sent",), audit, status="acknowledged", acknowledged_at=now.isoformat()
        )
        if updated is None:
            return Outcome("already_acknowledged" if request.status == "acknowledged" else "already_answered")
        worker = await self._workers.get(worker_pid)
        if worker:
            await self._notices.send(ACKNOWLEDGED, worker, in_turn=True, name=name)
        return Outcome("acknowledged", name)

    async def nudge(self, pid: str, request_id: str) -> Outcome[Nudged]:
        """The worker (never the bot on its own) reminds the supervisor once."""
        now = self._clock.now()
        link = await self._sharing.link(pid)
        request = next((r for r in await self._sharing.requests(pid) if r.id == request_id), None)
        if request is not None and request.nudged and link is not None:
            return Outcome("already_nudged", link.supervisor_name)
        if request is None or request.status != "sent" or link is None or link.id != request.link_id:
            return Outcome("already_answered")
        if link.status != "active":
            return Outcome("blocked")
        supervisor, worker = await self._workers.get(link.supervisor_pid), await self._workers.get(pid)
        await self._sharing.update_request(pid, request_id, ("sent",), entry(now, "request_nudged", link), nudged=True)
        if supervisor is None or worker is None:
            return Outcome("undelivered", link.supervisor_name)

        async def tell_if_failed(delivery: Delivery) -> None:
            if not delivery.delivered:
                await self._notices.send(UNDELIVERED, worker, name=link.supervisor_name)

        delivery = await self._notices.send(
            REQUEST, supervisor, in_turn=True, on_late=tell_if_failed, worker=worker, request=request, nudge=True
        )
        return Outcome("nudged" if delivery.delivered or delivery.pending else "undelivered", link.supervisor_name)

    async def offer_nudges(self, now: dt.datetime) -> None:
        """Timed work (hourly): offer the worker a nudge when a request is unacknowledged after the
        working days in rules.yaml. Never re-routes anything on its own."""
        days = self._content().rules.supervisor.acknowledge_within_working_days
        for index, pid in enumerate(await self._workers.all_pids()):
            if index % 100 == 0:
                await asyncio.sleep(0)  # reads come from memory: yield so a big Trust never stalls the loop
            waiting = [
                r
                for r in await self._sharing.requests(pid)
                if r.status == "sent"
                and not r.follow_up_offered
                and r.sent_at
                and now >= add_working_days(dt.datetime.fromisoformat(r.sent_at), days)
            ]
            link = await self._sharing.link(pid) if waiting else None
            worker = await self._workers.get(pid) if link else None
            if link is None or worker is None or not worker.installed or worker.unreachable:
                continue
            for request in waiting:
                await self._sharing.update_request(pid, request.id, ("sent",), follow_up_offered=True)
                await self._notices.send(NO_ANSWER, worker, link=link, request=request)

    async def recover(self) -> int:
        """At start-up and hourly, whatever their age: a request that was being sent by a process that has
        stopped is recorded as undelivered and the worker is told (it is not re-sent: it may have arrived)."""
        now, count = self._clock.now(), 0
        for pid in await self._workers.all_pids():
            for request in await self._sharing.requests(pid):
                if request.status != "sending" or await self._processes.running(request.owner):
                    continue
                link = await self._sharing.link(pid)
                audit = (
                    entry(now, "request_undelivered", link)
                    if link
                    else AuditEntry(now.isoformat(), "request_undelivered")
                )
                await self._sharing.update_request(
                    pid, request.id, ("sending",), audit, status="undelivered", sent_at=None, closed_at=now.isoformat()
                )
                worker = await self._workers.get(pid)
                if worker and worker.installed:
                    await self._notices.send(
                        UNDELIVERED, worker, in_turn=True, name=link.supervisor_name if link else ""
                    )
                count += 1
        return count
