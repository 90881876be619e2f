"""The shape of every content file, as pydantic models (unknown keys are errors)."""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, field_validator, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]

# Commands only people listed in ADMIN_IDS can use; to everyone else they do not exist.
ADMIN_COMMANDS = ("admin", "admin_reload", "admin_install")


@dataclass(frozen=True, init=False)
class Fills:
    """On a message's field: the placeholders the bot's code fills into those words. Any other {name}
    in the words is an error at load; a message without Fills takes none."""

    names: frozenset[str]

    def __init__(self, *names: str) -> None:
        object.__setattr__(self, "names", frozenset(names))


def normalise_command(text: str) -> str:
    """Lower-case, single-spaced, without surrounding punctuation: how typed commands are matched.

    Written as plain scans, linear in the length of the text (an anchored regular expression for the
    edges took quadratic time on a long run of spaces, and this runs on every typed message)."""
    lowered = text.lower()
    start, end = 0, len(lowered)
    while start < end and not lowered[start].isalnum():
        start += 1
    while end > start and not lowered[end - 1].isalnum():
        end -= 1
    return " ".join(lowered[start:end].split())


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
    takes_text: bool = False  # "guide boundaries": the words after the command are its search text
    menu: bool = False  # listed in Teams' command menu (at most 10; title up to 32 characters)

    @field_validator("words")
    @classmethod
    def _normalise(cls, words: list[str]) -> list[str]:
        return [normalise_command(w) for w in words]


class Buttons(Strict):
    get_help_now: Text
    help: Text
    hide: Text


class CheckinMessages(Strict):
    lead_scheduled: Text
    lead_on_demand: Text
    save_button: Text
    skip_button: Text
    pause_button: Text
    typed_hint: Annotated[Text, Fills("count", "highest", "lowest")]
    saved: Text
    skipped: Text
    thanks: Text
    prompt_button: Text
    guide_button: Text
    something_to_think_about: Text
    incomplete: Annotated[Text, Fills("questions")]
    incomplete_typed: Annotated[Text, Fills("questions")]
    already_saved: Text
    already_skipped: Text
    closed: Text
    nothing_open: Text


class SettingsMessages(Strict):
    intro: Text
    frequency_choices: dict[Literal["weekly", "fortnightly", "monthly", "off"], Text]
    current: Annotated[Text, Fills("next", "schedule")]
    frequency_label: Text
    day_label: Text
    time_label: Text
    timezone_label: Text
    quiet_start_label: Text
    quiet_end_label: Text
    quiet_weekends_label: Text
    pulse_label: Text
    keep_answers_label: Text
    low_label: Text
    save_button: Text
    saved: Annotated[Text, Fills("next", "schedule")]
    invalid: Annotated[Text, Fills("problems")]
    bad_frequency: Text
    bad_day: Text
    bad_time: Text
    bad_timezone: Text
    bad_quiet: Text
    bad_low: Annotated[Text, Fills("highest", "lowest")]
    time_in_quiet_hours: Text
    no_next: Text
    from_next_time: Text


class ScheduleWords(Strict):
    summary: Annotated[Text, Fills("time", "timezone", "when")]
    next: Annotated[Text, Fills("when")]
    date: Annotated[Text, Fills("day", "month", "time", "weekday")]
    day: Annotated[Text, Fills("day", "month", "weekday")]
    off: Text
    frequencies: dict[Literal["weekly", "fortnightly", "monthly"], Annotated[Text, Fills("day")]]
    days: list[Text] = Field(min_length=7, max_length=7)
    months: list[Text] = Field(min_length=12, max_length=12)


class PauseMessages(Strict):
    intro: Text
    one_week: Text
    two_weeks: Text
    four_weeks: Text
    until_date_label: Text
    until_date_button: Text
    paused: Annotated[Text, Fills("until")]
    already: Annotated[Text, Fills("until")]
    bad_date: Text
    resumed: Annotated[Text, Fills("schedule")]
    not_paused: Text
    welcome_back: Annotated[Text, Fills("schedule")]


class GuideMessages(Strict):
    intro: Text
    read_more_button: Text
    related: Text
    all_topics_button: Text
    pick_label: Text
    open_button: Text
    no_match: Annotated[Text, Fills("words")]
    matches: Annotated[Text, Fills("words")]


class SupervisionMessages(Strict):
    book_button: Text
    groups_title: Text
    agenda_button: Text


class AgendaMessages(Strict):
    title: Text
    empty: Text
    count: Annotated[Text, Fills("count")]
    add_label: Text
    add_button: Text
    added: Text
    clear_button: Text
    cleared: Text
    share_hint: Text
    from_checkin: Text
    from_reflection: Text
    take_button: Text
    nothing_to_add: Text


class ReflectMessages(Strict):
    intro: Text
    notes_label: Text
    save_button: Text
    done_button: Text
    saved: Text
    not_saved: Text
    closing: Text


class NotesMessages(Strict):
    title: Text
    empty: Text
    delete_button: Text
    deleted: Text


class PlanMessages(Strict):
    intro: Text
    keeps_me_well: Text
    early_signs: Text
    what_helps: Text
    who_to_contact: Text
    save_button: Text
    saved: Text
    empty_saved: Text


class AdminMessages(Strict):
    title: Text
    content: Annotated[Text, Fills("status", "version")]
    reload_ok: Text
    reload_rejected: Annotated[Text, Fills("count", "when")]
    contacts_ok: Text
    delivery: Annotated[Text, Fills("undelivered", "uninstalled", "unreachable")]
    participation: Annotated[Text, Fills("on", "total")]
    month: Annotated[Text, Fills("checkins", "month", "people")]
    too_few: Annotated[Text, Fills("minimum")]
    few: Annotated[Text, Fills("minimum")]
    reloaded: Annotated[Text, Fills("version")]
    reload_failed: Annotated[Text, Fills("count")]
    reload_more: Annotated[Text, Fills("count")]
    placeholders: Annotated[Text, Fills("count")]
    set_aside: Annotated[Text, Fills("count")]


class DirectoryMessages(Strict):
    """Naming someone through the directory (Microsoft Graph) and installing for a group."""

    not_found: Annotated[Text, Fills("query")]
    name_not_found: Annotated[Text, Fills("query")]
    no_permission: Text
    unavailable: Text
    admin_on: Text
    admin_missing: Annotated[Text, Fills("permission", "when")]
    rollout_line: Annotated[Text, Fills("failed", "group", "had", "installed", "state")]
    rollout_states: dict[Literal["running", "done", "stopped"], Text]
    rollout_started: Text
    rollout_running: Text
    rollout_bad_group: Text
    rollout_off: Text


class ActedMessages(Strict):
    """What a card becomes once acted on."""

    accepted: Annotated[Text, Fills("day")]
    declined: Annotated[Text, Fills("day")]
    acknowledged: Annotated[Text, Fills("day")]
    sent: Annotated[Text, Fills("day", "name")]
    not_sent: Text
    kept: Annotated[Text, Fills("day", "name")]
    ended: Annotated[Text, Fills("day")]
    nudged: Annotated[Text, Fills("day", "name")]
    sharing_on: Annotated[Text, Fills("day")]
    sharing_off: Annotated[Text, Fills("day")]
    no_suggestions: Text
    erase_cancelled: Text


class SharingMessages(Strict):
    supervisor_intro: Text
    status_none: Text
    status_pending: Annotated[Text, Fills("name", "role")]
    status_active: Annotated[Text, Fills("name", "role")]
    name_label: Text
    role_label: Text
    roles: dict[Literal["peer_supervisor", "clinical_supervisor", "line_manager", "other"], Text]
    ask_button: Text
    end_button: Text
    which_label: Text
    end_which_label: Text
    status_words: dict[Literal["pending", "active", "declined", "ended"], Text]
    asked: Annotated[Text, Fills("name")]
    many_matches: Annotated[Text, Fills("query")]
    same_name: Annotated[Text, Fills("query")]
    not_found: Annotated[Text, Fills("query")]
    already_asked: Annotated[Text, Fills("name")]
    already_linked: Annotated[Text, Fills("name")]
    nomination_limit: Annotated[Text, Fills("count")]
    not_yourself: Text
    declined_before: Text
    unreachable: Text
    nominated_you: Annotated[Text, Fills("role", "worker")]
    what_you_will_see: Annotated[Text, Fills("worker")]
    accept_button: Text
    decline_button: Text
    you_accepted: Annotated[Text, Fills("worker")]
    you_declined: Text
    already_answered: Text
    not_for_you: Text
    no_longer_open: Annotated[Text, Fills("name")]
    already_nudged: Annotated[Text, Fills("name")]
    already_acknowledged: Text
    link_ended: Text
    consent_intro: Annotated[Text, Fills("name")]
    consent_terms: Annotated[
        Text, Fills("cool_off_weeks", "count", "days", "low", "name", "of_last", "weeks", "within")
    ]
    consent_no_link: Text
    consent_pending: Annotated[Text, Fills("name")]
    mode_label: Text
    mode_ask: Text
    mode_auto: Text
    turn_on_button: Text
    turn_off_button: Text
    consent_on: Annotated[Text, Fills("name")]
    consent_on_mode: Annotated[Text, Fills("mode", "name")]
    consent_off: Text
    consent_already_off: Text
    supervisor_request: Annotated[Text, Fills("days", "worker")]
    supervisor_note: Annotated[Text, Fills("note")]
    ack_button: Text
    chat_button: Text
    preview: Annotated[Text, Fills("name")]
    note_label: Text
    send_button: Text
    not_now_button: Text
    change_who_button: Text
    stop_asking_button: Text
    sent: Annotated[Text, Fills("name")]
    sending: Annotated[Text, Fills("name")]
    sent_auto: Annotated[Text, Fills("name")]
    undelivered: Annotated[Text, Fills("name")]
    not_now: Text
    stopped: Text
    blocked: Text
    suggest_name: Text
    suggest_sharing: Annotated[Text, Fills("name")]
    name_button: Text
    sharing_button: Text
    no_suggestions_button: Text
    no_suggestions_done: Text
    held_pending: Annotated[Text, Fills("name")]
    held_reconfirm: Annotated[Text, Fills("name")]
    thanks_for_ack: Text
    no_ack: Annotated[Text, Fills("days", "name")]
    nudge_button: Text
    nudge: Annotated[Text, Fills("worker")]
    nudged: Annotated[Text, Fills("name")]
    reconfirm: Annotated[Text, Fills("name")]
    keep_button: Text
    kept: Text
    audit_title: Text
    audit_empty: Text
    audit_events: dict[str, Annotated[Text, Fills("who")]]
    someone_who_left: Text
    supervising_title: Text
    supervising_none: Text
    supervising_entry: Annotated[Text, Fills("role", "status", "worker")]


class PrivacyMessages(Strict):
    full_notice_button: Text
    summary_title: Text
    summary_schedule: Annotated[Text, Fills("schedule")]
    summary_checkins: Annotated[Text, Fills("count", "dates")]
    summary_no_checkins: Text
    summary_link: Annotated[Text, Fills("name", "status")]
    summary_no_link: Text
    summary_consent_on: Text
    summary_consent_off: Text
    summary_requests: Annotated[Text, Fills("count")]
    summary_private: Annotated[Text, Fills("agenda", "notes", "plan")]
    summary_chat: Text
    plan_written: Text
    plan_empty: Text
    trend_button: Text
    export_button: Text
    delete_button: Text
    trend_title: Text
    trend_line: Annotated[Text, Fills("bar", "date", "total", "words")]
    trend_empty: Text
    trend_note: Text
    export_ready: Annotated[Text, Fills("minutes")]
    export_link_button: Text
    export_refused: Text
    delete_confirm: Text
    delete_yes: Text
    delete_cancel: Text
    deleted: Text
    delete_cancelled: Text
    delete_refused: Text
    number_ones: list[Text] = Field(min_length=20, max_length=20)
    number_tens: list[Text] = Field(min_length=8, max_length=8)
    number_hundred: Text


class CrisisMessages(Strict):
    acknowledge: Text
    after_saving: Text
    topic_line: Text
    offer_line: Text
    offer_more: Text
    overdose_lead: Text
    unsafe_title: Text
    unsafe_lead: Text
    work_talk_offer: Text
    check_in_button: Text
    reflect_button: Text


class SmallTalk(Strict):
    """Everyday words that get a short human answer (matched whole, or for feelings, anywhere)."""

    greetings: list[Text] = []
    greeting_reply: Text
    thanks: list[Text] = []
    thanks_reply: Text
    help_me: list[Text] = []
    help_me_reply: Text
    feelings: list[Text] = []
    feelings_reply: Text
    feelings_words_at_most: int = Field(ge=1, le=50)


class MessagesFile(Strict):
    meta: Meta
    bot_name: Text
    welcome: Annotated[Text, Fills("bot_name", "key_contacts", "schedule")]
    help_intro: Text
    help_buttons: list[Ident] = Field(default=[], max_length=5)
    small_talk: SmallTalk
    unknown: Text
    personal_only: Text
    error: Annotated[Text, Fills("ref")]
    storage_unavailable: Annotated[Text, Fills("key_contacts", "ref")]
    data_set_aside: Annotated[Text, Fills("key_contacts")]
    about: Annotated[Text, Fills("approved_by", "approved_on", "bot_name", "instruments", "version")]
    help_now_title: Text
    help_now_intro: Text
    help_now_hope: Text
    not_monitored: Text
    help_footer: Text
    outage_numbers: Annotated[Text, Fills("key_contacts")]
    hidden: Text
    already_done: Text
    too_long: Text
    buttons: Buttons
    checkin: CheckinMessages
    settings: SettingsMessages
    schedule: ScheduleWords
    pause: PauseMessages
    guide: GuideMessages
    supervision: SupervisionMessages
    agenda: AgendaMessages
    reflect: ReflectMessages
    notes: NotesMessages
    plan: PlanMessages
    crisis: CrisisMessages
    admin: AdminMessages
    directory: DirectoryMessages
    acted: ActedMessages
    sharing: SharingMessages
    privacy: PrivacyMessages
    # Messages the bot starts itself, by the name a use-case declares them with (bot/usecases/ports.py,
    # Notice); each may use the placeholders its declaration names, checked at load.
    notices: dict[Ident, Text] = {}
    commands: list[Command] = Field(min_length=1)


class Contact(Strict):
    """One support contact. Say exactly what it is: cost, hours, where it covers, anything to know first."""

    id: Ident
    name: Text
    how: Text
    cost: str = ""
    when: str = ""
    where: str = ""
    note: str = ""
    url: str = ""
    last_verified: dt.date | None = None  # none while any field is still a <<placeholder>>
    key: bool = False  # also shown where it survives an outage: the app's description and the welcome


class ContactGroup(Strict):
    id: Ident
    title: Text
    contacts: list[Contact] = Field(min_length=1)


class Situations(Strict):
    """Which contacts come first, by id, when the crisis guard hears a particular situation."""

    offer: list[Ident] = Field(min_length=1)  # the one calm card when the guard is unsure
    overdose: list[Ident] = Field(min_length=1)  # taken too much, or very drunk or high, now
    unsafe: list[Ident] = Field(min_length=1)  # being harmed, threatened or afraid to go home


class ContactsFile(Strict):
    meta: Meta
    groups: list[ContactGroup] = Field(min_length=1)
    situations: Situations


BUTTON_MAX = 25  # characters of a button title Teams shows before cutting it


class Topic(Strict):
    id: Ident
    button: str = ""  # a short title for buttons, when `title` is longer than BUTTON_MAX
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


class NoticeSection(Strict):
    heading: Text
    text: Text


class PrivacyNoticeFile(Strict):
    """The privacy notice workers read in the chat (`privacy`), with a link to the Trust's full notice."""

    meta: Meta
    title: Text
    sections: list[NoticeSection] = Field(min_length=1)
    full_notice_url: HttpUrl


class Prompt(Strict):
    id: Ident
    text: Text


class PromptsFile(Strict):
    meta: Meta
    prompts: list[Prompt] = Field(min_length=1)


class NegationCues(Strict):
    words: list[Text] = Field(min_length=1)
    not_after: list[Text] = []
    window: int = Field(ge=1, le=6)


class DoubtCues(Strict):
    """Words that put a following "I'm ok now" in doubt, so it does not tell what came before as the past:
    on their own (`words`: "whether", "wish", "everyone" thinks) or straight after a negation
    (`after_negation`: "not sure", "can't say"). One word each."""

    words: list[Text] = []
    after_negation: list[Text] = []


class LearnedSettings(Strict):
    """How worried the learned reader must be before the guard offers the key numbers (`offer_at`), or
    gives the gentle line instead of nothing (`gentle_at`); and, when only one sentence of a longer
    message reads that worrying, how worrying the whole message must read too
    (`context_at`) unless that sentence alone is almost certain (`alone_at`; at or below `offer_at`, every
    such sentence is). Left out, any one sentence is enough, as before."""

    offer_at: float = Field(gt=0.5, le=1.0)
    gentle_at: float = Field(gt=0.0, le=1.0)
    context_at: float = Field(default=0.0, ge=0.0, le=1.0)
    alone_at: float = Field(default=1.0, gt=0.5, le=1.0)
    # Kinds of exemplar the reader learns from more than once over (1 to 5 times): the hardest contrast,
    # a joke that carries risk beside gallows humour that does not, is otherwise outnumbered.
    weigh: dict[Ident, Annotated[float, Field(ge=1.0, le=5.0)]] = {}

    @model_validator(mode="after")
    def _gentle_first(self) -> LearnedSettings:
        if self.gentle_at > self.offer_at:
            raise ValueError("gentle_at must not be above offer_at")
        if self.context_at > self.offer_at:
            raise ValueError("context_at must not be above offer_at")
        return self


class CrisisFile(Strict):
    """The crisis guard's patterns and word lists (syntax in bot/crisis/patterns.py and the content guide)."""

    meta: Meta
    lists: dict[Ident, list[Text]]
    mend: dict[str, Text] = {}
    forms: dict[str, Text] = {}
    ignore: list[Text] = []
    clause_breaks: list[Text] = []
    end_words: list[Text] = []
    negation: NegationCues
    context_after: list[Text] = []
    past: list[Text] = []
    present: list[Text] = []
    tellings: list[Text] = []  # patterns whose word of now dates the telling, not what is told ("today I told")
    long_ago: list[Text] = []
    reassured: list[Text] = []  # "I'm ok now": told as past like long_ago, but an overdose still gets the offer
    doubt: DoubtCues | None = None  # left out: the words release 3.12 had built in
    dating_words: list[Text] | None = None  # a return in one of these dates the telling ("still"); left out: 3.12's
    spans: list[Text] = []  # "I self-harmed for ten years": what the span tells gets the offer, not the card
    returns: list[Text] = []  # patterns
    recent: list[Text] = []  # dates an act within a day: not made the past by the next sentence's long_ago
    not_the_subject: list[Text] = []
    topic_frames: list[Text] = []
    asked: list[Text] = []  # a question asked of someone, quoted: the crisis words straight after it are its own
    script_frames: list[Text] = []
    script_context: list[Text] = []
    script_undone: list[Text] = []
    identification: list[Text] = []  # the writer saying someone else's crisis is theirs too
    # Ordinary endings (a last day on the ward, leave, retiring), by the crisis category whose goodbyes,
    # notes and handovers they make the offer, not the card, anywhere in the message that names one.
    endings: dict[Ident, list[Text]] = {}
    echoes: list[Text] = []  # "so do I": identification that echoes what was just said (its sentence or the one before)
    topic_sentences: list[Text] = []
    crisis: dict[Ident, list[Text]] = Field(min_length=1)
    unsure: dict[Ident, list[Text]] = {}
    situations: dict[Literal["overdose", "unsafe"], list[Ident]] = {}
    topics: list[Text] = Field(min_length=1)
    idioms: list[Text] = []
    learned: LearnedSettings | None = None


class CrisisRoundFile(Strict):
    """A blind evaluation round: sentences written by someone who never saw the patterns, the exemplars
    or earlier rounds; scored before anything was changed because of it (docs/safety.md)."""

    meta: Meta
    round: int = Field(ge=1)
    role: Literal["development", "hold-out"]
    written: Text  # who wrote it, how and when, in a line
    crisis: dict[Ident, list[Text]] = Field(min_length=1)
    ordinary: dict[Ident, list[Text]] = Field(min_length=1)
    misses: list[Text] = []  # sentences this content still gets wrong, listed so nobody loses sight of them


class CrisisExemplarsFile(Strict):
    """Messages the learned reader is trained on, by kind: the writer may be at risk, or not."""

    meta: Meta
    crisis: dict[Ident, list[Text]] = Field(min_length=1)
    ordinary: dict[Ident, list[Text]] = Field(min_length=1)


class CrisisEvalFile(Strict):
    """The team's evaluation set: every crisis sentence must get the help-now card, no ordinary one may."""

    meta: Meta
    crisis: dict[Ident, list[Text]] = Field(min_length=1)
    ordinary: dict[Ident, list[Text]] = Field(min_length=1)


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
    # The instruction as published, when `intro` adapts it: `adaptation` says what changed and why.
    published_instruction: str = ""
    adaptation: str = ""
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
    counted_every_days: int = Field(ge=1, le=28)
    window_weeks: int = Field(ge=1, le=26)


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
    nominations_per_day: int = Field(ge=1, le=20)


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
    "crisis.yaml": CrisisFile,
    "crisis_eval.yaml": CrisisEvalFile,
    "crisis_exemplars.yaml": CrisisExemplarsFile,
    "rules.yaml": RulesFile,
    "privacy_notice.yaml": PrivacyNoticeFile,
}
# Check-in instruments: every *.yaml in this sub-folder, one instrument per file.
INSTRUMENTS_DIR = "instruments"
# The crisis guard's blind evaluation rounds: every *.yaml in this sub-folder, one round per file.
ROUNDS_DIR = "crisis_rounds"


def placeholders(text: str) -> set[str]:
    """The {names} used in a message."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def _fills_in(model: type[BaseModel], prefix: str = "") -> dict[str, frozenset[str]]:
    """Each message's placeholders by its dotted key (a dict's values as 'key.*'), read from Fills."""
    found: dict[str, frozenset[str]] = {}
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        for mark in field.metadata:
            if isinstance(mark, Fills):
                found[key] = mark.names
        kind: Any = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            found |= _fills_in(kind, f"{key}.")
        elif get_origin(kind) is dict:
            value = get_args(kind)[1]
            marks = [m for m in getattr(value, "__metadata__", ()) if isinstance(m, Fills)]
            if marks:
                found[f"{key}.*"] = marks[0].names
    return found


# Derived from the Fills on the fields above, never kept by hand.
MESSAGE_PLACEHOLDERS: dict[str, frozenset[str]] = _fills_in(MessagesFile)
