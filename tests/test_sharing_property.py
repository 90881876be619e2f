"""Property: over random histories of check-ins, consents, links, pauses, withdrawals, presses, replays
and the passing of days, a request reaches the supervisor only
- with an accepted link and active consent for it at the moment of sending, never during a pause;
- never within the cool-off of an earlier request, whatever the scores;
- automatically only in automatic mode and only when check-ins *stay* low: the repeated rule over
  counted check-ins (at most one per 7 days, the latest, within 8 weeks), never for one very low score;
- by the worker's press only for an offer made when the rule allowed one.

The checker keeps its own model of the world from the operations it performed, independent of the
bot's records and rules code, and judges every message the bot tried to send to the supervisor."""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot import compose
from bot.clock import FixedClock
from bot.config import Settings
from bot.outbox import Delivery
from bot.records import Records
from bot.records.checkins import CheckinRecord
from bot.records.workers import WorkerContact
from bot.rules import new_schedule
from bot.storage import TinyStore

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
COOL_OFF = dt.timedelta(days=28)
EVERY, WINDOW = 7, 56

checkin = st.tuples(st.just("checkin"), st.sampled_from([0, 20, 28, 32, 40, 48, 52, 68, 88, 100]))
send = st.tuples(st.just("send"), st.booleans())
# Check-ins and sends are drawn more often, so many histories reach the moment of sending.
operation = st.one_of(
    checkin,
    checkin,
    checkin,
    send,
    send,
    st.tuples(st.just("not_now"), st.booleans()),
    st.tuples(st.just("consent_on"), st.sampled_from(["ask", "auto"])),
    st.tuples(st.just("consent_on"), st.sampled_from(["ask", "auto"])),
    st.tuples(st.just("consent_off"), st.none()),
    st.tuples(st.just("link"), st.booleans()),
    st.tuples(st.just("link"), st.just(True)),  # nominate, then accept (True) or decline (False)
    st.tuples(st.just("end_link"), st.booleans()),  # by the worker (True) or the supervisor (False)
    st.tuples(st.just("pause"), st.integers(min_value=1, max_value=30)),
    st.tuples(st.just("resume"), st.none()),
    st.tuples(st.just("advance"), st.integers(min_value=1, max_value=20)),
    st.tuples(st.just("advance"), st.sampled_from([7, 8, 14])),
    st.tuples(st.just("minutes"), st.integers(min_value=1, max_value=90)),
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

    async def deliver(self, worker, messages, on_late=None):
        return await self.send(worker, messages)


def band_of(total: int) -> str:
    return "very_low" if total <= 28 else "low" if total <= 50 else "ok"


@dataclass
class Model:
    link_active: bool = False
    link_generation: int = 0
    consent_generation: int | None = None  # which link the consent was given for
    mode: str = "ask"
    paused_until: dt.datetime | None = None
    last_sent: dt.datetime | None = None
    last_declined: dt.datetime | None = None
    completed: list = None  # (date, band), oldest first

    def consent_current(self) -> bool:
        return self.link_active and self.consent_generation == self.link_generation

    def counted(self, today: dt.date) -> list[str]:
        """The brief's counted check-ins, computed here from scratch: the latest in each 7 days, 8 weeks back."""
        kept, last = [], None
        for day, band in reversed(self.completed):
            if (today - day).days > WINDOW:
                break
            if last is None or (last - day).days >= EVERY:
                kept.insert(0, band)
                last = day
        return kept

    def stays_low(self, today: dt.date) -> bool:
        bands = [b in ("low", "very_low") for b in self.counted(today)]
        return bool(bands) and bands[-1] and ((len(bands) >= 2 and all(bands[-2:])) or sum(bands[-3:]) >= 2)


def is_request(card: dict | None) -> bool:
    return bool(card) and any(a.get("data", {}).get("action") == "request_ack" for a in card.get("actions", []))


async def run(ops) -> int:
    """Play the operations; return how many requests reached the supervisor."""
    with tempfile.TemporaryDirectory() as tmp:
        store = TinyStore(Path(tmp))
        await store.open()
        clock = FixedClock(START)
        content = await compose.open_content(None)
        records = await Records.open(store)
        workers, schedules, checkins = records.workers, records.schedules, records.checkins
        people = []
        for name in ("Alex Worker", "Sam Supervisor"):
            ref = {"conversation": {"id": name}, "serviceUrl": "https://x", "user": {"id": name}}
            people.append(
                await workers.remember(WorkerContact(name, name, "t", name, "https://x", name, lambda r=ref: r), START)
            )
        worker, supervisor = people
        messenger = RecordingMessenger(clock)
        await schedules.save(worker.pid, new_schedule(START))
        bot = await compose.bot(Settings(data_dir=Path(tmp)), content, store, clock, outbox=messenger)
        model = Model(completed=[])
        offers: list[str] = []

        async def check_new_sends(before: int, automatic: bool) -> None:
            for pid, at, card in messenger.sent[before:]:
                if pid == supervisor.pid and is_request(card):
                    assert model.consent_current(), "a request was sent without an accepted link and consent"
                    assert not (model.paused_until and at < model.paused_until), "a request was sent during a pause"
                    assert not (model.last_sent and at < model.last_sent + COOL_OFF), "two requests within the cool-off"
                    if automatic:
                        assert model.mode == "auto", "sent automatically without automatic consent"
                        assert model.stays_low(clock.now().date()), "sent automatically when check-ins did not stay low"
                    model.last_sent = at

        for kind, arg in ops:
            before = len(messenger.sent)
            now = clock.now()
            if kind == "checkin":
                await checkins.add(worker.pid, CheckinRecord(now.date().isoformat(), "who5", arg))
                model.completed.append((now.date(), band_of(arg)))
                outcome = await bot.requests.after_checkin(worker.pid)
                if outcome.status == "preview":
                    very_low = band_of(arg) == "very_low"
                    assert model.stays_low(now.date()) or very_low, "an offer when check-ins did not stay low"
                    assert not (model.last_sent and now < model.last_sent + COOL_OFF), "an offer within the cool-off"
                    assert very_low or not (model.last_declined and now < model.last_declined + COOL_OFF), (
                        "a new offer within the cool-off after one was declined"
                    )
                    offers.append(outcome.request.id)
                await check_new_sends(before, automatic=True)
            elif kind == "send" and offers:
                await bot.requests.send(worker.pid, offers[-1] if arg else offers[0], "a note")
                await check_new_sends(before, automatic=False)
            elif kind == "not_now" and offers:
                outcome = await bot.requests.not_now(worker.pid, offers[-1], stop=arg)
                if outcome.status in ("not_now", "stopped"):
                    model.last_declined = now
                    if arg:
                        model.consent_generation = None
            elif kind == "consent_on":
                if (await bot.consents.turn_on(worker.pid, arg)).status == "on":
                    model.consent_generation = model.link_generation
                    model.mode = arg
            elif kind == "consent_off":
                await bot.consents.turn_off(worker.pid)
                model.consent_generation = None
            elif kind == "link":
                outcome = await bot.links.nominate(worker.pid, supervisor.pid, "peer_supervisor")
                if outcome.status == "asked":
                    model.link_active = False
                    model.link_generation += 1
                    link = await records.sharing.link(worker.pid)
                    if (await bot.links.answer(supervisor.pid, worker.pid, link.id, arg)).status == "accepted":
                        model.link_active = True
            elif kind == "end_link":
                await bot.links.end(worker.pid, by_worker=arg, presser_pid=None if arg else supervisor.pid)
                model.link_active = False
            elif kind == "pause":
                schedule = await schedules.get(worker.pid)
                until = schedule.local(now).date() + dt.timedelta(days=arg)
                await schedules.save(worker.pid, replace(schedule, paused_until=until.isoformat()))
                model.paused_until = dt.datetime.combine(until, dt.time(0), tzinfo=schedule.zone).astimezone(dt.UTC)
            elif kind == "resume":
                await schedules.save(worker.pid, replace(await schedules.get(worker.pid), paused_until=None))
                model.paused_until = None
            elif kind == "advance":
                clock.advance(days=arg)
            elif kind == "minutes":
                clock.advance(minutes=arg)
        await store.close()
        return sum(1 for pid, _, card in messenger.sent if pid == supervisor.pid and is_request(card))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=30))
def test_no_request_without_link_and_consent_never_paused_never_in_cool_off(ops):
    sent = asyncio.run(run(ops))
    event(f"requests sent: {min(sent, 2)}")


def test_a_known_good_history_does_send():
    """Guards against a property that passes because nothing is ever sent."""
    week = ("advance", 7)
    auto = [("link", True), ("consent_on", "auto"), ("checkin", 48), week, ("checkin", 40)]
    assert asyncio.run(run(auto)) == 1
    ask = [
        ("link", True),
        ("consent_on", "ask"),
        ("checkin", 48),
        week,
        ("checkin", 40),
        ("send", True),
        ("send", True),
    ]
    assert asyncio.run(run(ask)) == 1  # the second press is a replay: sent once
    assert asyncio.run(run(ask + [("advance", 3), ("checkin", 20), ("send", True)])) == 1  # one per cool-off
    assert asyncio.run(run(ask + [("advance", 29), ("checkin", 20), ("send", True)])) == 2


def test_check_ins_minutes_apart_are_one_data_point():
    same_day = [("link", True), ("consent_on", "auto"), ("checkin", 48), ("minutes", 5), ("checkin", 40)]
    assert asyncio.run(run(same_day)) == 0


def test_a_single_very_low_check_in_never_sends_automatically_but_is_offered():
    very_low = [("link", True), ("consent_on", "auto"), ("checkin", 12)]
    assert asyncio.run(run(very_low)) == 0
    assert asyncio.run(run(very_low + [("send", True)])) == 1  # the worker pressed Send on the offer


def test_two_of_the_last_three_may_not_span_more_than_the_window():
    old_low = [("link", True), ("consent_on", "auto"), ("checkin", 48), ("advance", 60), ("checkin", 40)]
    assert asyncio.run(run(old_low)) == 0
