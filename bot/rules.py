"""Pure decisions: when a check-in is due, quiet hours, pause, reminders, expiry, scoring and bands.

Standard library only. All times are timezone-aware; schedules are kept in the worker's own local
time and converted with their IANA zone, so daylight-saving changes are the zone's business, never a
fixed offset. A local time that does not exist (the spring change) resolves to the moment after the
gap; a local time that happens twice (the autumn change) resolves to the first, and a slot is named by
its local date, so it can only ever be sent once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal
from zoneinfo import ZoneInfo

UTC = dt.UTC
FREQUENCIES = ("weekly", "fortnightly", "monthly", "off")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LOOKAHEAD_DAYS = 70
Band = Literal["ok", "low", "very_low"]
Decision = Literal["send", "offer", "none"]


def parse_hhmm(text: str) -> dt.time:
    """'07:30' -> time(7, 30); ValueError for anything else."""
    hours, minutes = text.strip().split(":")
    if len(hours) not in (1, 2) or len(minutes) != 2:
        raise ValueError(text)
    return dt.time(int(hours), int(minutes))


@dataclass(frozen=True)
class Schedule:
    """A worker's check-in rhythm, in their own time zone."""

    frequency: str = "fortnightly"
    day: int = 2  # Monday is 0
    time: str = "10:00"
    timezone: str = "Europe/London"
    quiet_start: str = "19:00"
    quiet_end: str = "08:00"
    quiet_weekends: bool = True
    pulse: bool = False
    keep_answers: bool = False
    low_threshold: int | None = None
    anchor: str = ""  # ISO date of a slot day: fortnightly slots fall 14 days apart from it
    active_from: str = ""  # ISO UTC instant: no slot before this is ever sent
    paused_until: str | None = None  # ISO local date: paused up to the start of this day
    paused_at: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(self.zone)


def effective(schedule: Schedule) -> Schedule:
    """With the quick pulse on, every week on the chosen day has something: a check-in or a pulse."""
    if schedule.pulse and schedule.frequency in ("fortnightly", "monthly"):
        return replace(schedule, frequency="weekly")
    return schedule


def new_schedule(now: dt.datetime, **fields) -> Schedule:
    """A schedule starting now, with its fortnightly anchor on the first slot day from today."""
    schedule = Schedule(**fields)
    return replace(
        schedule,
        anchor=first_day_on_or_after(schedule.local(now).date(), schedule.day).isoformat(),
        active_from=now.astimezone(UTC).isoformat(),
    )


def first_day_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def at_local(schedule: Schedule, day: dt.date, clock: str) -> dt.datetime:
    """The UTC instant of a local date and time (gaps resolve forward, repeats to the first)."""
    return dt.datetime.combine(day, parse_hhmm(clock), tzinfo=schedule.zone).astimezone(UTC)


def is_slot_day(schedule: Schedule, day: dt.date) -> bool:
    if schedule.frequency == "off" or day.weekday() != schedule.day:
        return False
    if schedule.frequency == "fortnightly":
        anchor = dt.date.fromisoformat(schedule.anchor) if schedule.anchor else day
        return ((day - anchor).days // 7) % 2 == 0
    if schedule.frequency == "monthly":
        return day.day <= 7  # the first such weekday of the month
    return True


@dataclass(frozen=True, order=True)
class Slot:
    """One scheduled check-in: when it falls and its id (the local date)."""

    at: dt.datetime
    id: str


def latest_slot(schedule: Schedule, now: dt.datetime) -> Slot | None:
    """The most recent slot at or before `now`, if any in the last ten weeks."""
    today = schedule.local(now).date()
    for back in range(LOOKAHEAD_DAYS):
        day = today - dt.timedelta(days=back)
        if is_slot_day(schedule, day):
            at = at_local(schedule, day, schedule.time)
            if at <= now:
                return Slot(at, day.isoformat())
    return None


def next_slot(schedule: Schedule, now: dt.datetime) -> Slot | None:
    """The first slot after `now`."""
    today = schedule.local(now).date()
    for ahead in range(LOOKAHEAD_DAYS):
        day = today + dt.timedelta(days=ahead)
        if is_slot_day(schedule, day):
            at = at_local(schedule, day, schedule.time)
            if at > now:
                return Slot(at, day.isoformat())
    return None


def in_quiet_hours(schedule: Schedule, instant: dt.datetime) -> bool:
    """True when nothing should arrive: inside the nightly quiet hours, or at a quiet weekend."""
    local = schedule.local(instant)
    if schedule.quiet_weekends and local.weekday() >= 5:
        return True
    start, end, now = parse_hhmm(schedule.quiet_start), parse_hhmm(schedule.quiet_end), local.time()
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end  # spans midnight


def sendable_from(schedule: Schedule, instant: dt.datetime) -> dt.datetime:
    """The first moment at or after `instant` outside quiet hours."""
    if not in_quiet_hours(schedule, instant):
        return instant
    today = schedule.local(instant).date()
    # Quiet periods end either at the nightly end time or at midnight (the end of a quiet weekend).
    ends = sorted(
        at_local(schedule, today + dt.timedelta(days=d), clock)
        for d in range(5)
        for clock in (schedule.quiet_end, "00:00")
    )
    return next((e for e in ends if e > instant and not in_quiet_hours(schedule, e)), instant)


def is_paused(schedule: Schedule, instant: dt.datetime) -> bool:
    """Paused up to the start of `paused_until` in the worker's own time."""
    if not schedule.paused_until:
        return False
    return schedule.local(instant).date() < dt.date.fromisoformat(schedule.paused_until)


@dataclass(frozen=True)
class Timing:
    """The timings from the content rules."""

    reminder_after: dt.timedelta = dt.timedelta(hours=24)
    expire_after: dt.timedelta = dt.timedelta(hours=72)
    catch_up: dt.timedelta = dt.timedelta(hours=3)


@dataclass(frozen=True)
class PromptState:
    """What the prompt log says about one slot."""

    slot: str
    status: str  # sending, open, answered, skipped, expired, missed, undelivered
    sent_at: str | None = None
    reminded: bool = False
    on_demand: bool = False

    @property
    def sent(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.sent_at) if self.sent_at else None


def due_slot(schedule: Schedule, log: Mapping[str, PromptState], now: dt.datetime, timing: Timing) -> Slot | None:
    """The slot to send now, if any: not yet logged, not paused, outside quiet hours, within catch-up."""
    if schedule.frequency == "off":
        return None
    slot = latest_slot(schedule, now)
    if slot is None or slot.id in log or is_paused(schedule, slot.at) or is_paused(schedule, now):
        return None
    if schedule.active_from and slot.at < dt.datetime.fromisoformat(schedule.active_from):
        return None
    start = sendable_from(schedule, slot.at)
    if not start <= now < start + timing.catch_up:
        return None  # not yet, or missed while the bot was down: skipped, never sent late in a burst
    if now >= slot.at + timing.expire_after:
        return None
    return slot


def reminder_due(schedule: Schedule, prompt: PromptState, now: dt.datetime, timing: Timing) -> bool:
    """At most one gentle reminder, after `reminder_after`, never paused, quiet or late."""
    if prompt.status != "open" or prompt.reminded or prompt.on_demand or prompt.sent is None:
        return False
    if is_paused(schedule, now):
        return False
    start = sendable_from(schedule, prompt.sent + timing.reminder_after)
    return start <= now < min(start + timing.catch_up, prompt.sent + timing.expire_after)


def is_expired(prompt: PromptState, now: dt.datetime, timing: Timing) -> bool:
    return prompt.status == "open" and prompt.sent is not None and now >= prompt.sent + timing.expire_after


def next_check(
    schedule: Schedule, log: Mapping[str, PromptState], now: dt.datetime, timing: Timing
) -> dt.datetime | None:
    """When the scheduler should next look at this worker: `now` if something may be actionable already
    (a slot or reminder still inside its catch-up window, a prompt to expire), else the next future event."""
    candidates: list[dt.datetime] = []
    if schedule.frequency != "off":
        upcoming = next_slot(schedule, now)
        if upcoming:
            candidates.append(sendable_from(schedule, upcoming.at))
        current = latest_slot(schedule, now)
        if current and current.id not in log:
            start = sendable_from(schedule, current.at)
            if now < start + timing.catch_up:
                candidates.append(start)
    if schedule.paused_until:
        resume_at = at_local(schedule, dt.date.fromisoformat(schedule.paused_until), "00:00")
        if resume_at > now:
            candidates.append(resume_at)
    for prompt in log.values():
        if prompt.status == "open" and prompt.sent:
            expires = prompt.sent + timing.expire_after
            if not prompt.reminded and not prompt.on_demand:
                remind = sendable_from(schedule, prompt.sent + timing.reminder_after)
                if now < remind + timing.catch_up and remind < expires:
                    candidates.append(remind)
            candidates.append(expires)
    return max(min(candidates), now) if candidates else None


# Scoring ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    total: int | None
    missing: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()
    answers: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.total is not None


def score(item_ids: Sequence[str], allowed: Iterable[int], multiplier: int, values: Mapping[str, object]) -> Scored:
    """Score card or typed answers (strings from Teams); missing or out-of-range answers give no total."""
    allowed_set = set(allowed)
    answers: dict[str, int] = {}
    missing, invalid = [], []
    for item in item_ids:
        raw = values.get(item)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            missing.append(item)
            continue
        try:
            value = int(str(raw).strip())
        except ValueError:
            invalid.append(item)
            continue
        if value not in allowed_set or str(raw).strip() != str(value):
            invalid.append(item)
            continue
        answers[item] = value
    if missing or invalid:
        return Scored(None, tuple(missing), tuple(invalid))
    return Scored(sum(answers.values()) * multiplier, answers=answers)


def band(total: int, low: int, very_low: int) -> Band:
    """'very_low', 'low' or 'ok' for a completed check-in (never a label shown to anyone)."""
    if total <= very_low:
        return "very_low"
    if total <= low:
        return "low"
    return "ok"


def repeated_low(bands: Sequence[Band], consecutive: int = 2, within: int = 2, of_last: int = 3) -> bool:
    """Counted check-ins only, oldest first: the last `consecutive` low, or `within` of the last `of_last`."""
    lowish = [b in ("low", "very_low") for b in bands]
    if len(lowish) >= consecutive and all(lowish[-consecutive:]):
        return True
    return sum(lowish[-of_last:]) >= within


def counted(completed: Sequence[tuple[dt.date, Band]], today: dt.date, every_days: int, window_days: int) -> list[Band]:
    """The bands that count towards "repeated low", oldest first: the latest completed check-in, then
    each next one at least `every_days` before the last one counted, all within `window_days` of today.

    `completed` is (local date, band) for completed check-ins of the main instrument, oldest first.
    Check-ins minutes apart are one data point; a year-old check-in is no data point at all."""
    kept: list[Band] = []
    last: dt.date | None = None
    for day, band_ in reversed(completed):
        if (today - day).days > window_days:
            break
        if last is None or (last - day).days >= every_days:
            kept.append(band_)
            last = day
    return kept[::-1]


@dataclass(frozen=True)
class RequestRule:
    """The "repeated low" rule and the cool-off, from rules.yaml."""

    consecutive: int = 2
    within: int = 2
    of_last: int = 3
    every_days: int = 7
    window_days: int = 56
    cool_off: dt.timedelta = dt.timedelta(days=28)


def request_decision(
    completed: Sequence[tuple[dt.date, Band]],
    today: dt.date,
    now: dt.datetime,
    mode: str,
    last_sent: dt.datetime | None,
    last_declined: dt.datetime | None,
    paused: bool,
    rule: RequestRule,
) -> Decision:
    """After a completed check-in: "send" (only the repeated rule, only in automatic mode), "offer"
    (ask the worker: repeated low, or a single very low check-in), or "none".

    Never while paused; never within the cool-off after a request was sent, whatever the scores;
    no new offer within the cool-off after one was declined, unless this check-in is very low.
    Missed, skipped, expired and paused check-ins are simply not in `completed`, so they never count."""
    if paused or not completed:
        return "none"
    latest = completed[-1][1]
    if latest not in ("low", "very_low"):
        return "none"
    bands = counted(completed, today, rule.every_days, rule.window_days)
    repeated = repeated_low(bands, rule.consecutive, rule.within, rule.of_last)
    very_low = latest == "very_low"
    if not (repeated or very_low):
        return "none"
    if last_sent is not None and now < last_sent + rule.cool_off:
        return "none"
    if last_declined is not None and now < last_declined + rule.cool_off and not very_low:
        return "none"
    return "send" if mode == "auto" and repeated else "offer"


def may_send_request(
    link_status: str | None,
    link_reconfirm_due: dt.datetime | None,
    consent_on: bool,
    consent_link_matches: bool,
    paused: bool,
    now: dt.datetime,
) -> bool:
    """The only gate for a disclosure, checked at the moment of sending: an accepted, current link,
    sharing consent for that very link, and no pause."""
    link_current = link_status == "active" and (link_reconfirm_due is None or now < link_reconfirm_due)
    return link_current and consent_on and consent_link_matches and not paused


def add_months(instant: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` calendar months later (the last day of the month when it has no such day)."""
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    last_day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return instant.replace(year=year, month=month, day=min(instant.day, last_day))


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days (Monday to Friday) after `start`; bank holidays are not known here."""
    current, added = start, 0
    while added < days:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current
