"""Check-ins through the real endpoint and the fake connector, with an injected clock and no sleeping."""

from __future__ import annotations

import re

import pytest

from bot.teams.web import SERVICES
from tests.teams import Person, card_submit


@pytest.fixture
def settings(engine_settings):
    """Every test here runs on both storage engines: the embedded TinyDB files and PostgreSQL."""
    return engine_settings


def services(h):
    return h.app[SERVICES]


async def pid_of(h, person: Person) -> str:
    workers = services(h).bot.records.workers
    for pid in await workers.all_pids():
        if (await workers.get(pid)).user_id == person.user_id:
            return pid
    raise AssertionError("worker not stored")


def card_of(call) -> dict:
    (card,) = call.cards
    return card


def answers(card: dict, values: list[int]) -> dict:
    inputs = [b["id"] for b in card["body"] if b["type"] == "Input.ChoiceSet"]
    save = next(a for a in card["actions"] if a["title"] == "Save")
    return {**save["data"], **{i: str(v) for i, v in zip(inputs, values, strict=True)}}


async def start_checkin(h, person: Person):
    await h.say(person, "hi")
    (card_call,) = await h.say(person, "check in")
    return card_call, card_of(card_call)


async def submit(h, person: Person, card_call, value: dict):
    """Press a button on the card that `card_call` delivered (Teams sends the card's id as replyToId)."""
    return await h.send(card_submit(person, h.connector.url, value, reply_to=card_call.response_id))


async def stored(h, person: Person):
    return await services(h).bot.records.checkins.list(await pid_of(h, person))


# The card ------------------------------------------------------------------------------------------


async def test_checkin_card_is_one_accessible_card(harness, worker):
    _, card = await start_checkin(harness, worker)
    assert card["version"] == "1.5"  # what Teams renders on desktop, web and mobile
    body = card["body"]
    inputs = [b for b in body if b["type"] == "Input.ChoiceSet"]
    assert len(inputs) == 5 and all(i["style"] == "expanded" and not i["value"] for i in inputs)
    # Each question is its choices' own label: a screen reader says it with every answer.
    assert [i["label"][:3] for i in inputs] == ["1. ", "2. ", "3. ", "4. ", "5. "]
    assert all(b.get("wrap") for b in card["body"] if b["type"] == "TextBlock")
    titles = [a["title"] for a in card["actions"]]
    assert titles == ["Get help now", "Save", "Skip this time", "Pause check-ins"]
    assert "cheerful and in good spirits" in inputs[0]["label"]


# The whole conversation ------------------------------------------------------------------------------


async def test_submit_saves_replaces_the_card_and_never_echoes_the_score(harness, worker):
    call, card = await start_checkin(harness, worker)
    sent = await submit(harness, worker, call, answers(card, [4, 4, 3, 4, 4]))  # 19 x 4 = 76
    (update,) = harness.connector.updated
    assert update.path == f"/v3/conversations/{worker.conversation_id}/activities/{call.response_id}"
    assert update.body["text"] == "Saved, thanks." and not update.body.get("attachments")
    assert len(sent) == 1 and "Thanks for checking in" in sent[0].words
    for call_ in harness.connector.calls:
        assert not re.search(r"\b(76|19)\b", call_.words if hasattr(call_, "words") else "")
    (record,) = await stored(harness, worker)
    assert (record.instrument, record.total, record.answers, record.date) == ("who5", 76, None, "2026-11-23")


async def test_double_submit_records_nothing_new(harness, worker):
    call, card = await start_checkin(harness, worker)
    value = answers(card, [3, 3, 3, 3, 3])
    await submit(harness, worker, call, value)
    again = await submit(harness, worker, call, value)
    assert "already saved" in again[0].words
    assert len(await stored(harness, worker)) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"cheerful": ""},
        {"calm": "7"},
        {"active": "x"},
        {"rested": "-1"},
        {"interest": "2.5"},
    ],
)
async def test_invalid_submit_re_asks_kindly_and_stores_nothing(harness, worker, change):
    call, card = await start_checkin(harness, worker)
    value = {**answers(card, [3, 3, 3, 3, 3]), **change}
    sent = await submit(harness, worker, call, value)
    assert "Nothing was saved yet" in sent[0].words
    assert harness.connector.updated == []
    assert await stored(harness, worker) == []
    await submit(harness, worker, call, answers(card, [3, 3, 3, 3, 3]))
    assert len(await stored(harness, worker)) == 1


async def test_forged_or_other_workers_card_changes_nothing(harness, worker):
    call, card = await start_checkin(harness, worker)
    forged = {**answers(card, [5, 5, 5, 5, 5]), "nonce": "made-up"}
    assert "has closed" in (await submit(harness, worker, call, forged))[0].words
    other = Person.make("Other")
    await harness.say(other, "hi")
    sent = await submit(harness, other, call, answers(card, [0, 0, 0, 0, 0]))
    assert "has closed" in sent[0].words
    assert await stored(harness, worker) == [] and await stored(harness, other) == []


async def test_expired_card_is_refused(harness, worker):
    call, card = await start_checkin(harness, worker)
    harness.clock.advance(hours=73)
    sent = await submit(harness, worker, call, answers(card, [3, 3, 3, 3, 3]))
    assert "has closed" in sent[0].words and await stored(harness, worker) == []


async def test_skip_replaces_the_card_and_stores_nothing(harness, worker):
    call, card = await start_checkin(harness, worker)
    skip = next(a for a in card["actions"] if a["title"] == "Skip this time")["data"]
    await submit(harness, worker, call, skip)
    assert "Skipped" in harness.connector.updated[-1].body["text"]
    assert await stored(harness, worker) == []


async def test_typed_answers_work_where_cards_do_not(harness, worker):
    await start_checkin(harness, worker)
    sent = await harness.say(worker, "3 4 2 5 1")
    assert "Saved, thanks." in sent[0].words
    assert (await stored(harness, worker))[0].total == 60
    assert "no check-in waiting" in (await harness.say(worker, "1 2 3 4 5"))[0].words


async def test_typed_answers_out_of_range_re_ask(harness, worker):
    await start_checkin(harness, worker)
    sent = await harness.say(worker, "3 4 9 5 1")
    assert "Nothing was saved yet" in sent[0].words and "type one number for each question" in sent[0].words
    assert "not a number I can use: 3." in sent[0].words and "press" not in sent[0].words


@pytest.mark.parametrize(
    "values,contacts",
    [
        ([2, 2, 3, 2, 3], False),  # 48: low
        ([1, 1, 1, 1, 2], True),  # 24: very low: support options straight away
    ],
)
async def test_low_and_very_low_get_support_options_and_only_very_low_the_contacts(harness, worker, values, contacts):
    call, card = await start_checkin(harness, worker)
    sent = await submit(harness, worker, call, answers(card, values))
    words = "\n".join(s.words for s in sent)
    assert "Thanks for checking in" in words and "My plan" in words and "From the guide" in words
    assert ("116 123" in words) is contacts
    assert "depress" not in words.lower() and "risk" not in words.replace("is at risk", "")


# Settings and pause ----------------------------------------------------------------------------------


async def settings_card(h, person):
    (call,) = await h.say(person, "settings")
    return call, card_of(call)


def form_values(card: dict, **changes) -> dict:
    values = {b["id"]: b.get("value", "") for b in card["body"] if b["type"].startswith("Input.")}
    save = next(a for a in card["actions"] if a["data"].get("action") == "settings_save")
    return {**values, **save["data"], **changes}


async def test_settings_show_current_and_save_a_new_rhythm(harness, worker):
    await harness.say(worker, "hi")
    call, card = await settings_card(harness, worker)
    assert "every other Wednesday at 10:00 (Europe/London)" in call.words
    sent = await harness.send(
        card_submit(
            worker,
            harness.connector.url,
            form_values(card, frequency="weekly", day="0", time="14:30", timezone="America/New_York"),
        )
    )
    assert "every Monday at 14:30 (America/New_York)" in sent[0].words
    assert "The next one is on Monday 23 November at 14:30" in sent[0].words
    schedule = await services(harness).bot.schedules.of(await pid_of(harness, worker))
    assert (schedule.frequency, schedule.day, schedule.time, schedule.timezone) == (
        "weekly",
        0,
        "14:30",
        "America/New_York",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"time": "25:00"},
        {"timezone": "Mars/Olympus"},
        {"frequency": "hourly"},
        {"day": "9"},
        {"quiet_start": "late"},
        {"low_threshold": "90"},
        {"time": "20:00"},  # inside default quiet hours
    ],
)
async def test_impossible_settings_change_nothing(harness, worker, change):
    await harness.say(worker, "hi")
    _, card = await settings_card(harness, worker)
    pid = await pid_of(harness, worker)
    before = await services(harness).bot.schedules.of(pid)
    sent = await harness.send(card_submit(worker, harness.connector.url, form_values(card, **change)))
    assert "Nothing was changed" in sent[0].words
    assert await services(harness).bot.schedules.of(pid) == before


async def test_pause_resume_and_welcome_back(harness, worker):
    await harness.say(worker, "hi")
    (call,) = await harness.say(worker, "pause")
    two_weeks = next(a for a in card_of(call)["actions"] if a["title"] == "2 weeks")["data"]
    sent = await harness.send(card_submit(worker, harness.connector.url, two_weeks))
    assert sent == []  # the pause card itself became the answer: one message, no stale buttons
    (update,) = harness.connector.updated
    assert "Paused until Monday 7 December" in update.body["text"] and "already" not in update.body["text"]
    assert "paused until Monday 7 December" in (await harness.say(worker, "pause"))[0].words
    sent = await harness.say(worker, "resume")
    assert "Welcome back" in sent[0].words and "nothing to catch up on" in sent[0].words
    assert "aren't paused" in (await harness.say(worker, "resume"))[0].words


@pytest.mark.parametrize(
    "value", [{"until": "2020-01-01"}, {"until": "next week"}, {"until": "2030-01-01"}, {"weeks": "3"}]
)
async def test_bad_pause_dates_change_nothing(harness, worker, value):
    await harness.say(worker, "hi")
    sent = await harness.send(card_submit(worker, harness.connector.url, {"action": "pause_set", **value}))
    assert "Nothing was changed" in sent[0].words
    pid = await pid_of(harness, worker)
    assert (await services(harness).bot.schedules.of(pid)).paused_until is None
