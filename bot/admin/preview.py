"""What a worker would see: the messages and cards an edit changes, built by the bot's own card builders
from the edited content, with sample people and dates where a real chat has its own.

`affected(before, after)` builds every card the bot sends from both contents and keeps those that differ,
and every message of messages.yaml whose words differ, filled in with sample values. The page draws the
cards with the Adaptive Cards JavaScript renderer, in Teams' light and dark styles, narrow and wide.
When an edit changes nothing yet, `shown_for(file)` names the cards the file appears in.
"""

from __future__ import annotations

import datetime as dt
import json
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..cards import admin, base, checkin, guide, help, my_data, pause, plan, reflect, settings, sharing, supervision
from ..content import Content
from ..content.checks import message_texts
from ..content.schema import INSTRUMENTS_DIR, MESSAGE_PLACEHOLDERS
from ..records.private import Entry, Plan
from ..records.sharing import AuditEntry, Consent, Link, Request, Supervising
from ..rules import new_schedule
from ..usecases.consent import consent_terms
from ..usecases.data_rights import Held

NOW = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)
WORKER, SUPERVISOR = "Alex Worker", "Sam Supervisor"
ONCE = "preview"  # the one-time token of a card's buttons: fixed, so a card differs only by its words
SAMPLES = {
    "bot_name": "",  # the content's own
    "name": SUPERVISOR,
    "worker": WORKER,
    "who": SUPERVISOR,
    "role": "peer supervisor",
    "schedule": "weekly on Wednesday at 10:00",
    "next": "Wednesday 2 December at 10:00",
    "when": "Wednesday 2 December",
    "time": "10:00",
    "timezone": "Europe/London",
    "weekday": "Wednesday",
    "day": "Wednesday 25 November",
    "month": "November",
    "date": "25 November",
    "until": "Wednesday 9 December",
    "count": "2",
    "ref": "A1B2C3",
    "version": "messages 1.1.0, contacts 1.0.0",
    "approved_by": "Jo Smith, Peer Support Lead",
    "approved_on": "2026-12-01",
    "instruments": "WHO-5 Well-Being Index",
    "key_contacts": "999, Samaritans 116 123, Shout: text SHOUT to 85258",
    "questions": "2 and 4",
    "lowest": "0",
    "highest": "5",
    "problems": "the time must be like 09:30",
    "words": "boundaries",
    "query": "Sam",
    "status": "active",
    "minutes": "10",
    "note": "Could we talk this week?",
    "days": "7",
    "weeks": "8",
    "within": "3",
    "of_last": "4",
    "low": "52",
    "cool_off_weeks": "4",
    "mode": "ask me each time",
    "minimum": "10",
    "unreachable": "0",
    "uninstalled": "0",
    "undelivered": "0",
    "on": "12",
    "total": "40",
    "checkins": "31",
    "people": "14",
    "bar": "■■■■■",
    "notes": "2",
    "agenda": "1",
    "plan": "written",
    "dates": "18 November, 25 November",
}


@dataclass(frozen=True)
class Shown:
    """A card the bot sends, built by `build` from content, and the files whose words it shows."""

    name: str
    title: str
    files: tuple[str, ...]
    build: Callable[[Content], base.Card]


def _link() -> Link:
    return Link("l1", "w" + "0" * 23, SUPERVISOR, "peer_supervisor", "active", NOW.isoformat())


def _request() -> Request:
    return Request("r1", "l1", _link().supervisor_pid, "sent", NOW.isoformat(), note="Could we talk?")


def _example(c: Content) -> base.Card:
    return sharing.request_card(c, WORKER, "", PID, "example")


def _held(c: Content) -> Held:
    return Held(new_schedule(NOW), ["2026-11-18", "2026-11-25"], _link(), Consent(True, "ask", "l1"), 1, 2, 1, True)


MSG, CON, GUI, SUP, PRO, RUL, NOT, INS = (
    "messages.yaml",
    "contacts.yaml",
    "guide.yaml",
    "supervision.yaml",
    "reflective_prompts.yaml",
    "rules.yaml",
    "privacy_notice.yaml",
    INSTRUMENTS_DIR + "/",
)
PID = "w" + "1" * 23  # a worker's pseudonymous id, as cards carry it
EXPORT = "https://bot.example.nhs.uk/export/abc"  # a one-time download link


def _first_prompt(c: Content) -> str:
    return c.prompts.prompts[0].text


def _all_topics(c: Content) -> base.Card:
    return guide.list_card(c, c.messages.guide.intro, c.guide.topics)


def _terms(c: Content) -> str:
    """The consent card's rule in words, generated from rules.yaml as the sharing dialog does."""
    return consent_terms(c, None, SUPERVISOR)


CARDS: list[Shown] = [
    Shown("help", "Help", (MSG,), help.help_card),
    Shown("help_now", "Get help now", (MSG, CON), help.help_now_card),
    Shown(
        "help_now_overdose",
        "Get help now, after an overdose",
        (MSG, CON),
        lambda c: help.help_now_card(c, first=c.messages.crisis.overdose_lead),
    ),
    Shown("offer", "The calm offer of help", (MSG, CON), help.offer_card),
    Shown("offer_overdose", "The offer, overdose", (MSG, CON), lambda c: help.offer_card(c, "overdose")),
    Shown("offer_unsafe", "The offer, not safe at home", (MSG, CON), lambda c: help.offer_card(c, "unsafe")),
    Shown("unsafe", "If you are not safe", (MSG, CON), help.unsafe_card),
    Shown("crisis_topic", "A crisis topic", (MSG,), help.crisis_topic_card),
    Shown("work_talk", "Hard words about work", (MSG,), help.work_talk_card),
    Shown("unknown", "Not understood", (MSG,), help.unknown_card),
    Shown("welcome", "Welcome", (MSG, CON), lambda c: help.welcome_card(c, SAMPLES["schedule"])),
    Shown("privacy", "Privacy notice", (MSG, NOT), help.privacy_notice_card),
    Shown("greeting", "After a greeting", (MSG,), lambda c: help.options_card(c, c.messages.small_talk.greeting_reply)),
    Shown("help_me", 'After "help me"', (MSG,), lambda c: help.options_card(c, c.messages.small_talk.help_me_reply)),
    Shown("options", "After a feeling", (MSG,), lambda c: help.options_card(c, c.messages.small_talk.feelings_reply)),
    Shown(
        "history",
        "Who has seen what",
        (MSG,),
        lambda c: sharing.history_card(c, [AuditEntry(NOW.isoformat(), "request_sent_auto", SUPERVISOR)]),
    ),
    Shown("history_empty", "Who has seen what (nothing yet)", (MSG,), lambda c: sharing.history_card(c, [])),
    Shown(
        "admin",
        "Admin report",
        (MSG,),
        lambda c: admin.report_card(
            c.messages.admin.title, [c.fill(c.messages.admin.content, version=c.version, status="")]
        ),
    ),
    Shown(
        "checkin",
        "Check-in",
        (MSG, INS, RUL),
        lambda c: checkin.checkin_card(c, c.rules.checkin.instrument, ONCE, c.messages.checkin.lead_on_demand),
    ),
    Shown(
        "pulse",
        "Quick pulse",
        (MSG, INS, RUL),
        lambda c: checkin.checkin_card(
            c, c.rules.checkin.pulse or c.rules.checkin.instrument, ONCE, c.messages.checkin.lead_on_demand
        ),
    ),
    Shown("thanks", "Thanks after a check-in", (MSG, GUI, RUL), lambda c: checkin.thanks_card(c, ONCE)),
    Shown(
        "thanks_very_low",
        "Thanks after a very low check-in",
        (MSG, CON, GUI, RUL),
        lambda c: checkin.thanks_card(c, ONCE, contacts=True),
    ),
    Shown(
        "question",
        "Something to think about",
        (MSG, PRO),
        lambda c: checkin.question_card(c, c.prompts.prompts[0].text),
    ),
    Shown("topic", "A guide topic", (MSG, GUI), lambda c: guide.topic_card(c, c.guide.topics[0])),
    Shown(
        "topics_all",
        "All guide topics",
        (MSG, GUI),
        lambda c: guide.list_card(c, c.messages.guide.intro, c.guide.topics),
    ),
    Shown(
        "settings",
        "Settings",
        (MSG, RUL),
        lambda c: settings.settings_card(
            c,
            new_schedule(NOW),
            c.fill(c.messages.settings.current, schedule=SAMPLES["schedule"], next=SAMPLES["next"]),
        ),
    ),
    Shown("pause", "Pause", (MSG,), lambda c: pause.pause_card(c, "2026-11-26")),
    Shown("supervision", "Supervision", (MSG, SUP), lambda c: supervision.supervision_card(c, 2)),
    Shown(
        "agenda",
        "Supervision list",
        (MSG,),
        lambda c: supervision.agenda_card(c, [Entry("Boundaries with a service user", "2026-11-20")], ONCE),
    ),
    Shown("agenda_empty", "Supervision list (empty)", (MSG,), lambda c: supervision.agenda_card(c, [], ONCE)),
    Shown("reflect", "Reflect", (MSG, PRO), lambda c: reflect.reflect_card(c, c.prompts.prompts[:3], ONCE)),
    Shown(
        "notes",
        "Notes",
        (MSG,),
        lambda c: reflect.notes_card(c, [Entry("Boundaries with a service user", "2026-11-20")]),
    ),
    Shown("plan", "My plan", (MSG,), lambda c: plan.plan_card(c, Plan(what_helps="A walk"))),
    Shown(
        "request",
        "A request to a supervisor",
        (MSG,),
        lambda c: sharing.request_card(c, WORKER, "Could we talk?", PID, "r1"),
    ),
    Shown("nudge", "A reminder to a supervisor", (MSG,), lambda c: sharing.nudge_card(c, WORKER, PID, _request())),
    Shown(
        "nomination",
        "Asked to be a supervisor",
        (MSG,),
        lambda c: sharing.nomination_card(c, WORKER, PID, _link()),
    ),
    Shown("no_answer", "No answer yet", (MSG,), lambda c: sharing.no_answer_card(c, _link(), _request())),
    Shown("reconfirm", "Still your supervisor?", (MSG,), lambda c: sharing.reconfirm_card(c, _link(), ONCE)),
    Shown("supervisor", "Your supervisor", (MSG,), lambda c: sharing.supervisor_card(c, _link())),
    Shown("supervisor_none", "Name a supervisor", (MSG,), lambda c: sharing.supervisor_card(c, None)),
    Shown(
        "matches",
        "Which person?",
        (MSG,),
        lambda c: sharing.matches_card(c, "Sam", [("w" + "2" * 23, "Sam Smith", "sam@trust.nhs.uk")], "other"),
    ),
    Shown(
        "consent_off",
        "Sharing (off)",
        (MSG, RUL),
        lambda c: sharing.consent_card(c, _link(), Consent(), _terms(c), _example(c), ONCE),
    ),
    Shown(
        "consent_on",
        "Sharing (on)",
        (MSG, RUL),
        lambda c: sharing.consent_card(c, _link(), Consent(True, "auto", "l1"), _terms(c), _example(c), ONCE),
    ),
    Shown("suggest_name", "A suggestion to name someone", (MSG,), lambda c: sharing.suggestion_card(c, None)),
    Shown("suggest_sharing", "A suggestion to share", (MSG,), lambda c: sharing.suggestion_card(c, SUPERVISOR)),
    Shown("preview", "Preview of a request", (MSG,), lambda c: sharing.preview_card(c, SUPERVISOR, _example(c), "r1")),
    Shown(
        "supervising",
        "Supervising",
        (MSG,),
        lambda c: sharing.supervising_card(c, [Supervising("l1", PID, WORKER, "peer_supervisor", "active")]),
    ),
    Shown("held", "My data", (MSG,), lambda c: my_data.held_card(c, _held(c))),
    Shown("trend", "My trend", (MSG,), lambda c: my_data.trend_card(c, [("2026-11-18", 48), ("2026-11-25", 76)])),
    Shown("export", "Download my data", (MSG,), lambda c: my_data.export_card(c, EXPORT, 10)),
    Shown("erase", "Delete my data", (MSG,), lambda c: my_data.erase_card(c, ONCE)),
]


def card(shown: Shown, content: Content) -> base.Card | None:
    """The card as Teams gets it, or None when this content cannot build it."""
    try:
        return base.finish(shown.build(content), content.messages.buttons.get_help_now)
    except (AttributeError, IndexError, KeyError, LookupError, StopIteration, TypeError, ValueError):
        return None


def sample_text(content: Content, key: str) -> str:
    """A message with sample values in its placeholders (and plurals chosen for them)."""
    node: Any = content.messages
    for part in key.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    names = {name for _lit, name, _spec, _conv in string.Formatter().parse(node) if name}
    params = {name.split(":")[0]: SAMPLES.get(name.split(":")[0], "…") for name in names}
    params["bot_name"] = content.messages.bot_name
    try:
        return content.fill(node, **params)
    except (KeyError, IndexError, ValueError, StopIteration):
        return node


def affected(before: Content, after: Content, file: str) -> dict[str, Any]:
    """The messages and cards the edit of `file` changes, as the page shows them (after the edit). When it
    changes none yet, the cards the file appears in."""
    cards = []
    for shown in CARDS:
        old, new = card(shown, before), card(shown, after)
        if new is not None and json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True):
            cards.append({"name": shown.name, "title": shown.title, "card": new, "changed": True})
    messages = []
    if file == "messages.yaml":
        old_texts = dict(message_texts(before.messages))
        for key, text in message_texts(after.messages):
            if old_texts.get(key) != text:
                messages.append({"key": key, "text": sample_text(after, key), "placeholders": _allowed(key)})
    if not cards and not messages:
        for shown in shown_for(file)[:4]:
            built = card(shown, after)
            if built is not None:
                cards.append({"name": shown.name, "title": shown.title, "card": built, "changed": False})
    return {"cards": cards, "messages": messages}


def shown_for(file: str) -> list[Shown]:
    """The cards that show words from `file` (messages.yaml: the most seen ones)."""
    wanted = INSTRUMENTS_DIR + "/" if file.startswith(INSTRUMENTS_DIR + "/") else file
    if wanted == MSG:
        return [s for s in CARDS if s.name in ("welcome", "help", "checkin", "help_now")]
    return [s for s in CARDS if wanted in s.files]


def _allowed(key: str) -> list[str]:
    allowed = MESSAGE_PLACEHOLDERS.get(key) or MESSAGE_PLACEHOLDERS.get(key.rsplit(".", 1)[0] + ".*", frozenset())
    return sorted(allowed)
