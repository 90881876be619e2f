"""Settings: when check-ins arrive, quiet hours, the quick pulse, and the worker's own 'low' level."""

from __future__ import annotations

from ..content.views import WordsAndRules
from ..rules import Schedule
from .base import Card, action, card, choice_input, help_now_action, text_block, text_input, toggle_input


def low_choices(content: WordsAndRules) -> list[int]:
    """The 'low' levels a worker may pick: the allowed range in steps of 4, with the default in it."""
    t = content.rules.thresholds
    return sorted({t.low, t.personal_low_max, *range(t.personal_low_min, t.personal_low_max + 1, 4)})


def settings_card(content: WordsAndRules, schedule: Schedule, current: str) -> Card:
    """The current schedule as a form to change."""
    m, words = content.messages.settings, content.messages.schedule
    t = content.rules.thresholds
    inputs = (
        choice_input("frequency", m.frequency_label, list(m.frequency_choices.items()), schedule.frequency)
        + choice_input("day", m.day_label, [(str(i), d) for i, d in enumerate(words.days)], str(schedule.day))
        + text_input("time", m.time_label, schedule.time)
        + text_input("timezone", m.timezone_label, schedule.timezone)
        + text_input("quiet_start", m.quiet_start_label, schedule.quiet_start)
        + text_input("quiet_end", m.quiet_end_label, schedule.quiet_end)
        + toggle_input("quiet_weekends", m.quiet_weekends_label, schedule.quiet_weekends)
        + toggle_input("pulse", m.pulse_label, schedule.pulse)
        + toggle_input("keep_answers", m.keep_answers_label, schedule.keep_answers)
        + choice_input(
            "low_threshold",
            m.low_label,
            [(str(v), str(v)) for v in low_choices(content)],
            str(schedule.low_threshold or t.low),
        )
    )
    actions = [action(m.save_button, "settings_save"), help_now_action(content)]
    return card([text_block(f"{m.intro}\n\n{current}")] + inputs, actions, current)
