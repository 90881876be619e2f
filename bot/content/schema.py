"""The shape of every content file, as pydantic models (unknown keys are errors)."""
from __future__ import annotations

import datetime as dt
import string
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, field_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]

# Commands the bot's code knows how to handle. Content gives each one its words and help text.
KNOWN_COMMANDS = ("help", "help_now", "about")

# Placeholders each message may use, filled in by the bot's code. Any other {name} is an error.
MESSAGE_PLACEHOLDERS: dict[str, set[str]] = {
    "error": {"ref"},
    "about": {"version", "approved_by", "approved_on", "bot_name"},
    "welcome": {"bot_name"},
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meta(Strict):
    """Sign-off recorded in every file."""

    version: Text
    approved_by: Text
    approved_on: dt.date


class Command(Strict):
    id: Ident
    words: list[Text] = Field(min_length=1)
    title: Text
    help: Text
    show_in_help: bool = True

    @field_validator("words")
    @classmethod
    def _normalise(cls, words: list[str]) -> list[str]:
        return [" ".join(w.lower().split()) for w in words]


class Buttons(Strict):
    get_help_now: Text
    help: Text


class MessagesFile(Strict):
    meta: Meta
    bot_name: Text
    welcome: Text
    help_intro: Text
    unknown: Text
    personal_only: Text
    error: Text
    about: Text
    help_now_title: Text
    help_now_intro: Text
    not_monitored: Text
    buttons: Buttons
    commands: list[Command] = Field(min_length=1)


class Contact(Strict):
    id: Ident
    name: Text
    how: Text
    when: str = ""
    url: str = ""
    last_verified: dt.date


class ContactGroup(Strict):
    id: Ident
    title: Text
    contacts: list[Contact] = Field(min_length=1)


class ContactsFile(Strict):
    meta: Meta
    groups: list[ContactGroup] = Field(min_length=1)


class Topic(Strict):
    id: Ident
    title: Text
    summary: Text
    points: list[Text] = Field(min_length=1, max_length=6)
    keywords: list[Text] = []
    related: list[Ident] = []
    link: HttpUrl


class GuideFile(Strict):
    meta: Meta
    topics: list[Topic] = Field(min_length=1)


class SupervisionGroup(Strict):
    id: Ident
    name: Text
    when: Text
    how_to_join: Text


class SupervisionFile(Strict):
    meta: Meta
    what_it_is: Text
    peer_vs_line: Text
    how_to_book: Text
    booking_link: HttpUrl | None = None
    groups: list[SupervisionGroup] = []


class Prompt(Strict):
    id: Ident
    text: Text


class PromptsFile(Strict):
    meta: Meta
    prompts: list[Prompt] = Field(min_length=1)


class CrisisFile(Strict):
    meta: Meta
    phrases: list[Text] = Field(min_length=1)
    ordinary_work_talk: list[Text] = []


class Item(Strict):
    id: Ident
    text: Text


class Answer(Strict):
    value: int = Field(ge=0, le=100)
    label: Text


class Scoring(Strict):
    multiplier: int = Field(ge=1, le=100)


class InstrumentFile(Strict):
    meta: Meta
    id: Ident
    name: Text
    attribution: Text
    licence: Text
    intro: Text
    items: list[Item] = Field(min_length=1, max_length=10)
    answers: list[Answer] = Field(min_length=2, max_length=11)
    scoring: Scoring
    has_cut_offs: bool

    @property
    def score_range(self) -> tuple[int, int]:
        """The lowest and highest total, after the multiplier."""
        values = [a.value for a in self.answers]
        n, k = len(self.items), self.scoring.multiplier
        return min(values) * n * k, max(values) * n * k


Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Cadence = Literal["weekly", "fortnightly", "monthly", "off"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class CheckinRules(Strict):
    instrument: Ident
    pulse: Ident | None = None
    pulse_on_by_default: bool = False
    keep_item_answers_by_default: bool = False


class Thresholds(Strict):
    low: int
    very_low: int
    personal_low_min: int
    personal_low_max: int


class RepeatedLow(Strict):
    consecutive: int = Field(ge=1, le=10)
    of_last: int = Field(ge=1, le=10)
    within: int = Field(ge=1, le=10)


class CadenceRules(Strict):
    default: Cadence
    allowed: list[Cadence] = Field(min_length=1)
    default_day: Weekday
    default_time: Clock


class QuietHours(Strict):
    start: Clock
    end: Clock
    weekends: bool


class SupervisorRules(Strict):
    acknowledge_within_working_days: int = Field(ge=1, le=10)
    reconfirm_after_months: int = Field(ge=1, le=24)


class Retention(Strict):
    checkins_months: int = Field(ge=1, le=120)
    audit_months_after_last_event: int = Field(ge=1, le=120)


class TopicRules(Strict):
    after_ok: Ident
    after_low: Ident
    after_very_low: Ident


class RulesFile(Strict):
    meta: Meta
    checkin: CheckinRules
    thresholds: Thresholds
    repeated_low: RepeatedLow
    cool_off_days: int = Field(ge=0, le=365)
    cadence: CadenceRules
    reminder_after_hours: int = Field(ge=1, le=168)
    expire_after_hours: int = Field(ge=1, le=336)
    catch_up_hours: int = Field(ge=0, le=24)
    quiet_hours: QuietHours
    supervisor: SupervisorRules
    retention: Retention
    topics: TopicRules


# File name -> model. Every file listed here must exist in a content folder.
FILES: dict[str, type[Strict]] = {
    "messages.yaml": MessagesFile,
    "contacts.yaml": ContactsFile,
    "guide.yaml": GuideFile,
    "supervision.yaml": SupervisionFile,
    "reflective_prompts.yaml": PromptsFile,
    "crisis_phrases.yaml": CrisisFile,
    "rules.yaml": RulesFile,
}
# Check-in instruments: every *.yaml in this sub-folder, one instrument per file.
INSTRUMENTS_DIR = "instruments"


def placeholders(text: str) -> set[str]:
    """The {names} used in a message."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
