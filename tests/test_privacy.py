"""The worker's data: see it, export it, erase it; retention; encryption at rest; nothing personal in logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

import pytest
from cryptography.fernet import Fernet

from bot.clock import FixedClock
from bot.config import Settings
from bot.records.checkins import CheckinRecord
from bot.storage import Cipher, DataFileError, KeyMismatch, TinyStore, all_rows
from bot.teams.web import SERVICES
from tests.conftest import BotHarness, replace_settings
from tests.teams import Person, card_submit
from tests.test_checkins_e2e import card_of
from tests.test_sharing_e2e import button, conversation, link_up, low_checkin, press, turn_sharing_on

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
NOTE = "the ward round felt close to home"


@pytest.fixture
async def h(settings, connector):
    clock = FixedClock(START)
    harness = await BotHarness(settings, connector, clock=clock, run_scheduler=False).start()
    harness.clock = clock
    yield harness
    await harness.stop()


async def rich_history(h, worker: Person, supervisor: Person) -> None:
    """A worker with check-ins, a note, a plan, a supervision list, a named supervisor and sharing on."""
    h.connector.members[worker.user_id] = {"name": worker.name, "email": "alex@trust.nhs.uk"}
    h.connector.members[supervisor.user_id] = {"name": supervisor.name, "email": "sam@trust.nhs.uk"}
    await h.say(supervisor, "hi")
    await h.say(worker, "hi")
    await link_up(h, worker, supervisor)
    await turn_sharing_on(h, worker, "auto")
    await low_checkin(h, worker)
    h.clock.advance(days=7)  # a week apart: two counted check-ins
    await low_checkin(h, worker)
    await press(h, worker, {"action": "reflect_save", "thoughts": NOTE})
    await press(
        h,
        worker,
        {
            "action": "plan_save",
            "what_helps": "a walk at lunch",
            "keeps_me_well": "",
            "early_signs": "",
            "who_to_contact": "",
        },
    )
    await press(h, worker, {"action": "agenda_add", "item": "talk about boundaries"})


def raw_files(settings: Settings) -> str:
    return "\n".join(p.read_text() for p in settings.data_dir.rglob("*.json"))


async def test_my_data_says_what_is_held_without_scores(h, worker):
    supervisor = Person.make("Sam Supervisor")
    await rich_history(h, worker, supervisor)
    (summary,) = await h.say(worker, "my data")
    words = summary.words
    assert "2 completed check-ins, on: Monday 23 November; Monday 30 November" in words
    assert "Sam Supervisor (linked)" in words and "Sharing is on." in words
    assert "Your private notes: 1" in words and "Your plan: written" in words
    assert not re.search(r"\b48\b", words)
    (trend,) = await press(h, worker, button(summary, "Show my recent check-ins"))
    assert "48 (forty-eight out of 100)" in trend.words and "█" in trend.words


async def test_export_is_complete_single_use_and_short_lived(h, worker, settings):
    supervisor = Person.make("Sam Supervisor")
    await rich_history(h, worker, supervisor)
    (summary,) = await h.say(worker, "my data")
    (link_card,) = await press(h, worker, button(summary, "Download all my data"))
    url = next(a["url"] for a in card_of(link_card)["actions"] if a["type"] == "Action.OpenUrl")
    path = url.split("127.0.0.1:3978")[1]
    response = await h.client.get(path)
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    exported = json.loads(await response.text())
    pid = exported["worker_id"]
    stored = json.loads((settings.data_dir / "workers" / pid[1:3] / f"{pid}.json").read_text())
    assert exported["records"] == {table: list(rows.values()) for table, rows in stored.items()}
    assert {
        "profile",
        "checkins",
        "notes",
        "plan",
        "agenda",
        "link",
        "consent",
        "requests",
        "audit",
        "schedule",
        "prompts",
    } <= set(exported["records"])
    assert exported["records"]["notes"][0]["text"] == NOTE
    assert (await h.client.get(path)).status == 410  # used
    (link_card,) = await press(h, worker, button(summary, "Download all my data"))
    url = next(a["url"] for a in card_of(link_card)["actions"] if a["type"] == "Action.OpenUrl")
    h.clock.advance(minutes=11)
    assert (await h.client.get(url.split("127.0.0.1:3978")[1])).status == 410  # expired
    assert (await h.client.get("/export/made-up-token")).status == 410


async def test_delete_leaves_no_trace_in_any_file_after_a_restart(h, worker, settings):
    supervisor = Person.make("Sam Supervisor")
    await rich_history(h, worker, supervisor)
    from tests.test_checkins_e2e import pid_of

    pid = await pid_of(h, worker)
    (confirm,) = await h.say(worker, "delete my data")
    assert "can't erase this Teams chat" in confirm.words
    forged = await press(h, worker, {"action": "erase_confirm", "nonce": "guess"})
    assert "nothing was erased" in forged[0].words and NOTE in raw_files(settings)
    done = await press(h, worker, button(confirm, "Yes, erase everything"))
    assert "Everything I held about you is erased" in done[0].words
    assert f"{worker.name} has ended the link" in conversation(h, supervisor)[-1].words
    await h.restart()
    raw = raw_files(settings)
    for trace in (
        NOTE,
        worker.name,
        "alex@trust.nhs.uk",
        worker.aad_object_id,
        worker.user_id,
        worker.conversation_id,
        pid,
        "a walk at lunch",
        "talk about boundaries",
    ):
        assert trace not in raw, trace
    erasures = json.loads((settings.data_dir / "system" / "erasures.json").read_text())
    assert list(erasures["erasures"].values()) == [{"on": "2026-11-30"}]
    # Pressing the old button again: the worker is greeted as someone new, and nothing is erased.
    replay = await press(h, worker, button(confirm, "Yes, erase everything"))
    assert "nothing was erased" in replay[-1].words


async def test_erasing_a_supervisor_ends_their_links_and_tells_the_workers(h, worker):
    supervisor = Person.make("Sam Supervisor")
    await rich_history(h, worker, supervisor)
    (confirm,) = await h.say(supervisor, "delete my data")
    await press(h, supervisor, button(confirm, "Yes, erase everything"))
    assert "no longer available" in conversation(h, worker)[-1].words
    (audit,) = await h.say(worker, "who has seen what")
    assert "Sam Supervisor" not in audit.words
    (summary,) = await h.say(worker, "my data")
    assert "No named person." in summary.words


async def test_the_named_person_hears_whose_link_ended_when_a_worker_erases_their_data(h, worker):
    supervisor = Person.make("Sam Supervisor")
    await rich_history(h, worker, supervisor)
    before = len(conversation(h, supervisor))
    (confirm,) = await h.say(worker, "delete my data")
    await press(h, worker, button(confirm, "Yes, erase everything"))
    told = conversation(h, supervisor)[before:]
    # The same words as when a worker ends the link themselves: their name, and nothing about why.
    assert [c.text for c in told] == [f"{worker.name} has ended the link. Nothing more will be sent."]


async def test_retention_removes_exactly_what_is_due(h, worker):
    await h.say(worker, "hi")
    services = h.app[SERVICES]
    workers = services.bot.records.workers
    (pid,) = await workers.all_pids()
    repo = services.bot.records.checkins
    for date in ("2025-10-01", "2025-11-22", "2025-11-24", "2026-06-01"):
        await repo.add(pid, CheckinRecord(date, "who5", 60))
    from app import TICKER

    h.clock._now = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
    await h.app[TICKER].tick()
    assert [c.date for c in await repo.list(pid)] == ["2025-11-24", "2026-06-01"]


@pytest.fixture
def key() -> str:
    return Fernet.generate_key().decode()


async def test_encryption_round_trip_wrong_key_and_missing_key(settings, connector, key, worker):
    secure = replace_settings(settings, data_keys=(key,))
    h = await BotHarness(secure, connector, run_scheduler=False).start()
    await h.say(worker, "hi")
    await h.send(card_submit(worker, connector.url, {"action": "reflect_save", "thoughts": NOTE}))
    await h.stop()
    raw = raw_files(settings)
    assert NOTE not in raw and worker.name not in raw and "reflect" not in raw
    h = await BotHarness(secure, connector, run_scheduler=False).start()  # same key: fine
    (notes,) = await h.say(worker, "notes")
    assert NOTE in notes.words
    await h.stop()
    for wrong in ((), (Fernet.generate_key().decode(),)):
        with pytest.raises(DataFileError) as err:
            await TinyStore(settings.data_dir, cipher=Cipher(wrong) if wrong else None).open()
        assert isinstance(err.value, KeyMismatch) and "DATA_KEYS" in str(err.value)


async def test_key_rotation_reads_old_and_writes_new(settings, key, tmp_path):
    from bot.storage import put_single

    store = TinyStore(tmp_path / "d", cipher=Cipher((key,)))
    await store.open()
    await store.shard("system/x").write(lambda data: put_single(data, "t", {"v": 1}))
    await store.close()
    new = Fernet.generate_key().decode()
    store = TinyStore(tmp_path / "d", cipher=Cipher((new, key)))
    await store.open()
    assert (await store.shard("system/x").read(lambda data: all_rows(data, "t")))[0]["v"] == 1
    await store.close()


async def test_a_full_conversation_leaves_no_personal_data_in_the_logs(h, worker, caplog):
    from bot import log_privacy

    caplog.set_level(logging.DEBUG)
    log_privacy.install([caplog.handler])  # as configure_logging does for the bot's own handlers
    supervisor = Person.make("Sam Supervisor")
    await rich_history(h, worker, supervisor)
    await h.say(worker, "I want to end it all")
    (summary,) = await h.say(worker, "my data")
    await press(h, worker, button(summary, "Show my recent check-ins"))
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert "turn type=message" in logs  # the logs were captured
    for secret in (
        worker.name,
        supervisor.name,
        "alex@trust.nhs.uk",
        "sam@trust.nhs.uk",
        NOTE,
        "a walk at lunch",
        "talk about boundaries",
        "end it all",
        worker.aad_object_id,
        worker.user_id,
    ):
        assert secret not in logs, secret
    bot_lines = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    assert not re.search(r"\b48\b", bot_lines) and "total" not in bot_lines


async def test_nobody_else_can_export_or_erase_a_workers_data(h, worker, settings):
    supervisor = Person.make("Sam Supervisor")
    await rich_history(h, worker, supervisor)
    intruder = Person.make("Ivy Intruder")
    await h.say(intruder, "hi")
    (confirm,) = await h.say(worker, "delete my data")
    refused = await press(h, intruder, button(confirm, "Yes, erase everything"))
    assert "nothing was erased" in refused[-1].words and NOTE in raw_files(settings)
    (link_card,) = await press(h, intruder, {"action": "data_export"})
    url = next(a["url"] for a in card_of(link_card)["actions"] if a["type"] == "Action.OpenUrl")
    exported = json.loads(await (await h.client.get(url.split("127.0.0.1:3978")[1])).text())
    assert NOTE not in json.dumps(exported) and worker.name not in json.dumps(exported)
    assert exported["records"]["profile"][0]["name"] == "Ivy Intruder"
