"""A worker's file written by the November 2026 version (botbuilder 4.17's serialised conversation
reference) still reaches them: the bot loads it and sends proactively. A move to another SDK must keep
this test passing, or migrate the stored references."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from app import TICKER
from bot.clock import FixedClock
from tests.conftest import BotHarness
from tests.teams import Person

FIXTURE = Path(__file__).parent / "fixtures" / "worker-file-2026-11.json"
PID = "w2de75cd1cd2f039fa59a34a"  # the pseudonym of the worker below under the instance key below
INSTANCE = {"instance": {"1": {"pseudonym_key": "0f" * 32}}}
CONVERSATION = "a:278106cc8b604c70a11d71e3a9eed1ac"
SLOT = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)  # the fixture's first fortnightly check-in


async def test_a_reference_saved_by_an_earlier_version_still_reaches_the_worker(settings, connector):
    shard = Path(settings.data_dir) / "workers" / PID[1:3] / f"{PID}.json"
    shard.parent.mkdir(parents=True)
    shard.write_text(FIXTURE.read_text().replace("SERVICE_URL", connector.url))
    (Path(settings.data_dir) / "system").mkdir()
    (Path(settings.data_dir) / "system" / "instance.json").write_text(json.dumps(INSTANCE))
    clock = FixedClock(SLOT)
    h = await BotHarness(settings, connector, clock=clock, run_scheduler=False).start()
    try:
        await h.app[TICKER].tick()
        (sent,) = connector.sent
        assert sent.conversation_id == CONVERSATION
        assert sent.body["recipient"]["id"] == "29:ec5c7932527a4007bca6b4c374627c31"
        assert any("Save" in a["title"] for a in sent.cards[0]["actions"])  # the check-in card
        # The worker answers it from the same chat, as Teams would send it.
        person = Person(
            "Alex Example", "26787547-8bcc-42f9-981c-7d8d57e0319e", "29:ec5c7932527a4007bca6b4c374627c31", CONVERSATION
        )
        replies = await h.say(person, "help")
        assert replies and all(r.conversation_id == CONVERSATION for r in replies)
        assert len(list(Path(settings.data_dir).rglob("workers/*/*.json"))) == 1  # the same worker, not a new one
    finally:
        await h.stop()
    assert json.loads(shard.read_text())["profile"]["1"]["pid"] == PID
