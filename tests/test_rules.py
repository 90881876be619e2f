"""Pure scheduling and scoring rules, table-style, with daylight-saving dates and boundary scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from bot.rules import (
    PromptState,
    RequestRule,
    Schedule,
    Timing,
    add_months,
    at_local,
    band,
    counted,
    due_slot,
    in_quiet_hours,
    is_expired,
    latest_slot,
    new_schedule,
    next_check,
    reminder_due,
    repeated_low,
    request_decision,
    score,
    sendable_from,
)

UTC = dt.UTC
T = Timing()


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def london(*args) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)


def weekly(**kw) -> Schedule:
    base = {
        "frequency": "weekly",
        "day": 6,
        "time": "01:30",
        "quiet_weekends": False,
        "quiet_start": "23:00",
        "quiet_end": "00:30",
    }
    base.update(kw)
    return new_schedule(utc(2026, 1, 1), **base)


# Daylight saving: Sunday 29 March 2026 (01:00 GMT -> 02:00 BST) and Sunday 25 October 2026 (02:00 BST -> 01:00 GMT).


def test_spring_gap_time_resolves_to_after_the_gap():
    s = weekly()
    slot = latest_slot(s, utc(2026, 3, 29, 3))
    assert slot.id == "2026-03-29"
    assert slot.at == utc(2026, 3, 29, 1, 30)  # 01:30 does not exist; it is 02:30 BST = 01:30 UTC
    assert s.local(slot.at).strftime("%H:%M") == "02:30"


def test_autumn_repeated_time_is_one_slot_sent_once():
    s = weekly()
    first = latest_slot(s, utc(2026, 10, 25, 0, 31))  # 01:31 BST, the first 01:30 has passed
    assert first == latest_slot(s, utc(2026, 10, 25, 1, 45))  # 01:45 GMT, after the second 01:30
    assert first.at == utc(2026, 10, 25, 0, 30)
    log = {first.id: PromptState(first.id, "open", sent_at=first.at.isoformat())}
    for minute in range(0, 180):
        assert due_slot(s, log, utc(2026, 10, 25, 0, 30) + dt.timedelta(minutes=minute), T) is None


@pytest.mark.parametrize(
    "local_day,expected_utc_hour",
    [
        ((2026, 3, 25), 10),  # Wednesday before the change: GMT
        ((2026, 4, 1), 9),  # Wednesday after: BST, so 10:00 local is 09:00 UTC
        ((2026, 10, 21), 9),
        ((2026, 10, 28), 10),
    ],
)
def test_same_local_time_across_the_changes(local_day, expected_utc_hour):
    s = new_schedule(utc(2026, 1, 1), frequency="weekly", day=2, time="10:00")
    at = at_local(s, dt.date(*local_day), "10:00")
    assert at.hour == expected_utc_hour
    assert due_slot(s, {}, at + dt.timedelta(minutes=1), T).at == at


def test_each_minute_of_a_dst_week_gives_exactly_one_send():
    s = new_schedule(
        utc(2026, 3, 1),
        frequency="weekly",
        day=6,
        time="01:30",
        quiet_weekends=False,
        quiet_start="03:00",
        quiet_end="03:00",
    )
    sent: list[str] = []
    log: dict[str, PromptState] = {}
    now = utc(2026, 3, 27)
    while now < utc(2026, 4, 3):
        slot = due_slot(s, log, now, T)
        if slot:
            sent.append(slot.id)
            log[slot.id] = PromptState(slot.id, "open", sent_at=now.isoformat())
        now += dt.timedelta(minutes=1)
    assert sent == ["2026-03-29"]


def test_fortnightly_alternates_from_the_anchor_and_monthly_is_first_weekday():
    s = new_schedule(utc(2026, 11, 2, 9), frequency="fortnightly", day=2, time="10:00")
    assert s.anchor == "2026-11-04"
    days = {latest_slot(s, utc(2026, 11, d, 12)).id for d in range(4, 30)}
    assert days == {"2026-11-04", "2026-11-18"}
    m = new_schedule(utc(2026, 11, 2), frequency="monthly", day=0, time="10:00")
    assert latest_slot(m, utc(2026, 12, 20)).id == "2026-12-07"


def test_off_sends_nothing():
    s = new_schedule(utc(2026, 1, 1), frequency="off")
    assert due_slot(s, {}, utc(2026, 6, 1, 12), T) is None
    assert next_check(s, {}, utc(2026, 6, 1, 12), T) is None


# Quiet hours ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "local,quiet",
    [
        ((2026, 11, 25, 18, 59), False),
        ((2026, 11, 25, 19, 0), True),
        ((2026, 11, 26, 7, 59), True),
        ((2026, 11, 26, 8, 0), False),
        ((2026, 11, 28, 12, 0), True),  # Saturday
        ((2026, 11, 30, 8, 0), False),
    ],
)
def test_default_quiet_hours(local, quiet):
    s = new_schedule(utc(2026, 1, 1))
    assert in_quiet_hours(s, london(*local)) is quiet


def test_a_reminder_falling_in_quiet_hours_waits_for_them_to_end():
    s = new_schedule(utc(2026, 1, 1))
    friday_evening = london(2026, 11, 27, 20, 0)
    assert sendable_from(s, friday_evening) == london(2026, 11, 30, 8, 0)  # Monday 08:00
    night_shift = replace(s, quiet_start="09:00", quiet_end="17:00", quiet_weekends=False)
    assert sendable_from(night_shift, london(2026, 11, 25, 10)) == london(2026, 11, 25, 17)


def test_slot_inside_quiet_hours_is_sent_when_they_end():
    s = new_schedule(utc(2026, 11, 1), frequency="weekly", day=2, time="07:00")
    assert due_slot(s, {}, london(2026, 11, 25, 7, 30), T) is None
    assert due_slot(s, {}, london(2026, 11, 25, 8, 0), T).id == "2026-11-25"


# Pause, catch-up, reminders, expiry ----------------------------------------------------------------


def test_pause_suppresses_slots_and_they_are_not_caught_up_later():
    s = replace(new_schedule(utc(2026, 11, 1), frequency="weekly", day=2, time="10:00"), paused_until="2026-11-26")
    assert due_slot(s, {}, london(2026, 11, 25, 10, 1), T) is None
    assert due_slot(s, {}, london(2026, 11, 26, 10, 1), T) is None  # pause over, but that slot is gone
    assert due_slot(s, {}, london(2026, 12, 2, 10, 1), T).id == "2026-12-02"


def test_catch_up_after_downtime():
    s = new_schedule(utc(2026, 11, 1), frequency="weekly", day=2, time="10:00")
    assert due_slot(s, {}, london(2026, 11, 25, 12, 59), T).id == "2026-11-25"  # 2 h 59 late: still sent
    assert due_slot(s, {}, london(2026, 11, 25, 13, 0), T) is None  # 3 h late: skipped


def test_slots_before_the_schedule_existed_are_never_sent():
    s = new_schedule(london(2026, 11, 25, 10, 30), frequency="weekly", day=2, time="10:00")
    assert due_slot(s, {}, london(2026, 11, 25, 10, 31), T) is None


def prompt(sent: dt.datetime, **kw) -> PromptState:
    return PromptState("2026-11-25", kw.pop("status", "open"), sent_at=sent.isoformat(), **kw)


def test_one_reminder_after_24_hours_then_expiry_at_72():
    s = new_schedule(utc(2026, 11, 1), frequency="weekly", day=1, time="10:00")
    sent = london(2026, 11, 24, 10)
    p = prompt(sent)
    assert not reminder_due(s, p, sent + dt.timedelta(hours=23, minutes=59), T)
    assert reminder_due(s, p, sent + dt.timedelta(hours=24), T)
    assert not reminder_due(s, replace(p, reminded=True), sent + dt.timedelta(hours=25), T)
    assert not is_expired(p, sent + dt.timedelta(hours=71, minutes=59), T)
    assert is_expired(p, sent + dt.timedelta(hours=72), T)
    assert not is_expired(replace(p, status="answered"), sent + dt.timedelta(hours=100), T)


def test_no_reminder_while_paused_or_for_on_demand_check_ins():
    s = replace(new_schedule(utc(2026, 11, 1)), paused_until="2026-12-10")
    sent = london(2026, 11, 24, 10)
    assert not reminder_due(s, prompt(sent), sent + dt.timedelta(hours=24), T)
    assert not reminder_due(
        new_schedule(utc(2026, 11, 1)), prompt(sent, on_demand=True), sent + dt.timedelta(hours=24), T
    )


def test_reminder_missed_by_downtime_is_dropped():
    s = new_schedule(utc(2026, 11, 1))
    sent = london(2026, 11, 24, 10)
    assert not reminder_due(s, prompt(sent), sent + dt.timedelta(hours=27, minutes=1), T)


def test_next_check_points_at_the_next_event():
    s = new_schedule(utc(2026, 11, 1), frequency="weekly", day=2, time="10:00")
    now = london(2026, 11, 24, 12)
    assert next_check(s, {}, now, T) == london(2026, 11, 25, 10)
    sent = london(2026, 11, 25, 10)
    log = {"2026-11-25": prompt(sent)}
    assert next_check(s, log, sent, T) == sent + dt.timedelta(hours=24)


# Scoring -------------------------------------------------------------------------------------------

ITEMS = ("a", "b", "c", "d", "e")


@pytest.mark.parametrize(
    "values,total",
    [
        ({"a": "5", "b": "5", "c": "5", "d": "5", "e": "5"}, 100),
        ({"a": "0", "b": "0", "c": "0", "d": "0", "e": "0"}, 0),
        ({"a": "3", "b": "2", "c": "3", "d": "2", "e": "3"}, 52),
    ],
)
def test_who5_scoring(values, total):
    assert score(ITEMS, range(6), 4, values).total == total


@pytest.mark.parametrize(
    "values,missing,invalid",
    [
        ({"a": "5", "b": "5", "c": "5", "d": "5"}, ("e",), ()),
        ({"a": "5", "b": "5", "c": "5", "d": "5", "e": "6"}, (), ("e",)),
        ({"a": "5", "b": "-1", "c": "5", "d": "5", "e": "x"}, (), ("b", "e")),
        ({"a": "5", "b": "5", "c": "5", "d": "5", "e": " "}, ("e",), ()),
        ({"a": "5", "b": "5", "c": "5", "d": "5", "e": "2.0"}, (), ("e",)),
        ({"a": "5", "b": "5", "c": "5", "d": "5", "e": "05"}, (), ("e",)),
    ],
)
def test_bad_answers_give_no_total(values, missing, invalid):
    result = score(ITEMS, range(6), 4, values)
    assert result.total is None and result.missing == missing and result.invalid == invalid


@pytest.mark.parametrize(
    "total,expected", [(0, "very_low"), (28, "very_low"), (32, "low"), (50, "low"), (52, "ok"), (100, "ok")]
)
def test_bands_at_the_boundaries(total, expected):
    assert band(total, low=50, very_low=28) == expected


@pytest.mark.parametrize(
    "bands,expected",
    [
        (["low", "low"], True),
        (["ok", "low"], False),
        (["low", "ok", "low"], True),
        (["low", "ok", "ok", "low"], False),
        (["very_low"], False),
        (["very_low", "low"], True),
        ([], False),
    ],
)
def test_repeated_low(bands, expected):
    assert repeated_low(bands) is expected


# The supervisor request rule ----------------------------------------------------------------------------

D = dt.date(2026, 11, 25)


def days_ago(*pairs) -> list[tuple[dt.date, str]]:
    """(days ago, band) pairs, given oldest first."""
    return [(D - dt.timedelta(days=n), b) for n, b in pairs]


@pytest.mark.parametrize(
    "history,expected",
    [
        ([(0, "low")], ["low"]),
        ([(0, "ok"), (0, "low")], ["low"]),  # minutes apart: only the latest counts
        ([(7, "low"), (0, "low")], ["low", "low"]),
        ([(6, "low"), (0, "low")], ["low"]),  # less than 7 days apart
        ([(20, "low"), (14, "ok"), (10, "low"), (0, "low")], ["low", "low", "low"]),  # 14 is within 7 days of 10
        ([(57, "low"), (0, "low")], ["low"]),  # outside the 8-week window
        ([(56, "low"), (0, "low")], ["low", "low"]),
    ],
)
def test_counted_check_ins_are_spaced_and_recent(history, expected):
    assert counted(days_ago(*history), D, every_days=7, window_days=56) == expected


def decide(history, mode="auto", sent=None, declined=None, paused=False):
    now = dt.datetime.combine(D, dt.time(10), tzinfo=UTC)
    at = lambda days: None if days is None else now - dt.timedelta(days=days)  # noqa: E731
    return request_decision(days_ago(*history), D, now, mode, at(sent), at(declined), paused, RequestRule())


@pytest.mark.parametrize(
    "history,mode,sent,declined,paused,expected",
    [
        ([(7, "low"), (0, "low")], "auto", None, None, False, "send"),
        ([(7, "low"), (0, "low")], "ask", None, None, False, "offer"),
        ([(0, "very_low")], "auto", None, None, False, "offer"),  # one very low score never sends by itself
        ([(0, "low")], "auto", None, None, False, "none"),
        ([(0, "low"), (0, "very_low")], "auto", None, None, False, "offer"),  # same day: one data point
        ([(7, "low"), (0, "ok")], "auto", None, None, False, "none"),
        ([(14, "low"), (7, "ok"), (0, "low")], "auto", None, None, False, "send"),  # 2 of the last 3
        ([(7, "low"), (0, "low")], "auto", 10, None, False, "none"),  # a request was sent 10 days ago
        ([(7, "very_low"), (0, "very_low")], "auto", 10, None, False, "none"),  # whatever the scores
        ([(7, "low"), (0, "low")], "auto", 29, None, False, "send"),
        ([(7, "low"), (0, "low")], "ask", None, 10, False, "none"),  # declined 10 days ago
        ([(7, "low"), (0, "very_low")], "ask", None, 10, False, "offer"),  # unless very low
        ([(7, "low"), (0, "low")], "auto", None, None, True, "none"),  # paused
    ],
)
def test_request_decision(history, mode, sent, declined, paused, expected):
    assert decide(history, mode, sent, declined, paused) == expected


@pytest.mark.parametrize(
    "start,months,expected",
    [
        (utc(2026, 1, 31), 1, utc(2026, 2, 28)),
        (utc(2028, 1, 31), 1, utc(2028, 2, 29)),
        (utc(2026, 8, 15), 6, utc(2027, 2, 15)),
        (utc(2026, 12, 1), 12, utc(2027, 12, 1)),
        (utc(2026, 3, 31), -1, utc(2026, 2, 28)),
        (utc(2026, 11, 26), -12, utc(2025, 11, 26)),
    ],
)
def test_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


def test_next_check_is_now_when_a_slot_is_still_inside_its_catch_up_window():
    s = new_schedule(utc(2026, 11, 1), frequency="weekly", day=2, time="10:00")
    late = london(2026, 11, 25, 11, 0)  # e.g. just restarted after an hour down
    assert next_check(s, {}, late, T) == late
    assert next_check(s, {}, london(2026, 11, 25, 13, 1), T) == london(2026, 12, 2, 10)


def test_next_check_is_now_for_a_prompt_that_should_be_expired():
    s = new_schedule(utc(2026, 11, 1), frequency="weekly", day=2, time="10:00")
    sent = london(2026, 11, 25, 10)
    log = {"2026-11-25": prompt(sent, reminded=True)}
    later = sent + dt.timedelta(hours=80)
    assert next_check(s, log, later, T) == later
