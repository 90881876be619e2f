"""Consent-first requests to a named supervisor (section 4 of the product brief is the contract).

Nothing about a worker reaches anyone unless, at the moment of sending, there is an accepted and
current link to that person, sharing consent for that very link, and no pause (`may_send_request`).
The supervisor only ever receives: the nomination, the request (no scores, trends or labels, only the
worker's own note if they added one), reminders the worker asked for, and word that a link ended.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, replace
from typing import Callable

from . import cards
from .clock import Clock
from .content import Content
from .messenger import Delivery, Messenger, Outgoing
from .repositories import CheckinRepository, Worker, WorkerRepository, is_pid
from .rules import (RequestRule, Schedule, add_months, add_working_days, band, is_paused, may_send_request,
                    request_decision)
from .schedule_store import ScheduleRepository
from .sharing_store import AuditEntry, Consent, Link, Request, SharingPrefs, SharingStore, Supervising, with_status

ROLES = ("peer_supervisor", "clinical_supervisor", "line_manager", "other")
MAX_NOTE = 280


def request_rule(content: Content) -> RequestRule:
    r = content.rules
    return RequestRule(consecutive=r.repeated_low.consecutive, within=r.repeated_low.within,
                       of_last=r.repeated_low.of_last, every_days=r.repeated_low.counted_every_days,
                       window_days=r.repeated_low.window_weeks * 7, cool_off=dt.timedelta(days=r.cool_off_days))


def low_level(content: Content, schedule: Schedule | None) -> int:
    """What "low" is for this worker: their own level if they chose one, else the Trust's."""
    return (schedule.low_threshold if schedule and schedule.low_threshold else content.rules.thresholds.low)


def consent_terms(content: Content, schedule: Schedule | None, name: str) -> str:
    """Exactly when a request can go to `name`, in plain words generated from rules.yaml."""
    r = content.rules
    return content.text("sharing.consent_terms", name=name, count=str(r.repeated_low.consecutive),
                        within=str(r.repeated_low.within), of_last=str(r.repeated_low.of_last),
                        days=str(r.repeated_low.counted_every_days), weeks=str(r.repeated_low.window_weeks),
                        low=str(low_level(content, schedule)),
                        cool_off_weeks=str(round(r.cool_off_days / 7)))


@dataclass(frozen=True)
class Outcome:
    status: str
    name: str = ""
    request: Request | None = None
    matches: tuple[Worker, ...] = ()


class SharingService:
    def __init__(self, *, workers: WorkerRepository, store: SharingStore, checkins: CheckinRepository,
                 schedules: ScheduleRepository, messenger: Messenger | None, content: Callable[[], Content],
                 clock: Clock):
        self._workers = workers
        self._store = store
        self._checkins = checkins
        self._schedules = schedules
        self._messenger = messenger
        self._content = content
        self._clock = clock

    # Naming a supervisor ------------------------------------------------------------------------------

    async def find(self, pid: str, query: str) -> list[Worker]:
        me = await self._workers.get(pid)
        return [w for w in await self._workers.find(me.tenant_id, query) if w.pid != pid] if me else []

    async def nominate(self, pid: str, target_pid: str, role: str) -> Outcome:
        """Ask a person to be the worker's named supervisor; they must accept before anything can be sent."""
        now = self._clock.now()
        me = await self._workers.get(pid)
        if role not in ROLES:
            role = "other"
        if target_pid == pid:
            return Outcome("self")
        if not is_pid(target_pid):
            return Outcome("unknown")
        target = await self._workers.get(target_pid)
        if me is None or target is None or not target.installed or target.tenant_id != me.tenant_id:
            return Outcome("unknown")
        previous = await self._store.link(pid)
        if previous and previous.supervisor_pid == target_pid and previous.status == "declined":
            return Outcome("declined_before", target.name)
        if previous and previous.supervisor_pid == target_pid and previous.status in ("pending", "active"):
            return Outcome("already_asked" if previous.status == "pending" else "already_linked", target.name)
        since = (now - dt.timedelta(days=1)).isoformat()
        asked_today = [e for e in await self._store.audit(pid) if e.event == "nominated" and e.at >= since]
        if len(asked_today) >= self._content().rules.supervisor.nominations_per_day:
            return Outcome("limit", target.name)
        if previous and previous.status in ("pending", "active"):
            await self.end_link(pid, by_worker=True)
        link = Link(secrets.token_urlsafe(9), target_pid, target.name, role, "pending", now.isoformat(),
                    card_sent=False)
        await self._store.save_link(pid, link, self._entry(now, "nominated", link))
        await self._store.set_supervising(target_pid, Supervising(link.id, pid, me.name, role, "pending"))

        async def settle(delivery: Delivery, late: bool = True) -> Outcome:
            return await self._nomination_settled(pid, me, link, delivery, late)

        delivery = await self._messenger.deliver(target, [Outgoing(card=self._nomination_card(me, link))], settle)
        if delivery.pending:
            return Outcome("asked", target.name)  # still being delivered; the worker hears if it fails
        return await settle(delivery, late=False)

    async def _nomination_settled(self, pid: str, me: Worker, link: Link, delivery: Delivery, late: bool) -> Outcome:
        """Record that the nomination card arrived, or end the link (and tell the worker, if they were
        already told it was on its way)."""
        current = await self._store.link(pid)
        if current is None or current.id != link.id:
            return Outcome("asked", link.supervisor_name)
        if delivery.delivered:
            await self._store.save_link(pid, replace(current, card_sent=True))
            return Outcome("asked", link.supervisor_name)
        await self._unreachable(pid, me, current, late)
        return Outcome("unreachable", link.supervisor_name)

    async def _unreachable(self, pid: str, me: Worker | None, link: Link, tell: bool) -> None:
        now = self._clock.now()
        await self._store.save_link(pid, with_status(link, "ended", now))
        await self._store.set_supervising(link.supervisor_pid, Supervising(link.id, pid, me.name if me else "",
                                                                           link.role, "ended"))
        if tell and me is not None and me.installed:
            text = self._content().text("sharing.nomination_undelivered", name=link.supervisor_name)
            await self._messenger.send(me, [Outgoing(text=text)])

    async def answer(self, presser_pid: str, worker_pid: str, link_id: str, accept: bool) -> Outcome:
        """The named person accepts or declines; only they can, and only once."""
        link = await self._store.link(worker_pid) if is_pid(worker_pid) else None
        if link is None or link.id != link_id or link.supervisor_pid != presser_pid:
            return Outcome("not_for_you")
        if link.status != "pending":
            return Outcome("already_answered")
        now = self._clock.now()
        worker = await self._workers.get(worker_pid)
        if accept:
            updated = replace(link, status="active", accepted_at=now.isoformat(),
                              reconfirm_due=self._reconfirm_due(now).isoformat())
        else:
            updated = with_status(link, "declined", now)
        event = "accepted" if accept else "declined"
        await self._store.save_link(worker_pid, updated, self._entry(now, event, link))
        await self._store.set_supervising(presser_pid, Supervising(link.id, worker_pid, worker.name if worker else "",
                                                                   link.role, updated.status))
        m = self._content()
        key = "sharing.accepted" if accept else "sharing.declined"
        if worker:
            await self._messenger.deliver(worker, [Outgoing(text=m.text(key, name=link.supervisor_name))])
        return Outcome("accepted" if accept else "declined", worker.name if worker else "")

    async def end_link(self, pid: str, *, by_worker: bool, presser_pid: str | None = None) -> Outcome:
        """Either side ends the link; sharing for it stops at once; the other side is told."""
        link = await self._store.link(pid) if is_pid(pid) else None
        if link is None or link.status not in ("pending", "active"):
            return Outcome("no_link")
        if not by_worker and link.supervisor_pid != presser_pid:
            return Outcome("not_for_you")
        now = self._clock.now()
        worker = await self._workers.get(pid)
        await self._store.save_link(pid, with_status(link, "ended", now), self._entry(now, "ended", link))
        await self._store.set_supervising(link.supervisor_pid, Supervising(link.id, pid, worker.name if worker else "",
                                                                           link.role, "ended"))
        content = self._content()
        other = await self._workers.get(link.supervisor_pid) if by_worker else worker
        other_name = (worker.name if by_worker and worker else link.supervisor_name)
        if other and link.status == "active":
            await self._messenger.deliver(other, [Outgoing(text=content.text("sharing.link_ended_by_other",
                                                                             name=other_name))])
        return Outcome("ended", link.supervisor_name)

    async def keep_link(self, pid: str) -> Outcome:
        """The worker confirms their named person when asked (every `reconfirm_after_months`)."""
        link = await self._store.link(pid)
        if link is None or link.status != "active":
            return Outcome("no_link")
        now = self._clock.now()
        await self._store.save_link(pid, replace(link, reconfirm_due=self._reconfirm_due(now).isoformat(),
                                                 reconfirm_asked=False), self._entry(now, "kept", link))
        return Outcome("kept", link.supervisor_name)

    def _reconfirm_due(self, now: dt.datetime) -> dt.datetime:
        return add_months(now, self._content().rules.supervisor.reconfirm_after_months)

    # Consent --------------------------------------------------------------------------------------------

    async def consent_wording(self, pid: str, mode: str) -> tuple[str, str]:
        """What the worker agrees to for `mode`: the rule in plain words, naming the person, and the
        exact request they would receive. Returns (wording, version)."""
        content = self._content()
        link, me = await self._store.link(pid), await self._workers.get(pid)
        name = link.supervisor_name if link else ""
        m = content.messages.sharing
        request = content.text("sharing.supervisor_request", worker=me.name if me else "",
                               days=str(content.rules.supervisor.acknowledge_within_working_days))
        terms = consent_terms(content, await self._schedules.get(pid), name)
        how = m.mode_auto if mode == "auto" else m.mode_ask
        wording = "\n".join([f"{m.mode_label} {how}", terms, request])
        digest = hashlib.sha256(wording.encode()).hexdigest()[:12]
        return wording, f"{content.messages.meta.version}/{digest}"

    async def consent_on(self, pid: str, mode: str) -> Outcome:
        link = await self._store.link(pid)
        if link is None or link.status != "active":
            return Outcome("no_link")
        now = self._clock.now()
        mode = "auto" if mode == "auto" else "ask"
        wording, version = await self.consent_wording(pid, mode)
        consent = Consent(True, mode, link.id, version, wording, now.isoformat())
        await self._store.save_consent(pid, consent, self._entry(now, "consent_on", link, detail=mode))
        return Outcome("on", link.supervisor_name)

    async def consent_off(self, pid: str) -> Outcome:
        consent = await self._store.consent(pid)
        if not consent.on:
            return Outcome("already_off")
        now = self._clock.now()
        link = await self._store.link(pid)
        entry = AuditEntry(now.isoformat(), "consent_off", link=consent.link_id or "",
                           who_pid=link.supervisor_pid if link and link.id == consent.link_id else "")
        await self._store.save_consent(pid, replace(consent, on=False, withdrawn_at=now.isoformat()), entry)
        return Outcome("off")

    async def no_suggestions(self, pid: str) -> None:
        """The worker pressed "Don't suggest this again"."""
        prefs = await self._store.prefs(pid)
        await self._store.save_prefs(pid, replace(prefs, no_suggestions=True))

    # The rule and the request ---------------------------------------------------------------------------

    async def after_checkin(self, pid: str) -> Outcome:
        """Run the rule after a completed check-in. The worker always hears first; what they hear
        follows their real state. Outcomes: none, preview, sent_auto, undelivered, suggest_name,
        suggest_sharing, held_pending, held_reconfirm."""
        content, now = self._content(), self._clock.now()
        schedule = await self._schedules.get(pid)
        paused = bool(schedule and is_paused(schedule, now))
        t = content.rules.thresholds
        low = low_level(content, schedule)
        main = content.rules.checkin.instrument
        completed = [(dt.date.fromisoformat(c.date), band(c.total, low, t.very_low))
                     for c in await self._checkins.list(pid) if c.instrument == main]
        requests = await self._store.requests(pid)
        link, consent = await self._store.link(pid), await self._store.consent(pid)
        allowed = self._allowed(link, consent, paused, now)
        today = schedule.local(now).date() if schedule else now.date()
        decision = request_decision(completed, today, now, consent.mode if allowed else "ask",
                                    self._last(requests, ("sent", "acknowledged"), "sent_at"),
                                    self._last(requests, ("not_now",), "closed_at"), paused, request_rule(content))
        if decision == "none":
            return Outcome("none")
        if not allowed:
            return await self._held(pid, link, consent, now)
        for old in requests:
            if old.status == "offered":
                await self._store.update_request(pid, old.id, ("offered",), status="lapsed", closed_at=now.isoformat())
        request = Request(secrets.token_urlsafe(9), link.id, link.supervisor_pid, "offered", now.isoformat(),
                          very_low=completed[-1][1] == "very_low")
        await self._store.add_request(pid, request)
        if decision == "send":
            sent = await self.send(pid, request.id, "", automatic=True)
            return Outcome("sent_auto" if sent.status == "sent" else sent.status, link.supervisor_name, sent.request)
        return Outcome("preview", link.supervisor_name, request)

    async def _held(self, pid: str, link: Link | None, consent: Consent, now: dt.datetime) -> Outcome:
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
        prefs = await self._store.prefs(pid)
        if prefs.suggested_at or prefs.no_suggestions:
            return Outcome("none")
        await self._store.save_prefs(pid, replace(prefs, suggested_at=now.isoformat()))
        if link and link.status == "active":
            return Outcome("suggest_sharing", name)
        return Outcome("suggest_name")

    async def send(self, pid: str, request_id: str, note: str, *, automatic: bool = False) -> Outcome:
        """Send an offered request, checking every condition again now; a double click sends once, and
        never a second request within the cool-off of one sent."""
        now = self._clock.now()
        link, consent = await self._store.link(pid), await self._store.consent(pid)
        schedule = await self._schedules.get(pid)
        paused = bool(schedule and is_paused(schedule, now))
        requests = await self._store.requests(pid)
        request = next((r for r in requests if r.id == request_id), None)
        if request is None:
            return Outcome("not_for_you")
        if request.status != "offered":
            return Outcome("already_answered")
        if not self._allowed(link, consent, paused, now) or link.id != request.link_id:
            return Outcome("blocked")
        last_sent = self._last(requests, ("sent", "acknowledged", "sending"), "sent_at")
        if last_sent and now < last_sent + request_rule(self._content()).cool_off:
            return Outcome("already_answered")
        # Claim the request before sending: a second click finds it taken.
        claimed = await self._store.update_request(pid, request_id, ("offered",), status="sending",
                                                   note=note.strip()[:MAX_NOTE], sent_at=now.isoformat(),
                                                   automatic=automatic)
        if claimed is None:
            return Outcome("already_answered")
        worker, supervisor = await self._workers.get(pid), await self._workers.get(link.supervisor_pid)

        async def settle(delivery: Delivery, late: bool = True) -> Outcome:
            return await self._request_settled(pid, request_id, link, automatic, delivery, late)

        if supervisor is None or not supervisor.installed or supervisor.unreachable:
            return await settle(Delivery("unreachable"), late=False)
        card = self.request_card(self._content(), worker.name, claimed.note, pid, request_id)
        delivery = await self._messenger.deliver(supervisor, [Outgoing(card=card)], settle)
        if delivery.pending:
            return Outcome("sending", link.supervisor_name, claimed)  # the worker hears if it finally fails
        return await settle(delivery, late=False)

    async def _request_settled(self, pid: str, request_id: str, link: Link, automatic: bool, delivery: Delivery,
                               late: bool) -> Outcome:
        """Record how a request went; if it finally failed after the worker was told it was on its way, tell them."""
        now = self._clock.now()
        status = "sent" if delivery.delivered else "undelivered"
        event = f"request_{status}" + ("_auto" if automatic and delivery.delivered else "")
        # Delivered: the time it was claimed stays its sent time (the cool-off runs from it); else none.
        changes = {"status": "sent"} if delivery.delivered else {"status": status, "sent_at": None,
                                                                 "closed_at": now.isoformat()}
        updated = await self._store.update_request(pid, request_id, ("sending",), self._entry(now, event, link),
                                                   **changes)
        worker = await self._workers.get(pid)
        if late and not delivery.delivered and worker and worker.installed:
            text = self._content().text("sharing.undelivered", name=link.supervisor_name)
            await self._messenger.send(worker, [Outgoing(text=text)])
        return Outcome(status, link.supervisor_name, updated)

    async def not_now(self, pid: str, request_id: str, *, stop: bool = False) -> Outcome:
        now = self._clock.now()
        updated = await self._store.update_request(pid, request_id, ("offered",), status="stopped" if stop else "not_now",
                                                   closed_at=now.isoformat())
        if updated is None:
            return Outcome("already_answered")
        if stop:
            await self.consent_off(pid)
        return Outcome("stopped" if stop else "not_now")

    async def acknowledge(self, presser_pid: str, worker_pid: str, request_id: str) -> Outcome:
        """'I've been in touch', only from the person the request was sent to, only once."""
        requests = await self._store.requests(worker_pid) if is_pid(worker_pid) else []
        request = next((r for r in requests if r.id == request_id), None)
        if request is None or request.supervisor_pid != presser_pid:
            return Outcome("not_for_you")
        now = self._clock.now()
        link = await self._store.link(worker_pid)
        name = link.supervisor_name if link else ""
        entry = self._entry(now, "request_acknowledged", link) if link else AuditEntry(now.isoformat(), "request_acknowledged")
        updated = await self._store.update_request(worker_pid, request_id, ("sent",), entry,
                                                   status="acknowledged", acknowledged_at=now.isoformat())
        if updated is None:
            return Outcome("already_answered")
        worker = await self._workers.get(worker_pid)
        if worker:
            await self._messenger.deliver(worker, [Outgoing(text=self._content().text("sharing.acknowledged", name=name))])
        return Outcome("acknowledged", name)

    async def nudge(self, pid: str, request_id: str) -> Outcome:
        """The worker (never the bot on its own) reminds the supervisor once."""
        now = self._clock.now()
        link = await self._store.link(pid)
        request = next((r for r in await self._store.requests(pid) if r.id == request_id), None)
        if request is None or request.status != "sent" or request.nudged or link is None or link.id != request.link_id:
            return Outcome("already_answered")
        if link.status != "active":
            return Outcome("blocked")
        supervisor, worker = await self._workers.get(link.supervisor_pid), await self._workers.get(pid)
        await self._store.update_request(pid, request_id, ("sent",), self._entry(now, "request_nudged", link),
                                         nudged=True)
        text = self._content().text("sharing.nudge", worker=worker.name)
        card = self.request_card(self._content(), worker.name, request.note, pid, request_id, lead=text)
        if supervisor is None:
            return Outcome("undelivered", link.supervisor_name)

        async def tell_if_failed(delivery: Delivery) -> None:
            if not delivery.delivered:
                words = self._content().text("sharing.undelivered", name=link.supervisor_name)
                await self._messenger.send(worker, [Outgoing(text=words)])

        delivery = await self._messenger.deliver(supervisor, [Outgoing(card=card)], tell_if_failed)
        return Outcome("nudged" if delivery.delivered or delivery.pending else "undelivered", link.supervisor_name)

    async def follow_ups(self, now: dt.datetime) -> None:
        """Tick work: offer a nudge when a request is unacknowledged after 2 working days; ask to
        re-confirm a link after six months. Never re-routes anything on its own."""
        if now.minute != 0:
            return  # hourly is plenty for working days and six-month reviews
        content = self._content()
        days = content.rules.supervisor.acknowledge_within_working_days
        for index, pid in enumerate(await self._workers.all_pids()):
            if index % 100 == 0:
                await asyncio.sleep(0)  # reads come from memory: yield so a big Trust never stalls the loop
            link = await self._store.link(pid)
            if link is None:
                continue
            worker = await self._workers.get(pid)
            if worker is None or not worker.installed or worker.unreachable:
                continue
            for request in await self._store.requests(pid):
                if (request.status == "sent" and not request.follow_up_offered and request.sent_at
                        and now >= add_working_days(dt.datetime.fromisoformat(request.sent_at), days)):
                    await self._store.update_request(pid, request.id, ("sent",), follow_up_offered=True)
                    await self._messenger.send(worker, [Outgoing(card=self._no_ack_card(content, link, pid, request))])
            due = link.reconfirm_due_at()
            if link.status == "active" and not link.reconfirm_asked and due and now >= due:
                await self._store.save_link(pid, replace(link, reconfirm_asked=True))
                await self._messenger.send(worker, [Outgoing(card=self._reconfirm_card(content, link))])

    async def recover(self) -> int:
        """At start-up, whatever their age: a request that was being sent when the bot stopped is recorded
        as undelivered, and a nomination whose card was never confirmed ends; the worker is told, so
        nothing is dropped silently (neither is re-sent: it may have arrived)."""
        now, content, count = self._clock.now(), self._content(), 0
        for pid in await self._workers.all_pids():
            link = await self._store.link(pid)
            if link and link.status == "pending" and not link.card_sent:
                await self._unreachable(pid, await self._workers.get(pid), link, tell=bool(self._messenger))
                count += 1
            for request in await self._store.requests(pid):
                if request.status != "sending":
                    continue
                link = await self._store.link(pid)
                name = link.supervisor_name if link else ""
                entry = (self._entry(now, "request_undelivered", link) if link
                         else AuditEntry(now.isoformat(), "request_undelivered"))
                await self._store.update_request(pid, request.id, ("sending",), entry,
                                                 status="undelivered", sent_at=None, closed_at=now.isoformat())
                worker = await self._workers.get(pid)
                if worker and worker.installed and self._messenger:
                    await self._messenger.deliver(worker, [Outgoing(text=content.text("sharing.undelivered", name=name))])
                count += 1
        return count

    # Helpers ----------------------------------------------------------------------------------------

    @staticmethod
    def _allowed(link: Link | None, consent: Consent, paused: bool, now: dt.datetime) -> bool:
        return may_send_request(link.status if link else None, link.reconfirm_due_at() if link else None,
                                consent.on, bool(link and consent.link_id == link.id), paused, now)

    @staticmethod
    def _last(requests: list[Request], statuses: tuple[str, ...], field: str) -> dt.datetime | None:
        """When the latest request in one of `statuses` was sent (or declined): cool-offs run from then."""
        times = [getattr(r, field) for r in requests if r.status in statuses and getattr(r, field)]
        return dt.datetime.fromisoformat(max(times)) if times else None

    @staticmethod
    def _entry(now: dt.datetime, event: str, link: Link, detail: str = "") -> AuditEntry:
        """An audit entry about a link: the other person's name as it is now, their id, and the link."""
        return AuditEntry(now.isoformat(), event, link.supervisor_name, detail, link.id, link.supervisor_pid)

    def request_card(self, content: Content, worker_name: str, note: str, worker_pid: str, request_id: str,
                     lead: str | None = None) -> dict:
        """Exactly what a supervisor receives: no scores, no trends, no labels."""
        m = content.messages.sharing
        days = str(content.rules.supervisor.acknowledge_within_working_days)
        body = [cards.text_block(lead or content.text("sharing.supervisor_request", worker=worker_name, days=days))]
        if note:
            body.append(cards.text_block(content.text("sharing.supervisor_note", note=note), spacing="Medium"))
        topic = content.topic("supervision")
        actions = [cards.action(m.ack_button, "request_ack", worker=worker_pid, request=request_id),
                   cards.open_url(topic.title, str(topic.link))]
        return cards.card(body, actions, body[0]["text"])

    def _nomination_card(self, me: Worker, link: Link) -> dict:
        content = self._content()
        m = content.messages.sharing
        role = m.roles[link.role].lower()
        body = [cards.text_block(content.text("sharing.nominated_you", worker=me.name, role=role)),
                cards.text_block(content.text("sharing.what_you_will_see", worker=me.name))]
        actions = [cards.action(m.accept_button, "link_accept", worker=me.pid, link=link.id),
                   cards.action(m.decline_button, "link_decline", worker=me.pid, link=link.id)]
        return cards.card(body, actions, body[0]["text"])

    def _no_ack_card(self, content: Content, link: Link, pid: str, request: Request) -> dict:
        m = content.messages.sharing
        days = str(content.rules.supervisor.acknowledge_within_working_days)
        text = content.text("sharing.no_ack", name=link.supervisor_name, days=days)
        actions = [cards.action(m.nudge_button, "request_nudge", request=request.id),
                   cards.command_action(m.change_who_button, "supervisor"), cards.help_now_action(content)]
        return cards.card([cards.text_block(text)], actions, text)

    def _reconfirm_card(self, content: Content, link: Link) -> dict:
        m = content.messages.sharing
        text = content.text("sharing.reconfirm", name=link.supervisor_name)
        actions = [cards.action(m.keep_button, "link_keep", once=cards.once()), cards.action(m.end_button, "link_end"),
                   cards.command_action(m.change_who_button, "supervisor")]
        return cards.card([cards.text_block(text)], actions, text)

