"""Guide, supervision list, reflect, notes, my plan and the crisis guard, through the TestAdapter."""

from __future__ import annotations

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes

from bot.storage import TinyStore
from tests.card_schema import card_problems
from tests.test_dialogs import local_bot, teams_template, words


class Chat:
    """Drives the real bot through the SDK's TestAdapter and collects what it says."""

    def __init__(self, adapter: TestAdapter, store: TinyStore):
        self.adapter = adapter
        self.store = store
        self.seen = 0

    async def say(self, text: str) -> list[Activity]:
        return await self._send(Activity(type=ActivityTypes.message, text=text))

    async def press(self, value: dict) -> list[Activity]:
        return await self._send(Activity(type=ActivityTypes.message, value=value, reply_to_id="1"))

    async def _send(self, activity: Activity) -> list[Activity]:
        await self.adapter.receive_activity(activity)
        out = self.adapter.activity_buffer[self.seen :]
        self.seen = len(self.adapter.activity_buffer)
        for activity in out:
            for attachment in activity.attachments or []:
                assert not card_problems(attachment.content), card_problems(attachment.content)
        return out

    def raw_files(self) -> str:
        return "\n".join(p.read_text() for p in self.store.root.rglob("*.json"))


def said(activities) -> str:
    return "\n".join(words(a) for a in activities)


def buttons(activity) -> dict[str, dict]:
    return {a["title"]: a for a in activity.attachments[0].content["actions"]}


@pytest.fixture
async def chat(tmp_path):
    store = TinyStore(tmp_path / "data")
    await store.open()
    bot = await local_bot(store)
    adapter = TestAdapter(bot.on_turn, teams_template())
    adapter.on_turn_error = bot.on_turn_error
    c = Chat(adapter, store)
    await c.say("hi")  # the welcome
    yield c
    await store.close()


# Guide -----------------------------------------------------------------------------------------------


def topic_choices(reply) -> dict[str, str]:
    (pick,) = [b for b in reply.attachments[0].content["body"] if b.get("id") == "topic"]
    return {c["title"]: c["value"] for c in pick["choices"]}


async def test_guide_lists_every_topic_to_pick_from_and_opens_the_one_picked(chat):
    (reply,) = await chat.say("guide")
    topics = topic_choices(reply)
    assert len(topics) == 15 and "Boundaries" in topics
    assert list(buttons(reply)) == ["Get help now", "Open"]  # Teams shows six buttons: the topics are a list
    (opened,) = await chat.press({**buttons(reply)["Open"]["data"], "topic": topics["Boundaries"]})
    assert "I need to check that with my supervisor" in said([opened])


async def test_guide_search_opens_the_topic_with_points_link_and_related(chat):
    (reply,) = await chat.say("guide boundaries")
    text = said([reply])
    assert "Boundaries" in text and "I need to check that with my supervisor" in text
    b = buttons(reply)
    assert b["Read the full guide"]["url"].endswith("#boundaries")
    assert b["Sharing your story"]["data"] == {"action": "guide_open", "topic": "lived_experience"}
    (related,) = await chat.press(b["Sharing your story"]["data"])
    assert "Who is this for" in said([related]) or "who is this for" in said([related])


async def test_guide_search_with_no_match_lists_everything_kindly(chat):
    (reply,) = await chat.say("guide pineapples")
    assert 'couldn\'t find a topic about "pineapples"' in said([reply]) and len(topic_choices(reply)) == 15


async def test_guide_search_by_keyword_form(chat):
    (reply,) = await chat.say("guide sickness")
    assert "Time off sick and coming back" in said([reply])


async def test_forged_topic_id_lists_topics(chat):
    (reply,) = await chat.press({"action": "guide_open", "topic": "../../etc"})
    assert len(topic_choices(reply)) == 15


# Supervision and the private list ----------------------------------------------------------------------


async def test_supervision_explains_peer_vs_line_and_how_to_book(chat):
    (reply,) = await chat.say("supervision")
    text = said([reply])
    assert "Line management is about tasks" in text and "peer lead" in text
    assert "How to book" in buttons(reply) and "My supervision list" in buttons(reply)


async def test_supervision_list_add_show_and_clear(chat):
    assert "Added to your supervision list" in said(
        await chat.press({"action": "agenda_add", "item": "Boundaries with Sam"})
    )
    (listing,) = await chat.say("agenda")
    assert "Boundaries with Sam" in said([listing]) and "I never send it to anyone" in said([listing])
    assert "nothing to add" in said(await chat.press({"action": "agenda_add", "item": "   "}))
    assert "cleared" in said(await chat.press({"action": "agenda_clear"}))
    (empty,) = await chat.say("agenda")
    assert "Your list is empty" in said([empty])


# Reflect and notes ------------------------------------------------------------------------------------


async def test_reflect_stores_nothing_unless_saved(chat):
    (card,) = await chat.say("reflect")
    assert "difficult shift" in said([card]) and "Save to my private notes" in buttons(card)
    await chat.press({"action": "reflect_done", "thoughts": "a private thought about today"})
    assert "a private thought" not in chat.raw_files()
    await chat.press({"action": "reflect_save", "thoughts": "the ward round felt close to home"})
    assert "the ward round felt close to home" in chat.raw_files()
    (notes,) = await chat.say("notes")
    assert "the ward round felt close to home" in said([notes])
    await chat.press({"action": "notes_delete"})
    assert "ward round" not in chat.raw_files()


async def test_take_a_reflection_to_supervision(chat):
    await chat.press({"action": "agenda_add_reflection", "thoughts": ""})
    (listing,) = await chat.say("agenda")
    assert "Something from a difficult shift" in said([listing])


# My plan -----------------------------------------------------------------------------------------------


async def test_plan_is_written_shown_back_and_one_tap_away_after_a_check_in(chat):
    (form,) = await chat.say("my plan")
    assert "What helps when they do" in said([form])
    await chat.press(
        {
            "action": "plan_save",
            "keeps_me_well": "walks",
            "early_signs": "skipping lunch",
            "what_helps": "a call with my sister",
            "who_to_contact": "Jo",
        }
    )
    (checkin,) = await chat.say("check in")
    nonce = buttons(checkin)["Save"]["data"]["nonce"]
    replies = await chat.press(
        {
            "action": "checkin_submit",
            "nonce": nonce,
            "cheerful": "2",
            "calm": "2",
            "active": "2",
            "rested": "2",
            "interest": "2",
        }
    )
    assert "a call with my sister" not in said(replies)  # never pasted into the chat
    thanks = next(r for r in replies if r.attachments and "My plan" in buttons(r))
    (form,) = await chat.press(buttons(thanks)["My plan"]["data"])
    values = {b["id"]: b.get("value") for b in form.attachments[0].content["body"] if b.get("id")}
    assert values["what_helps"] == "a call with my sister" and "Hide" in buttons(form)
    await chat.press(buttons(thanks)["Take this to supervision"]["data"])
    (listing,) = await chat.say("agenda")
    assert "How I've been feeling lately" in said([listing]) and "40" not in said([listing])


# The crisis guard: it adds help, it never takes anything away -----------------------------------------------


@pytest.mark.parametrize(
    "text", ["I want to kill myself", "i feel suicidal", "I can't go on", "they'd all cope fine without me"]
)
async def test_crisis_text_typed_on_its_own_gets_help_now_at_once(chat, text):
    replies = await chat.say(text)
    assert len(replies) == 1 and "Samaritans" in said(replies) and "Thank you for telling me" in said(replies)
    assert "?" not in said(replies).replace("Get help now", "")  # no questions about plans or means
    assert text.lower() not in chat.raw_files().lower()  # nothing typed on its own is ever stored


async def test_a_reflection_with_crisis_words_is_saved_and_help_follows(chat):
    replies = await chat.press({"action": "reflect_save", "thoughts": "honestly I want to die after today"})
    assert "Saved to your private notes" in said(replies[:1])
    assert "If you're struggling right now" in said(replies[1:]) and "Samaritans" in said(replies[1:])
    assert chat.raw_files().count("honestly I want to die after today") == 1  # saved once, never copied
    (notes,) = await chat.say("notes")
    assert "honestly I want to die after today" in said([notes])


async def test_work_talk_about_suicide_is_saved_with_one_gentle_line(chat):
    replies = await chat.press({"action": "agenda_add", "item": "the suicide prevention training brought stuff up"})
    assert "Added to your supervision list" in said(replies[:1])
    (line,) = replies[1:]
    assert "If any of this is about you, help is here" in said([line]) and "Samaritans" not in said([line])
    assert list(buttons(line)) == ["Get help now"]


async def test_a_plan_that_mentions_overdose_is_kept(chat):
    await chat.press(
        {
            "action": "plan_save",
            "keeps_me_well": "walks",
            "early_signs": "thinking about an overdose",
            "what_helps": "calling my sister",
            "who_to_contact": "Jo",
        }
    )
    (form,) = await chat.say("my plan")
    values = {b["id"]: b.get("value") for b in form.attachments[0].content["body"] if b.get("id")}
    assert values["early_signs"] == "thinking about an overdose"


async def test_work_talk_gets_a_gentle_offer(chat):
    (reply,) = await chat.say("this rota is killing me")
    assert "tough shift" in said([reply]) and "Samaritans" not in said([reply])
    assert list(buttons(reply)) == ["Get help now", "Check in", "Reflect"]


async def test_worker_carries_on_after_the_crisis_card(chat):
    await chat.say("I want to die")
    (reply,) = await chat.say("guide boundaries")
    assert "Boundaries" in said([reply])


async def test_every_card_has_get_help_now_first_except_the_help_card_itself(chat):
    for typed in (
        "help",
        "guide",
        "supervision",
        "agenda",
        "reflect",
        "my plan",
        "settings",
        "pause",
        "check in",
        "my data",
        "supervisor",
        "what is this",
    ):
        for reply in await chat.say(typed):
            for attachment in reply.attachments or []:
                assert attachment.content["actions"][0]["title"] == "Get help now", typed
    (help_now,) = await chat.say("help now")
    assert help_now.attachments[0].content["actions"] == [] and "_kind" not in help_now.attachments[0].content


async def test_safeguarding_guidance_is_one_search_away_and_says_not_to_write_about_patients(chat):
    (reply,) = await chat.say("guide safeguarding")
    text = said([reply])
    assert "follow your Trust's safeguarding procedure now" in text
    assert "Do not write details about patients here" in text


# Everyday words find topics: the synonyms live in guide.yaml ("keywords").
SEARCHES = {
    "stress": "emotional_labour",
    "stressed": "emotional_labour",
    "burnout": "emotional_labour",
    "burnt out": "emotional_labour",
    "tired": "emotional_labour",
    "exhausted": "emotional_labour",
    "overwhelmed": "emotional_labour",
    "money": "role_clarity",
    "pay": "role_clarity",
    "salary": "role_clarity",
    "boundaries": "boundaries",
    "saying no": "boundaries",
    "lonely": "collective_voice",
    "bullying": "stigma",
    "harassment": "stigma",
    "off sick": "sickness_absence",
    "return to work": "sickness_absence",
    "safeguarding": "confidentiality",
    "career": "training",
    "promotion": "training",
    "disclose": "lived_experience",
    "wellness plan": "wellbeing_planning",
    "coping": "wellbeing_planning",
    "adjustments": "reasonable_adjustments",
    "supervisor": "supervision",
    "debrief": "reflective_practice",
    "former patient": "dual_identity",
    "readiness": "organisational_readiness",
}


@pytest.mark.parametrize("words,topic", sorted(SEARCHES.items()))
def test_guide_search_finds_topics_by_everyday_words(words, topic):
    from bot.content import load_content
    from bot.dialogs.guide import search

    found = search(load_content(), words)
    assert found and found[0].id == topic, [t.id for t in found]
