"""Property: over random histories of check-ins, consents, links, pauses and withdrawals, no request is
ever sent without an accepted link and active consent at the moment of sending, never during a pause,
and never inside the cool-off except when the check-in was very low.

The checker keeps its own model of the world from the operations it performed, independent of the
bot's records, and judges every message the bot tried to send to the supervisor."""
from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from bot.content.source import ContentSource
from bot.messenger import Delivery
from bot.repositories import CheckinRecord, CheckinRepository, Pseudonyms, WorkerContact, WorkerRepository
from bot.rules import new_schedule
from bot.schedule_store import ScheduleRepository
from bot.sharing import SharingService
from bot.sharing_store import SharingStore
from bot.storage import Store

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)
COOL_OFF = dt.timedelta(days=28)

checkin = st.tuples(st.just("checkin"), st.sampled_from([0, 20, 28, 32, 40, 48, 52, 68, 88, 100]))
send = st.tuples(st.just("send"), st.booleans())
# Check-ins and sends are drawn more often, so many histories reach the moment of sending.
operation = st.one_of(
    checkin, checkin, checkin, send, send,
    st.tuples(st.just("not_now"), st.booleans()),
    st.tuples(st.just("consent_on"), st.sampled_from(["ask", "auto"])),
    st.tuples(st.just("consent_on"), st.sampled_from(["ask", "auto"])),
    st.tuples(st.just("consent_off"), st.none()),
    st.tuples(st.just("link"), st.booleans()), st.tuples(st.just("link"), st.just(True)),  # nominate, then accept (True) or decline (False)
    st.tuples(st.just("end_link"), st.booleans()),  # by the worker (True) or the supervisor (False)
    st.tuples(st.just("pause"), st.integers(min_value=1, max_value=30)),
    st.tuples(st.just("resume"), st.none()),
    st.tuples(st.just("advance"), st.integers(min_value=1, max_value=20)),
)


class RecordingMessenger:
    """Stands in for Teams: records every message and who it went to, with the time."""

    def __init__(self, clock):
        self.clock = clock
        self.sent: list[tuple[str, dt.datetime, dict | None]] = []

    async def send(self, worker, messages):
        for m in messages:
            self.sent.append((worker.pid, self.clock.now(), m.card))
        return Delivery("delivered", ["x"] * len(messages), 1)


@dataclass
class Model:
    link_active: bool = False
    link_generation: int = 0
    consent_generation: int | None = None  # which link the consent was given for
    paused_until: dt.datetime | None = None
    last_sent_or_declined: dt.datetime | None = None
    last_band: str = "ok"

    def consent_current(self) -> bool:
        return self.link_active and self.consent_generation == self.link_generation


def is_request(card: dict | None) -> bool:
    return bool(card) and any(a.get("data", {}).get("action") == "request_ack" for a in card.get("actions", []))


async def run(ops) -> int:
    """Play the operations; return how many requests reached the supervisor."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp))
        await store.open()
        clock = FixedClock(START)
        content = await ContentSource.open()
        workers = WorkerRepository(store, await Pseudonyms.load(store))
        people = []
        for name in ("Alex Worker", "Sam Supervisor"):
            ref = {"conversation": {"id": name}, "serviceUrl": "https://x", "user": {"id": name}}
            people.append(await workers.remember(WorkerContact(name, name, "t", name, "https://x", name,
                                                               lambda r=ref: r), START))
        worker, supervisor = people
        messenger = RecordingMessenger(clock)
        sharing_store, schedules, checkins = SharingStore(store), ScheduleRepository(store), CheckinRepository(store)
        await schedules.save(worker.pid, new_schedule(START))
        service = SharingService(workers=workers, store=sharing_store, checkins=checkins, schedules=schedules,
                                 messenger=messenger, content=content, clock=clock)
        model = Model()
        offers: list[str] = []

        async def check_new_sends(before: int, very_low: bool) -> None:
            for pid, at, card in messenger.sent[before:]:
                if pid == supervisor.pid and is_request(card):
                    assert model.consent_current(), "a request was sent without an accepted link and consent"
                    assert not (model.paused_until and at < model.paused_until), "a request was sent during a pause"
                    in_cool_off = model.last_sent_or_declined and at < model.last_sent_or_declined + COOL_OFF
                    assert very_low or not in_cool_off, "a request was sent inside the cool-off"
                    model.last_sent_or_declined = at

        for kind, arg in ops:
            before = len(messenger.sent)
            now = clock.now()
            if kind == "checkin":
                await checkins.add(worker.pid, CheckinRecord(now.date().isoformat(), "who5", arg))
                model.last_band = "very_low" if arg <= 28 else "low" if arg <= 50 else "ok"
                outcome = await service.after_checkin(worker.pid)
                if outcome.status == "preview":
                    offers.append(outcome.request.id)
                await check_new_sends(before, model.last_band == "very_low")
            elif kind == "send" and offers:
                request = next(r for r in await sharing_store.requests(worker.pid) if r.id == offers[-1])
                await service.send(worker.pid, offers[-1] if arg else offers[0], "a note")
                await check_new_sends(before, request.very_low)
            elif kind == "not_now" and offers:
                outcome = await service.not_now(worker.pid, offers[-1], stop=arg)
                if outcome.status in ("not_now", "stopped"):
                    model.last_sent_or_declined = now
                    if arg:
                        model.consent_generation = None
            elif kind == "consent_on":
                if (await service.consent_on(worker.pid, arg)).status == "on":
                    model.consent_generation = model.link_generation
            elif kind == "consent_off":
                await service.consent_off(worker.pid)
                model.consent_generation = None
            elif kind == "link":
                outcome = await service.nominate(worker.pid, supervisor.pid, "peer_supervisor")
                if outcome.status == "asked":
                    model.link_active = False
                    model.link_generation += 1
                    link = await sharing_store.link(worker.pid)
                    if (await service.answer(supervisor.pid, worker.pid, link.id, arg)).status == "accepted":
                        model.link_active = True
            elif kind == "end_link":
                await service.end_link(worker.pid, by_worker=arg, presser_pid=None if arg else supervisor.pid)
                model.link_active = False
            elif kind == "pause":
                schedule = await schedules.get(worker.pid)
                until = (schedule.local(now).date() + dt.timedelta(days=arg))
                await schedules.save(worker.pid, replace(schedule, paused_until=until.isoformat()))
                model.paused_until = dt.datetime.combine(until, dt.time(0), tzinfo=schedule.zone).astimezone(dt.timezone.utc)
            elif kind == "resume":
                await schedules.save(worker.pid, replace(await schedules.get(worker.pid), paused_until=None))
                model.paused_until = None
            elif kind == "advance":
                clock.advance(days=arg)
        await store.close()
        return sum(1 for pid, _, card in messenger.sent if pid == supervisor.pid and is_request(card))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=30))
def test_no_request_without_link_and_consent_never_paused_never_in_cool_off(ops):
    sent = asyncio.run(run(ops))
    event(f"requests sent: {min(sent, 2)}")


def test_a_known_good_history_does_send():
    """Guards against a property that passes because nothing is ever sent."""
    ops = [("link", True), ("consent_on", "auto"), ("checkin", 48), ("checkin", 40)]
    assert asyncio.run(run(ops)) == 1
    ask = [("link", True), ("consent_on", "ask"), ("checkin", 48), ("checkin", 40), ("send", True), ("send", True)]
    assert asyncio.run(run(ask)) == 1
    very_low_in_cool_off = ask + [("advance", 3), ("checkin", 20), ("send", True)]
    assert asyncio.run(run(very_low_in_cool_off)) == 2
    low_in_cool_off = ask + [("advance", 3), ("checkin", 48), ("send", True)]
    assert asyncio.run(run(low_in_cool_off)) == 1
