"""Settings: when check-ins arrive, quiet hours, the quick pulse, and the worker's own 'low' level."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from zoneinfo import available_timezones

from ..cards.settings import settings_card
from ..cards.words import describe, next_text
from ..clock import Clock
from ..content.views import WordsAndRules
from ..conversation import Conversation
from ..rules import FREQUENCIES, Schedule, at_local, in_quiet_hours, parse_hhmm
from ..usecases.checkins import Checkins
from ..usecases.schedules import Schedules
from .intent import Intent
from .registry import card_action, command

ZONES = frozenset(available_timezones())  # read once, at import, never on the event loop


class SettingsDialogs:
    def __init__(self, schedules: Schedules, checkins: Checkins, content: Callable[[], WordsAndRules], clock: Clock):
        self._schedules = schedules
        self._checkins = checkins
        self._content = content
        self._clock = clock

    @command("settings")
    async def show(self, chat: Conversation) -> None:
        """Show the current schedule as a form to change."""
        content = self._content()
        schedule = await self._schedules.of(chat.worker)
        current = content.fill(
            content.messages.settings.current,
            schedule=describe(content, schedule),
            next=next_text(content, schedule, self._clock.now(), await self._checkins.slots_taken(chat.worker)),
        )
        await chat.send_card(settings_card(content, schedule, current))

    @card_action("settings_save")
    async def save(self, chat: Conversation, intent: Intent) -> None:
        """Validate every field; save all of them or none."""
        content = self._content()
        changes, problems = parse_settings(content, intent.values)
        if not problems:
            problems += time_clash(content, await self._schedules.of(chat.worker), changes)
        if problems:
            await chat.send_text(content.fill(content.messages.settings.invalid, problems="; ".join(problems) + "."))
            return
        schedule = await self._schedules.change(chat.worker, **changes)
        await chat.send_text(
            content.fill(
                content.messages.settings.saved,
                schedule=describe(content, schedule),
                next=next_text(content, schedule, self._clock.now(), await self._checkins.slots_taken(chat.worker)),
            )
        )


def parse_settings(content: WordsAndRules, values: dict) -> tuple[dict[str, Any], list[str]]:
    """Card values (all strings) to schedule fields, and a plain-English list of what is wrong."""
    m = content.messages.settings
    allowed = set(content.rules.cadence.allowed)
    changes: dict[str, Any] = {}
    problems: list[str] = []
    frequency = str(values.get("frequency", ""))
    if frequency in FREQUENCIES and frequency in allowed:
        changes["frequency"] = frequency
    else:
        problems.append(m.bad_frequency)
    day = str(values.get("day", ""))
    if day.isdigit() and 0 <= int(day) <= 6:
        changes["day"] = int(day)
    else:
        problems.append(m.bad_day)
    try:
        changes["time"] = parse_hhmm(str(values.get("time", ""))).strftime("%H:%M")
    except ValueError:
        problems.append(m.bad_time)
    zone = str(values.get("timezone", "")).strip()
    # Checked against the list of zone names, so nothing a person typed is ever looked up as a file.
    if zone in ZONES and ("/" in zone or zone == "UTC"):
        changes["timezone"] = zone
    else:
        problems.append(m.bad_timezone)
    try:
        changes["quiet_start"] = parse_hhmm(str(values.get("quiet_start", ""))).strftime("%H:%M")
        changes["quiet_end"] = parse_hhmm(str(values.get("quiet_end", ""))).strftime("%H:%M")
    except ValueError:
        problems.append(m.bad_quiet)
    for flag in ("quiet_weekends", "pulse", "keep_answers"):
        changes[flag] = str(values.get(flag, "false")).lower() == "true"
    t = content.rules.thresholds
    low = str(values.get("low_threshold", str(t.low)))
    if low.isdigit() and t.personal_low_min <= int(low) <= t.personal_low_max:
        changes["low_threshold"] = None if int(low) == t.low else int(low)
    else:
        problems.append(
            content.fill(
                content.messages.settings.bad_low, lowest=str(t.personal_low_min), highest=str(t.personal_low_max)
            )
        )
    return changes, problems


def time_clash(content: WordsAndRules, current: Schedule, changes: dict[str, Any]) -> list[str]:
    """A chosen time inside the worker's own quiet hours would never arrive on time: say so."""
    if changes.get("frequency") == "off":
        return []
    candidate = replace(current, **changes)
    probe_day = dt.date(2026, 1, 5) + dt.timedelta(days=candidate.day)  # a week with no clock change
    if in_quiet_hours(candidate, at_local(candidate, probe_day, candidate.time)):
        return [content.messages.settings.time_in_quiet_hours]
    return []
