"""A PostgreSQL outage while the bot runs: every turn still gets a kind answer with the help-now contacts
(they come from content, not the database), readiness says so, nothing acknowledged is lost, and the
bot recovers by itself when the database is back."""

from __future__ import annotations

import pytest

from bot.config import Settings
from tests.teams import Person, card_submit
from tests.test_checkins_e2e import card_of, pid_of, services


@pytest.fixture
def settings(tmp_path, database_url, sdk) -> Settings:
    return Settings(data_dir=tmp_path / "unused", database_url=database_url, bot_sdk=sdk)


async def add_to_agenda(h, worker: Person, item: str) -> list:
    (card,) = await h.say(worker, "agenda")
    add = next(a for a in card_of(card)["actions"] if a["title"] == "Add")["data"]
    return await h.send(card_submit(worker, h.connector.url, {**add, "item": item}))


async def test_an_outage_is_answered_kindly_and_loses_nothing_acknowledged(harness, worker, postgres):
    await harness.say(worker, "hi")
    await add_to_agenda(harness, worker, "before the outage")
    postgres.down()
    try:
        for text in ("agenda", "I can't cope any more", "help now"):
            (answer,) = await harness.say(worker, text)
            assert "not saved" in answer.words and "Samaritans" in answer.words, answer.words
        ready = await harness.client.get("/readyz")
        assert ready.status == 503 and (await ready.json())["checks"]["database"] is False
        assert (await ready.json())["storage_engine"] == "postgresql"
    finally:
        postgres.up()
    assert (await (await harness.client.get("/readyz")).json())["checks"]["database"] is True
    await add_to_agenda(harness, worker, "after the outage")
    (listing,) = await harness.say(worker, "agenda")
    assert "before the outage" in listing.words and "after the outage" in listing.words
    pid = await pid_of(harness, worker)
    kept = [e.text for e in await services(harness).bot.records.agenda.all(pid)]
    assert kept == ["before the outage", "after the outage"]


async def test_the_timed_work_waits_out_an_outage(harness, worker, postgres):
    from app import TICKER

    await harness.say(worker, "hi")
    postgres.down()
    try:
        await harness.app[TICKER].tick()  # logs and returns: nothing crashes, nothing is marked done
        assert not harness.app[TICKER].leading
    finally:
        postgres.up()
    await harness.app[TICKER].tick()
    assert harness.app[TICKER].leading
