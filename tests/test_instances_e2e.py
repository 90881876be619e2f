"""Several bot processes on one PostgreSQL database, behind one load balancer: any process serves any turn.

Two real apps share a database and the fake connector; the end-to-end scenarios of the other modules run
here with each request going to the other app in turn (as a load balancer would send them). The two run
on different channels (BOT_SDK), each way round, as while a site switches SDK one instance at a time."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from app import OPTIONS, TICKER
from bot.config import Settings
from tests import test_checkins_e2e, test_sharing_e2e
from tests.conftest import BotHarness, replace_settings, started
from tests.teams import Person, card_submit
from tests.test_checkins_e2e import card_of, pid_of, services

WEDNESDAY_10 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
OTHER_SDK = {"botbuilder": "agents", "agents": "botbuilder"}


class Alternating(BotHarness):
    """Two apps on one database, the second on the other channel; each request goes to the other one from
    the last (round robin)."""

    def __init__(self, settings: Settings, connector, **kwargs):
        super().__init__(settings, connector, **kwargs)
        self.second = BotHarness(replace_settings(settings, bot_sdk=OTHER_SDK[settings.bot_sdk]), connector, **kwargs)
        self.turns = 0

    async def start(self) -> Alternating:
        await super().start()
        await self.second.start()
        return self

    async def stop(self) -> None:
        await self.second.stop()
        await super().stop()

    async def post(self, body, headers=None):
        self.turns += 1
        target = self.client if self.turns % 2 else self.second.client
        return await target.post("/api/messages", json=body, headers=headers or {})

    async def idle(self) -> None:
        for h in (self, self.second):
            await services(h).messenger.idle()


@pytest.fixture
async def harness(connector, database_url, tmp_path, sdk):
    settings = Settings(data_dir=tmp_path / "unused", database_url=database_url, bot_sdk=sdk)
    h = await started(settings, connector, Alternating)
    yield h
    await h.stop()


@pytest.fixture
def worker() -> Person:
    return Person.make("Alex Example")


# The scenarios of the other modules, alternating between the two processes -------------------------------


async def test_nominate_accept_consent_two_lows_preview_send_acknowledge(pair):
    await test_sharing_e2e.test_nominate_accept_consent_two_lows_preview_send_acknowledge(pair)
    assert pair[0].turns > 10  # both processes served turns


async def test_without_consent_nothing_reaches_the_supervisor(pair):
    await test_sharing_e2e.test_without_consent_nothing_reaches_the_supervisor(pair)


async def test_withdrawing_consent_stops_requests(pair):
    await test_sharing_e2e.test_withdrawing_consent_stops_requests_and_says_it_cannot_recall(pair)


async def test_replayed_or_forged_card_actions_change_nothing(pair):
    await test_sharing_e2e.test_replayed_or_forged_card_actions_change_nothing(pair)


async def test_check_in_card_saved_once_even_if_double_clicked(harness, worker):
    await test_checkins_e2e.test_double_submit_records_nothing_new(harness, worker)


async def test_settings_saved_on_one_process_are_used_by_the_other(harness, worker):
    await test_checkins_e2e.test_settings_show_current_and_save_a_new_rhythm(harness, worker)


async def test_pause_resume_and_welcome_back(harness, worker):
    await test_checkins_e2e.test_pause_resume_and_welcome_back(harness, worker)


# Shared state ---------------------------------------------------------------------------------------------


async def agenda_add(h, worker: Person) -> dict:
    (card,) = await h.say(worker, "agenda")
    return next(a for a in card_of(card)["actions"] if a["title"] == "Add")["data"]


async def test_concurrent_turns_of_one_worker_on_both_processes_lose_nothing(harness, worker):
    await harness.say(worker, "hi")
    add = await agenda_add(harness, worker)
    items = [f"thing number {n}" for n in range(16)]
    bodies = [card_submit(worker, harness.connector.url, {**add, "item": item}) for item in items]
    responses = await asyncio.gather(*(harness.post(body) for body in bodies))
    assert all(r.status in (200, 201) for r in responses)
    pid = await pid_of(harness, worker)
    assert sorted(e.text for e in await services(harness).bot.records.agenda.all(pid)) == sorted(items)


async def test_a_retried_activity_reaching_the_other_process_is_handled_once(harness, worker):
    await harness.say(worker, "hi")
    body = card_submit(worker, harness.connector.url, {**await agenda_add(harness, worker), "item": "only once"})
    first = await harness.post(body)
    again = await harness.post(body)  # Teams retried; the load balancer chose the other process
    assert first.status in (200, 201) and again.status in (200, 201)
    pid = await pid_of(harness, worker)
    assert [e.text for e in await services(harness).bot.records.agenda.all(pid)] == ["only once"]


async def test_scheduled_check_ins_go_once_though_every_process_ticks(harness):
    people = [Person.make(f"Worker {n}") for n in range(6)]
    for person in people:
        await harness.say(person, "hi")
    before = len(harness.connector.sent)
    harness.clock._now = WEDNESDAY_10
    for _ in range(2):
        await asyncio.gather(harness.app[TICKER].tick(), harness.second.app[TICKER].tick())
    await harness.idle()
    cards = [c for c in harness.connector.sent[before:] if "Here's your check-in" in c.words]
    assert sorted(c.conversation_id for c in cards) == sorted(p.conversation_id for p in people)
    assert [harness.app[TICKER].leading, harness.second.app[TICKER].leading].count(True) == 1


async def test_when_the_leading_process_stops_another_takes_over_the_timed_work(harness):
    person = Person.make("Worker One")
    await harness.say(person, "hi")
    await harness.app[TICKER].tick()
    await harness.second.app[TICKER].tick()
    leader, other = (harness, harness.second) if harness.app[TICKER].leading else (harness.second, harness)
    await leader.client.close()  # the leading process stops
    before = len(harness.connector.sent)
    other.app[OPTIONS].clock._now = WEDNESDAY_10
    await other.app[TICKER].tick()
    await services(other).messenger.idle()
    assert other.app[TICKER].leading
    assert [c.conversation_id for c in harness.connector.sent[before:] if "Here's your check-in" in c.words] == [
        person.conversation_id
    ]
    await leader.start()  # for the fixture's teardown
