"""Every card builder in bot/cards, rendered with real content and checked against the vendored
Adaptive Card schema for the version it declares (tests/card_schema.py). Cards the bot actually sends
are checked too, by the fake connector, in every end-to-end test."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest

import bot.cards
from bot.cards import admin, base, checkin, guide, help, my_data, pause, plan, reflect, settings, sharing, supervision
from bot.content import load_content
from bot.records.private import Entry, Plan
from bot.records.sharing import AuditEntry, Consent, Link, Request, Supervising
from bot.rules import new_schedule
from bot.usecases.data_rights import Held
from tests.card_schema import card_problems

NOW = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)


def every_card():
    content = load_content()
    schedule = new_schedule(NOW)
    topic = content.guide.topics[0]
    link = Link("l1", "w" + "0" * 23, "Sam Supervisor", "peer_supervisor", "active", NOW.isoformat())
    request = Request("r1", "l1", link.supervisor_pid, "sent", NOW.isoformat(), note="Could we talk?")
    example = sharing.request_card(content, "Alex Worker", "", "w" + "1" * 23, "example")
    entries = [Entry("Boundaries with a service user", "2026-11-20")]
    held = Held(schedule, ["2026-11-18", "2026-11-25"], link, Consent(True, "ask", "l1"), 1, 2, 1, True)
    instrument = content.rules.checkin.instrument
    return {
        "help": help.help_card(content),
        "help_now": help.help_now_card(content),
        "help_now_overdose": help.help_now_card(content, first=content.messages.crisis.overdose_lead),
        "offer": help.offer_card(content),
        "offer_overdose": help.offer_card(content, "overdose"),
        "offer_unsafe": help.offer_card(content, "unsafe"),
        "unsafe": help.unsafe_card(content),
        "crisis_topic": help.crisis_topic_card(content),
        "work_talk": help.work_talk_card(content),
        "unknown": help.unknown_card(content),
        "welcome": help.welcome_card(content, "weekly on Wednesday at 10:00"),
        "privacy": help.privacy_notice_card(content),
        "options": help.options_card(content, content.messages.small_talk.feelings_reply),
        "history": sharing.history_card(content, [AuditEntry(NOW.isoformat(), "request_sent_auto", "Sam Supervisor")]),
        "history_empty": sharing.history_card(content, []),
        "admin": admin.report_card("Admin report", ["Content running: messages 1.1.0."]),
        "thanks_very_low": checkin.thanks_card(content, base.once(), contacts=True),
        "topics_all": guide.list_card(content, "Topics", content.guide.topics),
        "checkin": checkin.checkin_card(content, instrument, "nonce", "Time for a check-in."),
        "pulse": checkin.checkin_card(content, content.rules.checkin.pulse, "nonce", "A quick one."),
        "thanks": checkin.thanks_card(content, base.once()),
        "question": checkin.question_card(content, content.prompts.prompts[0].text),
        "topic": guide.topic_card(content, topic),
        "topics": guide.list_card(content, "Topics", content.guide.topics[:5]),
        "settings": settings.settings_card(content, schedule, "Now: weekly."),
        "pause": pause.pause_card(content, "2026-11-26"),
        "supervision": supervision.supervision_card(content, 2),
        "agenda": supervision.agenda_card(content, entries, base.once()),
        "agenda_empty": supervision.agenda_card(content, [], base.once()),
        "reflect": reflect.reflect_card(content, content.prompts.prompts[:3], base.once()),
        "notes": reflect.notes_card(content, entries),
        "plan": plan.plan_card(content, Plan(what_helps="A walk")),
        "request": sharing.request_card(content, "Alex Worker", "Could we talk?", "w" + "1" * 23, "r1"),
        "nudge": sharing.nudge_card(content, "Alex Worker", "w" + "1" * 23, request),
        "nomination": sharing.nomination_card(content, "Alex Worker", "w" + "1" * 23, link),
        "no_answer": sharing.no_answer_card(content, link, request),
        "reconfirm": sharing.reconfirm_card(content, link, base.once()),
        "supervisor": sharing.supervisor_card(content, link),
        "supervisor_none": sharing.supervisor_card(content, None),
        "matches": sharing.matches_card(content, "Sam", [("w" + "2" * 23, "Sam Smith", "sam@trust.nhs.uk")], "other"),
        "consent_off": sharing.consent_card(content, link, Consent(), "terms", example, base.once()),
        "consent_on": sharing.consent_card(content, link, Consent(True, "auto", "l1"), "terms", example, base.once()),
        "suggest_name": sharing.suggestion_card(content, None),
        "suggest_sharing": sharing.suggestion_card(content, "Sam Supervisor"),
        "preview": sharing.preview_card(content, "Sam Supervisor", example, "r1"),
        "supervising": sharing.supervising_card(
            content, [Supervising("l1", "w" + "1" * 23, "Alex Worker", "peer_supervisor", "active")]
        ),
        "held": my_data.held_card(content, held),
        "trend": my_data.trend_card(content, [("2026-11-18", 48), ("2026-11-25", 76)]),
        "export": my_data.export_card(content, "https://bot.example.nhs.uk/export/abc", 10),
        "erase": my_data.erase_card(content, "nonce"),
    }


CARDS = every_card()


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_card_is_valid_for_the_version_it_declares(name):
    sent = base.finish(CARDS[name], "Get help now")  # as the Teams layer sends it
    assert sent["version"] == base.CARD_VERSION == "1.5"
    assert card_problems(sent) == []


def test_every_card_builder_is_rendered_above():
    """A new card builder must be added to every_card(), so it is checked too."""
    rendered = {fn.__code__ for fn in _builders_called()}
    builders = []
    for module_info in pkgutil.iter_modules(bot.cards.__path__):
        module = importlib.import_module(f"bot.cards.{module_info.name}")
        builders += [
            f
            for name, f in inspect.getmembers(module, inspect.isfunction)
            if name.endswith("_card") and f.__module__ == module.__name__
        ]
    missing = [f"{f.__module__}.{f.__name__}" for f in builders if f.__code__ not in rendered]
    assert not missing, f"render these in every_card(): {missing}"


def _builders_called():
    """The builder functions every_card() calls (read from its source, so none is forgotten)."""
    source = inspect.getsource(every_card)
    modules = {
        "admin": admin,
        "help": help,
        "checkin": checkin,
        "guide": guide,
        "settings": settings,
        "pause": pause,
        "supervision": supervision,
        "reflect": reflect,
        "plan": plan,
        "sharing": sharing,
        "my_data": my_data,
    }
    return [
        getattr(m, name)
        for alias, m in modules.items()
        for name in dir(m)
        if name.endswith("_card") and f"{alias}.{name}(" in source
    ]


def test_a_card_with_newer_features_is_caught():
    """The checker itself: a 1.5 heading and a 1.3 input label on a card declaring 1.2 are both found."""
    card = base.card(
        [base.text_block("Hi", style="heading"), {"type": "Input.Text", "id": "x", "label": "L"}], [], "Hi"
    )
    problems = card_problems({**card, "version": "1.2"})
    assert any("style: needs 1.5" in p for p in problems) and any("label: needs 1.3" in p for p in problems)
    assert card_problems(card) == []
    assert card_problems({**card, "_kind": "x"})  # not a card property: Teams would reject the whole card


def test_an_input_without_a_label_is_caught():
    """A text just before an input does not name it for a screen reader: every input has its own label."""
    body = [base.text_block("Your note"), {"type": "Input.Text", "id": "note"}, *base.toggle_input("t", "On", True)]
    assert card_problems(base.card(body, [], "Hi")) == ["card.body[1]: Input.Text 'note' has no label"]


TEAMS_SHOWS_ACTIONS = 6
BUTTON_MAX = 25  # characters of a button title Teams shows before cutting it


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_card_fits_what_teams_shows(name):
    """At most six buttons with "Get help now" first, titles Teams does not cut, each input's name said once."""
    sent = base.finish(CARDS[name], "Get help now")
    actions = sent.get("actions", [])
    assert len(actions) <= TEAMS_SHOWS_ACTIONS, [a["title"] for a in actions]
    if CARDS[name].get("_kind") != base.HELP_NOW_KIND:
        assert actions[0]["title"] == "Get help now"
        assert actions[0]["associatedInputs"] == "none"  # nothing typed on the card can hold it back
    assert all(len(a["title"]) <= BUTTON_MAX for a in actions), [a["title"] for a in actions]
    body = sent["body"]
    for index, element in enumerate(body):
        if element["type"] == "Input.Toggle":
            assert element["title"] and "label" not in element  # its title, beside it, is its name
        elif element["type"].startswith("Input."):
            assert element["label"] and body[index - 1].get("text") != element["label"]  # not said twice
    assert "**" not in sent["fallbackText"]  # the chat list's preview shows it as it is
