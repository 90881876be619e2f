"""Settings: when check-ins arrive, quiet hours, the quick pulse, and the worker's own 'low' level."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Callable
from zoneinfo import available_timezones

from botbuilder.core import TurnContext

from .. import cards
from ..checkins import CheckinService
from ..clock import Clock
from ..content import Content
from ..rules import FREQUENCIES, at_local, in_quiet_hours, parse_hhmm
from .intent import Intent, pid_of
from .replies import send_card
from ..schedule_text import describe, next_text


ZONES = frozenset(available_timezones())  # read once, at import, never on the event loop


class SettingsDialogs:
    def __init__(self, service: CheckinService, content: Callable[[], Content], clock: Clock):
        self._service = service
        self._content = content
        self._clock = clock

    async def show(self, turn: TurnContext, intent: Intent) -> None:
        """Show the current schedule as a form to change."""
        content = self._content()
        schedule = await self._service.schedule_for(pid_of(turn))
        m, words = content.messages.settings, content.messages.schedule
        current = content.text("settings.current", schedule=describe(content, schedule),
                               next=next_text(content, schedule, self._clock.now()))
        t = content.rules.thresholds
        inputs = (
            cards.choice_input("frequency", m.frequency_label, list(m.frequency_choices.items()), schedule.frequency)
            + cards.choice_input("day", m.day_label, [(str(i), d) for i, d in enumerate(words.days)], str(schedule.day))
            + cards.text_input("time", m.time_label, schedule.time)
            + cards.text_input("timezone", m.timezone_label, schedule.timezone)
            + cards.text_input("quiet_start", m.quiet_start_label, schedule.quiet_start)
            + cards.text_input("quiet_end", m.quiet_end_label, schedule.quiet_end)
            + cards.toggle_input("quiet_weekends", m.quiet_weekends_label, schedule.quiet_weekends)
            + cards.toggle_input("pulse", m.pulse_label, schedule.pulse)
            + cards.toggle_input("keep_answers", m.keep_answers_label, schedule.keep_answers)
            + cards.choice_input("low_threshold", m.low_label, [(str(v), str(v)) for v in low_choices(content)],
                                 str(schedule.low_threshold or t.low))
        )
        actions = [{"type": "Action.Submit", "title": m.save_button, "data": {"action": "settings_save"}},
                   cards.help_now_action(content)]
        await send_card(turn, cards.form_card(f"{m.intro}\n\n{current}", inputs, actions, current))

    async def save(self, turn: TurnContext, intent: Intent) -> None:
        """Validate every field; save all of them or none."""
        content = self._content()
        changes, problems = parse_settings(content, intent.values)
        if not problems:
            probe = await self._service.schedule_for(pid_of(turn))
            problems += time_clash(content, probe, changes)
        if problems:
            await turn.send_activity(content.text("settings.invalid", problems="; ".join(problems) + "."))
            return
        schedule = await self._service.change_schedule(pid_of(turn), **changes)
        await turn.send_activity(content.text("settings.saved", schedule=describe(content, schedule),
                                              next=next_text(content, schedule, self._clock.now())))


def low_choices(content: Content) -> list[int]:
    """The 'low' levels a worker may pick: the allowed range in steps of 4, with the default in it."""
    t = content.rules.thresholds
    return sorted({t.low, t.personal_low_max, *range(t.personal_low_min, t.personal_low_max + 1, 4)})


def parse_settings(content: Content, values: dict) -> tuple[dict, list[str]]:
    """Card values (all strings) to schedule fields, and a plain-English list of what is wrong."""
    m = content.messages.settings
    allowed = set(content.rules.cadence.allowed)
    changes: dict = {}
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
        problems.append(content.text("settings.bad_low", lowest=str(t.personal_low_min), highest=str(t.personal_low_max)))
    return changes, problems


def time_clash(content: Content, current, changes: dict) -> list[str]:
    """A chosen time inside the worker's own quiet hours would never arrive on time: say so."""
    if changes.get("frequency") == "off":
        return []
    candidate = replace(current, **changes)
    probe_day = dt.date(2026, 1, 5) + dt.timedelta(days=candidate.day)  # a week with no clock change
    if in_quiet_hours(candidate, at_local(candidate, probe_day, candidate.time)):
        return [content.messages.settings.time_in_quiet_hours]
    return []
