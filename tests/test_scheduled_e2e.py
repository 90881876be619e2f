"""Scheduled prompts through the real app: ticks on an injected clock, proactive sends to the fake connector."""

from __future__ import annotations

import datetime as dt

import pytest

from app import TICKER
from tests.test_checkins_e2e import answers, card_of, pid_of, services, stored, submit


@pytest.fixture
def settings(engine_settings):
    """Every test here runs on both storage engines: the embedded TinyDB files and PostgreSQL."""
    return engine_settings


UTC = dt.UTC
WEDNESDAY_10 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # the default slot (GMT, so UTC = London)


async def tick(h, at: dt.datetime | None = None):
    if at is not None:
        h.clock._now = at
    return await h.app[TICKER].tick()


def proactive(h):
    """Sends that were not replies to a worker's message (the SDK gives them a fresh random id)."""
    return [c for c in h.connector.sent if not c.path.rsplit("/", 1)[1].startswith("f:")]


async def test_prompt_arrives_on_schedule_once_across_double_ticks_and_restart(harness, worker):
    await harness.say(worker, "hi")
    await tick(harness, WEDNESDAY_10 - dt.timedelta(minutes=1))
    assert proactive(harness) == []
    await tick(harness, WEDNESDAY_10)
    await tick(harness, WEDNESDAY_10)
    (call,) = proactive(harness)
    assert call.path.startswith(f"/v3/conversations/{worker.conversation_id}/activities/")
    assert "Here's your check-in" in call.words and len(card_of(call)["body"]) > 5
    await harness.restart()
    await tick(harness, WEDNESDAY_10 + dt.timedelta(minutes=1))
    assert len(proactive(harness)) == 1


async def test_answering_a_scheduled_prompt(harness, worker):
    await harness.say(worker, "hi")
    await tick(harness, WEDNESDAY_10)
    (call,) = proactive(harness)
    await submit(harness, worker, call, answers(card_of(call), [4, 4, 4, 4, 4]))
    assert (await stored(harness, worker))[0].total == 80
    assert harness.connector.updated[-1].path.endswith(call.response_id)


async def test_one_reminder_then_expiry_and_nothing_counted(harness, worker):
    await harness.say(worker, "hi")
    await tick(harness, WEDNESDAY_10)
    (card_call,) = proactive(harness)
    await tick(harness, WEDNESDAY_10 + dt.timedelta(hours=23, minutes=59))
    assert len(proactive(harness)) == 1
    await tick(harness, WEDNESDAY_10 + dt.timedelta(hours=24))
    await tick(harness, WEDNESDAY_10 + dt.timedelta(hours=25))
    reminders = proactive(harness)[1:]
    assert len(reminders) == 1 and "still there" in reminders[0].words and "No pressure" in reminders[0].words
    await tick(harness, WEDNESDAY_10 + dt.timedelta(hours=72))
    assert len(proactive(harness)) == 2
    sent = await submit(harness, worker, card_call, answers(card_of(card_call), [1, 1, 1, 1, 1]))
    assert "has closed" in sent[0].words
    assert await stored(harness, worker) == []
    (prompt,) = await services(harness).bot.records.prompts.all(await pid_of(harness, worker))
    assert prompt.status == "expired"


@pytest.mark.parametrize("late,sent", [(dt.timedelta(hours=2, minutes=59), 1), (dt.timedelta(hours=3, minutes=1), 0)])
async def test_catch_up_after_downtime(harness, worker, late, sent):
    await harness.say(worker, "hi")
    await tick(harness, WEDNESDAY_10 + late)  # the first tick after the bot was down
    assert len(proactive(harness)) == sent


async def test_no_prompt_during_a_pause_and_welcome_back_after(harness, worker):
    await harness.say(worker, "hi")
    from tests.teams import card_submit

    await harness.send(card_submit(worker, harness.connector.url, {"action": "pause_set", "weeks": "1"}))
    await tick(harness, WEDNESDAY_10)
    assert proactive(harness) == []
    await tick(harness, WEDNESDAY_10 + dt.timedelta(days=14))
    first, card = proactive(harness)
    assert "Welcome back" in first.words and card.cards


async def test_quiet_hours_hold_a_reminder_until_they_end(harness, worker):
    from tests.teams import card_submit

    await harness.say(worker, "hi")
    await harness.send(
        card_submit(
            worker,
            harness.connector.url,
            {
                "action": "settings_save",
                "frequency": "weekly",
                "day": "4",
                "time": "18:30",
                "timezone": "Europe/London",
                "quiet_start": "19:00",
                "quiet_end": "08:00",
                "quiet_weekends": "true",
                "pulse": "false",
                "keep_answers": "false",
                "low_threshold": "50",
            },
        )
    )
    friday = dt.datetime(2026, 11, 27, 18, 30, tzinfo=UTC)
    await tick(harness, friday)
    assert len(proactive(harness)) == 1
    for at in (friday + dt.timedelta(hours=24), dt.datetime(2026, 11, 30, 7, 59, tzinfo=UTC)):
        await tick(harness, at)  # Saturday evening, then Monday before 08:00: quiet
        assert len(proactive(harness)) == 1
    await tick(harness, dt.datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    assert len(proactive(harness)) == 2 and "still there" in proactive(harness)[1].words


async def test_slot_missed_while_the_bot_was_down_is_sent_after_restart_within_catch_up(harness, worker):
    await harness.say(worker, "hi")
    await harness.stop()
    harness.clock._now = WEDNESDAY_10 + dt.timedelta(hours=1)
    await harness.start()  # start-up rebuilds the due index from storage
    await tick(harness)
    assert len(proactive(harness)) == 1
    await tick(harness, WEDNESDAY_10 + dt.timedelta(hours=1, minutes=1))
    assert len(proactive(harness)) == 1


async def test_a_check_in_whose_sender_stopped_before_teams_saw_it_is_sent_after_restart(harness, worker):
    from bot.records.prompts import PromptRecord

    await harness.say(worker, "hi")
    pid = await pid_of(harness, worker)
    reserved = PromptRecord("2026-11-25", "n1", "who5", "sending", WEDNESDAY_10.isoformat(), owner="gone")
    await services(harness).bot.records.prompts.reserve(pid, reserved, WEDNESDAY_10)
    await harness.restart()
    await tick(harness, WEDNESDAY_10)
    (call,) = proactive(harness)  # sent once, now: the stopped sender never reached Teams
    assert "Here's your check-in" in call.words
    (prompt,) = await services(harness).bot.records.prompts.all(pid)
    assert prompt.status == "open" and prompt.nonce != "n1"


# Faults from Teams -----------------------------------------------------------------------------------


async def test_429_with_retry_after_is_honoured(harness, worker):
    await harness.say(worker, "hi")
    harness.connector.fail_next(429, Retry_After="7")
    await tick(harness, WEDNESDAY_10)
    assert len(proactive(harness)) == 2  # the refused attempt, then the delivered one
    assert 7.0 in harness.sleep.waits


async def test_429_without_retry_after_backs_off_with_jitter(harness, worker):
    await harness.say(worker, "hi")
    harness.connector.fail_next(429, times=2)
    await tick(harness, WEDNESDAY_10)
    assert len(proactive(harness)) == 3
    backoffs = [w for w in harness.sleep.waits if w > 0.1]
    assert 0.5 <= backoffs[0] <= 1.0 and 1.0 <= backoffs[1] <= 2.0


async def test_503_is_retried_and_delivered(harness, worker):
    await harness.say(worker, "hi")
    harness.connector.fail_next(503)
    harness.connector.fail_next(502)
    report = await services(harness).bot.prompting.send_due(WEDNESDAY_10)
    assert report.sent == 1 and len(proactive(harness)) == 3


async def test_403_marks_unreachable_until_the_worker_writes_again(harness, worker):
    await harness.say(worker, "hi")
    harness.connector.fail_next(403)
    await tick(harness, WEDNESDAY_10)
    assert len(proactive(harness)) == 1  # one attempt, never retried
    pid = await pid_of(harness, worker)
    assert (await services(harness).bot.records.workers.get(pid)).unreachable
    await tick(harness, WEDNESDAY_10 + dt.timedelta(days=14))
    assert len(proactive(harness)) == 1  # no further prompts
    await harness.say(worker, "hello")
    assert not (await services(harness).bot.records.workers.get(pid)).unreachable
    await tick(harness, WEDNESDAY_10 + dt.timedelta(days=28))
    assert len(proactive(harness)) == 2


async def test_a_send_that_keeps_failing_is_recorded_not_repeated(harness, worker):
    await harness.say(worker, "hi")
    harness.connector.fail_next(503, times=10)
    report = await services(harness).bot.prompting.send_due(WEDNESDAY_10)
    assert report.undelivered == 1
    await tick(harness, WEDNESDAY_10 + dt.timedelta(minutes=5))
    (prompt,) = await services(harness).bot.records.prompts.all(await pid_of(harness, worker))
    assert prompt.status == "undelivered"


async def test_uninstalled_worker_gets_nothing(harness, worker):
    from tests.teams import installation

    await harness.say(worker, "hi")
    await harness.send(installation(worker, harness.connector.url, "remove"))
    await tick(harness, WEDNESDAY_10)
    assert proactive(harness) == []


async def test_repeated_429s_pause_every_sender_together(harness, worker):
    await harness.say(worker, "hi")
    harness.connector.fail_next(429, times=3, Retry_After="1")
    await tick(harness, WEDNESDAY_10)
    assert len(proactive(harness)) == 4
    limits = services(harness).messenger.limits
    assert any(w >= limits.throttle_pause - 1.01 for w in harness.sleep.waits), harness.sleep.waits


async def test_quick_pulse_fills_the_weeks_between_check_ins(harness, worker):
    from tests.teams import card_submit

    await harness.say(worker, "hi")
    await harness.send(
        card_submit(
            worker,
            harness.connector.url,
            {
                "action": "settings_save",
                "frequency": "fortnightly",
                "day": "2",
                "time": "10:00",
                "timezone": "Europe/London",
                "quiet_start": "19:00",
                "quiet_end": "08:00",
                "quiet_weekends": "true",
                "pulse": "true",
                "keep_answers": "false",
                "low_threshold": "50",
            },
        )
    )
    await tick(harness, WEDNESDAY_10)
    await tick(harness, WEDNESDAY_10 + dt.timedelta(days=7))
    main, pulse = proactive(harness)
    assert len([b for b in card_of(main)["body"] if b["type"] == "Input.ChoiceSet"]) == 5
    pulse_card = card_of(pulse)
    (item,) = [b for b in pulse_card["body"] if b["type"] == "Input.ChoiceSet"]
    save = next(a for a in pulse_card["actions"] if a["title"] == "Save")["data"]
    sent = await submit(harness, worker, pulse, {**save, item["id"]: "1"})
    assert "Thanks for checking in" in sent[0].words and "Samaritans" not in sent[0].words
    (record,) = await stored(harness, worker)
    assert record.instrument == "pulse" and record.total == 1


async def test_skipped_and_expired_check_ins_store_nothing_and_reach_nobody_else(harness, worker):
    from tests.teams import Person

    other = Person.make("Colleague")
    await harness.say(other, "hi")
    await harness.say(worker, "hi")
    await tick(harness, WEDNESDAY_10)
    calls = list(proactive(harness))
    for call in calls:
        skip = next(a for a in card_of(call)["actions"] if a["title"] == "Skip this time")["data"]
        person = worker if call.conversation_id == worker.conversation_id else other
        if person is worker:
            await submit(harness, worker, call, skip)
    await tick(harness, WEDNESDAY_10 + dt.timedelta(hours=73))  # the colleague's prompt expires
    assert await stored(harness, worker) == [] and await stored(harness, other) == []
    other_conversation = [c for c in harness.connector.calls if c.conversation_id == other.conversation_id]
    assert all("Skipped" not in (c.body or {}).get("text", "") for c in other_conversation)


async def test_changing_the_time_after_todays_check_in_went_out_starts_from_the_next_one(harness, worker):
    from tests.teams import card_submit

    await harness.say(worker, "hi")
    await tick(harness, WEDNESDAY_10)
    assert len(proactive(harness)) == 1  # today's check-in went out at 10:00
    harness.clock._now = WEDNESDAY_10 + dt.timedelta(hours=1)
    (form,) = await harness.say(worker, "settings")
    assert "Wednesday 25 November" not in form.words  # never promised again today
    values = {b["id"]: b.get("value") for b in card_of(form)["body"] if b.get("id")}
    (saved,) = await harness.send(
        card_submit(worker, harness.connector.url, {"action": "settings_save", **values, "time": "15:00"})
    )
    assert "starts from the next one" in saved.words and "Wednesday 9 December at 15:00" in saved.words
    await tick(harness, WEDNESDAY_10.replace(hour=15))
    assert len(proactive(harness)) == 1  # and indeed nothing more today
