"""The crisis guard's reading of free text: the team's evaluation set and the rules behind three answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import ContentError, load_content
from bot.crisis import Answer
from bot.crisis.evaluation import evaluate, report
from bot.crisis.language import one_edit

CONTENT = load_content()
GUARD = CONTENT.guard
EVAL = CONTENT.crisis_eval


def answer(text: str) -> Answer:
    return GUARD.assess(text).answer


# The evaluation set (bot/content/crisis_eval.yaml) --------------------------------------------------------


@pytest.mark.parametrize("category", list(EVAL.crisis))
def test_every_crisis_sentence_gets_the_help_now_card(category):
    missed = [s for s in EVAL.crisis[category] if answer(s) is not Answer.CRISIS]
    assert not missed, f"{category}: {missed}"


@pytest.mark.parametrize("category", list(EVAL.ordinary))
def test_no_ordinary_sentence_gets_the_help_now_card(category):
    alarms = [s for s in EVAL.ordinary[category] if answer(s) is Answer.CRISIS]
    assert not alarms, f"{category}: {alarms}"


def test_the_set_is_as_large_as_the_issue_asks_and_covers_every_category():
    crisis = sum(len(v) for v in EVAL.crisis.values())
    ordinary = sum(len(v) for v in EVAL.ordinary.values())
    assert crisis >= 150 and ordinary >= 100
    assert {
        "direct",
        "passive",
        "burden",
        "hopelessness",
        "plans",
        "means",
        "self_harm",
        "not_safe",
        "slang",
        "misspellings",
        "shorthand",
        "long",
    } <= set(EVAL.crisis)
    assert {"training", "policy", "service_users", "colleagues", "idioms", "negation", "not_safe", "cant_go_on"} <= set(
        EVAL.ordinary
    )


def test_the_report_prints_recall_and_rates_per_category():
    text = report(evaluate(GUARD, EVAL))
    assert "recall (crisis sentences given the help-now card): " in text and "100.0%" in text
    assert "passive" in text and "answer 2" in text and "FAIL" not in text


# The three answers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "some days I'd rather not wake up",
        "they'd all cope fine without me",
        "I've been stockpiling my medication",
        "I've left a note for my family",
        "thinking about topping myself",
        "taking my own life",
        "I'm not safe",
    ],
)
def test_the_writer_in_crisis_gets_answer_1(text):
    assert answer(text) is Answer.CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "I did the suicide prevention training",
        "we reviewed the self-harm policy",
        "a service user took an overdose",
        "my colleague said she wants to die",
        "I'm not suicidal, just knackered",
        "World Suicide Prevention Day",
    ],
)
def test_crisis_topics_not_about_the_writer_get_answer_2(text):
    assert answer(text) is Answer.TOPIC


@pytest.mark.parametrize(
    "text",
    [
        "dead on my feet",
        "this rota is killing me",
        "I could murder a tea",
        "I'm dying for a cuppa",
    ],
)
def test_everyday_idioms_get_nothing_but_are_recognised(text):
    result = GUARD.assess(text)
    assert result.answer is Answer.NONE and result.idiom


@pytest.mark.parametrize(
    "text",
    [
        "I can't go on the late shift",
        "the car park is not safe, it's badly lit",
        "hello",
        "3 4 2 5 1",
        "",
    ],
)
def test_ordinary_words_get_nothing(text):
    assert answer(text) is Answer.NONE


def test_a_crisis_sentence_in_the_middle_of_a_long_message_is_found():
    filler = "The handover ran late and the ward was busy. " * 200
    assert answer(filler + "Honestly I want to end my life. " + filler) is Answer.CRISIS


def test_long_text_is_read_in_slices_and_a_phrase_across_a_slice_edge_is_still_found():
    from bot.crisis.classifier import SLICE

    text = "x " * ((SLICE - 12) // 2) + "I want to kill myself"
    assert text.index("kill") < SLICE < len(text)  # the phrase straddles the edge of the first slice
    assert answer(text) is Answer.CRISIS


# Word forms, typos, negation and other people -------------------------------------------------------------


def test_a_real_stemmer_joins_word_forms():
    for text in ("take my own life", "taking my own life", "took my own life", "I've taken my own life"):
        assert answer(text) is Answer.CRISIS, text


def test_one_typo_is_forgiven_but_a_real_word_is_never_read_as_another():
    assert answer("I want to kil myself") is Answer.CRISIS
    assert answer("i feel sucidal") is Answer.CRISIS
    assert answer("I overdone it at the gym") is Answer.NONE  # "overdone" is a word, not "overdose"


def test_one_edit():
    assert one_edit("kil", "kill") and one_edit("myslef", "myself") and one_edit("suicdal", "suicidal")
    assert one_edit("overdone", "overdose")  # one letter apart: only the dictionary keeps them apart
    assert not one_edit("die", "die") and not one_edit("dye", "dog")


def test_negation_just_before_is_answer_2_but_a_later_crisis_clause_wins():
    assert answer("I would never hurt myself") is Answer.TOPIC
    assert answer("I'm not okay and I want to die") is Answer.CRISIS
    assert answer("I'm not suicidal but I do want to die") is Answer.CRISIS


def test_someone_elses_words_are_answer_2_even_in_quotes():
    assert answer('A service user said "I want to die" today') is Answer.TOPIC
    assert answer("my colleague said 'I could kill myself' when she lost the keys") is Answer.TOPIC
    assert answer('I told my supervisor "I want to die"') is Answer.CRISIS


def test_the_past_is_answer_2_unless_it_is_back():
    assert answer("I used to self harm but I've been well for years") is Answer.TOPIC
    assert answer("I used to self harm and it's back again") is Answer.CRISIS


def test_explain_names_the_pattern_and_the_answer():
    lines = GUARD.explain("my client wants to die")
    assert any('"' in line and "answer 2" in line for line in lines)


# Admins extend the patterns; the content check holds them to the evaluation set ----------------------------


def copy_content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(
        Path(__file__).resolve().parent.parent / "bot" / "content",
        folder,
        ignore=shutil.ignore_patterns("*.py", "__pycache__"),
    )
    return folder


def test_a_broken_pattern_is_refused_with_its_line(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "crisis.yaml"
    path.write_text(path.read_text().replace('    - "noose"', '    - "(noose"\n    - "@nowhere ropes"'))
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    text = str(caught.value)
    assert "crisis.yaml line" in text and "(noose" in text and "never closed" in text
    assert "no word list called 'nowhere'" in text


def test_an_edit_that_makes_the_guard_miss_an_evaluation_sentence_is_refused(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "crisis.yaml"
    path.write_text(
        path.read_text()
        .replace('    - "noose"\n', "")
        .replace('    - "(bought|buy|buying|got|have) a rope ($|@now|yesterday)"\n', "")
    )
    evalpath = folder / "crisis_eval.yaml"
    evalpath.write_text(evalpath.read_text().replace("  means:\n", '  means:\n    - "I have a noose ready"\n', 1))
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    assert "crisis_eval.yaml line" in str(caught.value) and "I have a noose ready" in str(caught.value)


def test_a_pattern_that_cries_wolf_on_an_ordinary_sentence_is_refused(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "crisis.yaml"
    path.write_text(path.read_text().replace('    - "noose"\n', '    - "noose"\n    - "training"\n'))
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    assert "should not get the help-now card" in str(caught.value)


def test_evaluate_command_prints_the_table(capsys):
    from bot.crisis.__main__ import main

    assert main(["evaluate"]) == 0
    out = capsys.readouterr().out
    assert "recall" in out and "false alarms" in out and "self_harm" in out
