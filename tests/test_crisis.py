"""The crisis guard against phrases that must match and ordinary sentences that must not."""
from __future__ import annotations

import pytest

from bot.content import load_content
from bot.crisis import assess

CONTENT = load_content()


def verdict(text: str):
    return assess(text, CONTENT.crisis.phrases, CONTENT.crisis.ordinary_work_talk)


@pytest.mark.parametrize("text", [
    "I want to kill myself", "i want to kill my self", "KILL MYSELF", "thinking about killing myself",
    "I've been thinking about suicide", "feeling suicidal tonight", "feeling sucidal", "i feel suicidle",
    "I just want to die", "i wanna die", "I wish I was dead", "everyone would be better off dead",
    "I don't want to be here anymore", "i dont want to be here any more", "there's no reason to live",
    "I can't go on like this", "i cant go on", "I've been hurting myself again", "I keep cutting myself",
    "I took an overdose", "thinking of ending my life", "I might end it all", "I'm going to take my own life",
    "self-harm is back", "selfharm", "I am not safe", "I'm not safe at home", "kms",
])
def test_crisis_language_is_caught(text):
    assert verdict(text).crisis, text


@pytest.mark.parametrize("text", [
    "this rota is killing me", "my feet are killing me", "dying for a break", "dead tired after that shift",
    "I could kill for a coffee", "this job is killing me",
])
def test_work_talk_gets_a_gentle_offer_not_the_crisis_card(text):
    v = verdict(text)
    assert v.work_talk and not v.crisis, text


@pytest.mark.parametrize("text", [
    "hello", "help", "check in", "I had a good day", "the patient talked about their past",
    "we discussed safety planning in supervision", "killer app", "I'm safe and well", "the save button",
    "my plan is going well", "guide boundaries", "3 4 2 5 1", "sweet dreams",
    "I will go on leave next week", "I can go on the course",
])
def test_ordinary_sentences_do_not_match(text):
    v = verdict(text)
    assert not v.crisis and not v.work_talk, text


def test_crisis_wins_when_both_appear():
    assert verdict("this rota is killing me and I want to die").crisis
