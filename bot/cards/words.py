"""A schedule and its next check-in, in the worker's own words and time zone."""

from __future__ import annotations

import datetime as dt
from typing import Literal, cast

from ..content.views import Words
from ..rules import Schedule, effective, is_paused, next_slot, sendable_from


def describe(content: Words, schedule: Schedule) -> str:
    words = content.messages.schedule
    if schedule.frequency == "off":
        return words.off
    frequency = cast(
        Literal["weekly", "fortnightly", "monthly"], schedule.frequency
    )  # checked against FREQUENCIES when saved
    when = content.fill(words.frequencies[frequency], day=words.days[schedule.day])
    return content.fill(words.summary, when=when, time=schedule.time, timezone=schedule.timezone)


def local_date(content: Words, schedule: Schedule, instant: dt.datetime) -> str:
    words = content.messages.schedule
    local = schedule.local(instant)
    return content.fill(
        content.messages.schedule.date,
        weekday=words.days[local.weekday()],
        day=str(local.day),
        month=words.months[local.month - 1],
        time=local.strftime("%H:%M"),
    )


def local_day(content: Words, day: dt.date) -> str:
    """'Wednesday 9 December'."""
    words = content.messages.schedule
    return content.fill(
        content.messages.schedule.day,
        weekday=words.days[day.weekday()],
        day=str(day.day),
        month=words.months[day.month - 1],
    )


def next_text(content: Words, schedule: Schedule, now: dt.datetime, taken: frozenset[str] = frozenset()) -> str:
    """'The next one is on Wednesday 9 December at 10:00.' (after any pause and quiet hours). A slot
    already sent (`taken`: slot ids in the prompt log) is never promised again: a time changed on the
    day of a check-in that already went out starts from the next one, and says so."""
    probe, skipped_today = now, False
    for _ in range(60):
        slot = next_slot(effective(schedule), probe)
        if slot is None:
            break
        if slot.id in taken:
            skipped_today = skipped_today or slot.id == schedule.local(now).date().isoformat()
        elif not is_paused(schedule, slot.at):
            text = content.fill(
                content.messages.schedule.next, when=local_date(content, schedule, sendable_from(schedule, slot.at))
            )
            return f"{text} {content.messages.settings.from_next_time}" if skipped_today else text
        probe = slot.at
    return content.messages.settings.no_next


def day_words(content: Words, iso_date: str) -> str:
    """'2026-11-26' (or a timestamp) as 'Thursday 26 November': one date style everywhere."""
    try:
        return local_day(content, dt.date.fromisoformat(iso_date[:10]))
    except ValueError:
        return iso_date
