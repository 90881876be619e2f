"""The crisis guard through the real endpoint: whatever the worker was doing is saved or sent as usual,
and help comes beside it, in proportion: the help-now card, the overdose and unsafe answers, the offer
when unsure, the gentle line. Never a second copy, never a word of it in the logs."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.content import load_content
from bot.crisis import NOTHING
from tests.teams import Person, card_submit
from tests.test_checkins_e2e import card_of, services
from tests.test_sharing_e2e import button, conversation, press, reach_preview

CRISIS = "I'm not safe at the moment, can we talk today?"
UNSURE = "I won't be needing my appraisal next month, or the leave I booked"
CONTENT = load_content()
EVAL = CONTENT.crisis_eval


def raw_files(h) -> str:
    return "\n".join(p.read_text() for p in h.settings.data_dir.rglob("*.json"))


def help_now(calls) -> bool:
    return any("Samaritans" in c.words and "116 123" in c.words for c in calls)


def contacts_written_out(calls) -> bool:
    """999, Samaritans and Shout written out in the bot's answer: nobody has to press anything to see them."""
    return any(all(n in c.words for n in ("999", "116 123", "85258")) for c in calls)


def offer(calls) -> bool:
    return any("If any of this is about you, you can talk to someone now" in c.words for c in calls)


def cold(calls) -> bool:
    """The answer to words the bot does not understand: never for a message with signs of risk."""
    return any(CONTENT.messages.unknown.split(",")[0] in c.words for c in calls)


@pytest.fixture
async def worker_chat(harness):
    worker = Person.make("Alex Worker")
    await harness.say(worker, "hi")
    return harness, worker


async def test_a_request_with_crisis_words_in_its_note_is_sent_and_the_worker_gets_help(pair):
    h, worker, supervisor = pair
    preview = await reach_preview(h, worker, supervisor)
    before = len(conversation(h, supervisor))
    sent = await press(h, worker, button(preview, "Send"), note=CRISIS)
    assert "Sent." in sent[0].words  # the worker is told it was sent ...
    assert help_now(sent[1:]) and "If you're struggling right now" in sent[-1].words  # ... and shown help now
    request = conversation(h, supervisor)[before:]
    assert len(request) == 1 and CRISIS in request[0].words  # the supervisor received it, note and all


@pytest.mark.parametrize(
    "text, helped", [("Some days I'd rather not wake up, it's all too much", help_now), (UNSURE, offer)]
)
@pytest.mark.parametrize(
    "action, field, listing",
    [
        ("reflect_save", "thoughts", "notes"),
        ("agenda_add", "item", "agenda"),
        ("agenda_add_reflection", "thoughts", "agenda"),
    ],
)
async def test_free_text_with_signs_of_risk_is_saved_once_and_help_follows(
    worker_chat, caplog, action, field, listing, text, helped
):
    h, worker = worker_chat
    caplog.set_level(logging.DEBUG)
    sent = await h.send(card_submit(worker, h.connector.url, {"action": action, field: text}))
    assert not helped(sent[:1]) and helped(sent[1:])  # the flow's own answer first, then help
    assert raw_files(h).count(text) == 1  # stored exactly as it would have been, and only once
    (shown,) = await h.say(worker, listing)
    assert text in shown.words
    assert not any(text[:20] in r.getMessage() for r in caplog.records)


async def test_a_request_whose_note_is_unsure_is_sent_and_the_offer_follows(pair):
    h, worker, supervisor = pair
    preview = await reach_preview(h, worker, supervisor)
    before = len(conversation(h, supervisor))
    sent = await press(h, worker, button(preview, "Send"), note=UNSURE)
    assert "Sent." in sent[0].words and offer(sent[1:])
    request = conversation(h, supervisor)[before:]
    assert len(request) == 1 and UNSURE in request[0].words


async def test_a_plan_with_crisis_words_is_saved_and_help_follows(worker_chat):
    h, worker = worker_chat
    values = {
        "keeps_me_well": "walking",
        "early_signs": "I start stockpiling my tablets",
        "what_helps": "calling Jo",
        "who_to_contact": "Jo",
    }
    sent = await h.send(card_submit(worker, h.connector.url, {"action": "plan_save", **values}))
    assert "Your plan is saved" in sent[0].words and help_now(sent[1:])
    assert raw_files(h).count("I start stockpiling my tablets") == 1


async def test_a_typed_check_in_answer_with_crisis_words_is_saved_and_help_follows(worker_chat):
    h, worker = worker_chat
    await h.say(worker, "check in")
    sent = await h.say(worker, "3 3 3 3 3 but honestly I want to end it all")
    assert "Saved, thanks" in sent[0].words and help_now(sent)
    pid = next(iter(await services(h).bot.records.workers.all_pids()))
    assert len(await services(h).bot.records.checkins.list(pid)) == 1
    assert "end it all" not in raw_files(h)  # a typed answer keeps only the numbers, as always


async def test_settings_with_crisis_words_change_nothing_else_and_help_follows(worker_chat):
    h, worker = worker_chat
    (form,) = await h.say(worker, "settings")
    values = {b["id"]: b.get("value") for b in card_of(form)["body"] if b.get("id")}
    values["timezone"] = "I want to kill myself"
    sent = await h.send(card_submit(worker, h.connector.url, {"action": "settings_save", **values}))
    assert "Nothing was changed" in sent[0].words and help_now(sent[1:])


async def test_topic_words_get_one_gentle_line_not_the_contacts(worker_chat):
    h, worker = worker_chat
    sent = await h.say(worker, "We did the suicide prevention training today")
    (line,) = sent
    assert "If any of this is about you, help is here" in line.words and "116 123" not in line.words
    assert [a["title"] for a in card_of(line)["actions"]] == ["Get help now"]


async def test_unsure_gets_one_calm_card_with_the_key_numbers_written_out(worker_chat):
    h, worker = worker_chat
    (card,) = await h.say(worker, UNSURE)
    assert offer([card]) and contacts_written_out([card]) and not cold([card])
    assert [a["title"] for a in card_of(card)["actions"]] == ["Get help now"]  # the rest is one tap away
    assert "?" not in card.words  # it asks nothing and assesses nothing


async def test_being_unsafe_at_home_is_its_own_answer(worker_chat):
    h, worker = worker_chat
    (card,) = await h.say(worker, "He put his hands round my neck last night and I'm scared to go home")
    words = card.words
    assert "If you are not safe" in words and "999" in words and "0808 2000 247" in words  # domestic abuse line
    assert words.index("999") < words.index("0808 2000 247")
    assert [a["title"] for a in card_of(card)["actions"]] == ["Get help now"]
    assert not cold([card])


async def test_being_unsafe_beside_other_crisis_talk_gets_the_full_card_led_by_the_unsafe_lines(worker_chat):
    h, worker = worker_chat
    (card,) = await h.say(worker, "he hit me again last night and honestly I want to die")
    blocks = [b["text"] for b in card_of(card)["body"] if b.get("type") == "TextBlock"]
    assert "If someone is hurting or frightening you" in blocks[1] and "press 55" in blocks[1]
    assert help_now([card]) and "0808 2000 247" in card.words and "Shout" in card.words


async def test_an_overdose_now_puts_999_or_a_and_e_before_any_other_contact(worker_chat):
    h, worker = worker_chat
    (card,) = await h.say(worker, "I've taken all my tablets, feel really weird")
    blocks = [b["text"] for b in card_of(card)["body"] if b.get("type") == "TextBlock"]
    assert "999 or go to A&E now" in blocks[1]  # straight after the title, before any other contact
    assert help_now([card])


async def test_an_overdose_an_hour_ago_told_as_ok_now_still_puts_999_or_a_and_e_first(worker_chat):
    """ "I'm ok now" does not make an act of the last hour the past (crisis.yaml `recent`)."""
    h, worker = worker_chat
    (card,) = await h.say(worker, "took 20 paracetamol an hour ago, im ok now")
    blocks = [b["text"] for b in card_of(card)["body"] if b.get("type") == "TextBlock"]
    assert "999 or go to A&E now" in blocks[1] and help_now([card])


async def test_an_overdose_told_as_ok_now_gets_the_offer_with_999_or_a_and_e_first(worker_chat):
    """ "I'm ok now" with nothing dating the overdose (crisis.yaml `reassured`): never the gentle line."""
    h, worker = worker_chat
    answer, card = await h.say(worker, "Last night was awful. Took 20 paracetamol. I'm ok now.")
    blocks = [b["text"] for b in card_of(card)["body"] if b.get("type") == "TextBlock"]
    assert offer([card]) and "999 or go to A&E now" in blocks[0]  # after the usual answer, before the rest
    assert not offer([answer]) and "999" not in answer.words


async def test_an_overdose_heard_beside_the_rules_offer_puts_999_or_a_and_e_in_the_offer(worker_chat):
    h, worker = worker_chat
    (card,) = await h.say(worker, "Swallowed what was in the cabinet. I've had enough now.")
    blocks = [b["text"] for b in card_of(card)["body"] if b.get("type") == "TextBlock"]
    assert offer([card]) and "999 or go to A&E now" in blocks[0]  # before the offer's own line
    (general,) = await h.say(worker, "I've had enough now.")
    assert offer([general]) and "A&E now" not in card_of(general)["body"][0]["text"]


async def test_unsure_about_being_unsafe_offers_the_domestic_abuse_line(worker_chat):
    h, worker = worker_chat
    (card,) = await h.say(worker, "he checks my phone every night so I'm writing this on the work laptop")
    assert offer([card]) and "0808 2000 247" in card.words and "999" in card.words


async def test_words_with_signs_of_risk_never_get_the_cold_answer(worker_chat):
    h, worker = worker_chat
    for text in (UNSURE, "Bought a rope today", "my partner took my bank card and my keys", "did the suicide training"):
        sent = await h.say(worker, text)
        assert sent and not cold(sent), text


async def test_a_burden_message_gets_help_not_a_cold_answer(worker_chat):
    h, worker = worker_chat
    (reply,) = await h.say(worker, "honestly they'd all cope fine without me")
    assert help_now([reply]) and "Thank you for telling me" in reply.words
    assert "only understand" not in reply.words


async def test_every_sentence_of_the_hold_out_round_gets_its_answer_through_the_endpoint(worker_chat):
    """The last blind round, as a new worker would send it: contacts written out for crisis sentences,
    none for ordinary ones, except the misses the round lists (docs/safety.md reports them)."""
    h, worker = worker_chat
    (hold_out,) = [r for r in CONTENT.crisis_rounds.values() if r.role == "hold-out"]
    wrong = []  # (group, kind, what went wrong): a hold-out's words are never shown, even by a failing test
    for group, kinds in (("crisis", hold_out.crisis), ("ordinary", hold_out.ordinary)):
        for kind, sentences in kinds.items():
            for text in sentences:
                sent = await h.say(worker, text)
                shown = help_now(sent) or (offer(sent) and contacts_written_out(sent))
                if shown != (group == "crisis") and text not in hold_out.misses:
                    wrong.append((group, kind, "contacts" if shown else "no contacts"))
                if group == "crisis" and text not in hold_out.misses and cold(sent):
                    wrong.append((group, kind, "the cold answer"))
    assert not wrong


async def test_every_sentence_of_the_evaluation_set_gets_the_right_answer_through_the_endpoint(worker_chat):
    h, worker = worker_chat
    for sentences in EVAL.crisis.values():
        for text in sentences[:4]:
            assert help_now(await h.say(worker, text)), text
    for sentences in EVAL.ordinary.values():
        for text in sentences[:4]:
            assert not help_now(await h.say(worker, text)), text


class SilentGuard:
    """A guard that never hears anything: the bot as it would be without one."""

    async def assess(self, intent):
        return NOTHING

    async def add_help(self, *args, **kwargs):
        return None

    async def offer(self, turn):
        return None


SAMPLES = [s for v in EVAL.crisis.values() for s in v[:6]] + [s for v in EVAL.ordinary.values() for s in v[:6]]


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(st.sampled_from(SAMPLES), st.text(min_size=1, max_size=200)),
    flow=st.sampled_from([("reflect_save", "thoughts"), ("agenda_add", "item"), ("plan_save", "what_helps")]),
)
async def test_the_guards_answer_never_changes_what_a_flow_stores_or_sends(tmp_path_factory, text, flow):

    from botbuilder.core.adapters import TestAdapter
    from botbuilder.schema import Activity, ActivityTypes

    from bot.storage import TinyStore
    from tests.test_dialogs import local_bot, teams_template

    action, field = flow
    outcomes = []
    for silent in (False, True):
        store = TinyStore(tmp_path_factory.mktemp("guard"))
        await store.open()
        bot = await local_bot(store, **({"guard": SilentGuard()} if silent else {}))
        adapter = TestAdapter(bot.on_turn, teams_template())
        await adapter.receive_activity(Activity(type=ActivityTypes.message, text="hi"))
        before = len(adapter.activity_buffer)
        await adapter.receive_activity(Activity(type=ActivityTypes.message, value={"action": action, field: text}))
        replies = [
            a
            for a in adapter.activity_buffer[before:]
            if not (a.attachments and "Samaritans" in str(a.attachments[0].content))
            and not (a.attachments and "If any of this is about you" in str(a.attachments[0].content))
        ]
        # Everything in the worker's file but their profile (whose pseudonymous id differs per store).
        stored = [
            {k: v for k, v in json.loads(p.read_text()).items() if k != "profile"}
            for p in store.root.rglob("workers/*/*.json")
        ]
        outcomes.append(([(a.text, bool(a.attachments)) for a in replies], stored))
        await store.close()
    assert outcomes[0] == outcomes[1]
