"""The values in rules.yaml as the pure rules' own types."""

from __future__ import annotations

import datetime as dt

from ..content.views import Rules
from ..rules import RequestRule, Schedule, Timing


def timing_of(content: Rules) -> Timing:
    r = content.rules
    return Timing(
        dt.timedelta(hours=r.reminder_after_hours),
        dt.timedelta(hours=r.expire_after_hours),
        dt.timedelta(hours=r.catch_up_hours),
    )


def request_rule(content: Rules) -> RequestRule:
    r = content.rules
    return RequestRule(
        consecutive=r.repeated_low.consecutive,
        within=r.repeated_low.within,
        of_last=r.repeated_low.of_last,
        every_days=r.repeated_low.counted_every_days,
        window_days=r.repeated_low.window_weeks * 7,
        cool_off=dt.timedelta(days=r.cool_off_days),
    )


def low_level(content: Rules, schedule: Schedule | None) -> int:
    """What "low" is for this worker: their own level if they chose one, else the Trust's."""
    return schedule.low_threshold if schedule and schedule.low_threshold else content.rules.thresholds.low
