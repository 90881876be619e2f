"""Content files: the shipped set validates; each kind of mistake is named with file, line and a fix."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot import compose
from bot.cards.help import about_text
from bot.content import ContentError, load_content, stale_contacts
from bot.content.loader import DEFAULT_DIR
from bot.content.source import ContentSource
from bot.dialogs.catalogue import COMMAND_IDS
from bot.usecases import declared_notices


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))


def line_of(folder: Path, name: str, fragment: str) -> int:
    return next(i for i, line in enumerate((folder / name).read_text().splitlines(), 1) if fragment in line)


def problems(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as err:
        load_content(folder, commands=COMMAND_IDS)
    return [str(p) for p in err.value.problems]


def test_shipped_content_is_valid():
    content = load_content()
    assert content.command_for("help") == "help"
    assert "messages" in content.version


def test_yaml_syntax_error_names_file_and_line(folder):
    edit(folder, "messages.yaml", 'bot_name: "Peer Wellbeing"', 'bot_name: "Peer Wellbeing')
    (problem,) = problems(folder)
    assert problem.startswith("messages.yaml line ") and "not valid YAML" in problem


def test_missing_text_names_the_owner_and_line(folder):
    edit(folder, "messages.yaml", '    help: "See everything I can do."\n', "")
    (problem,) = problems(folder)
    assert (
        problem
        == f"messages.yaml line {line_of(folder, 'messages.yaml', '- id: help')}: command 'help' has no 'help'. Add it."
    )


def test_unknown_key_is_rejected(folder):
    edit(
        folder,
        "contacts.yaml",
        '        when: "24 hours a day, every day"\n',
        '        when: "24 hours a day, every day"\n        phone_number: "1"\n',
    )
    (problem,) = problems(folder)
    assert "contacts.yaml line" in problem and "'phone_number' is not a setting this file knows" in problem


def test_wrong_type_is_rejected(folder):
    edit(folder, "contacts.yaml", "last_verified: 2026-11-26", "last_verified: last tuesday")
    (problem,) = problems(folder)
    assert "'last_verified' must be a date" in problem


def test_empty_text_is_rejected(folder):
    edit(
        folder,
        "messages.yaml",
        'help_intro: "Here is what I can do. Tap a button or type the words in quotes."',
        'help_intro: ""',
    )
    (problem,) = problems(folder)
    assert "'help_intro' is empty" in problem


def test_duplicate_id_is_rejected(folder):
    edit(folder, "messages.yaml", "  - id: about", "  - id: help_now")
    found = problems(folder)
    assert any("command id 'help_now' is used twice" in p for p in found)
    assert any("command 'about' has no entry" in p for p in found)


def test_unknown_placeholder_is_rejected(folder):
    edit(folder, "messages.yaml", "(Reference: {ref})", "(Reference: {reference})")
    (problem,) = problems(folder)
    assert "uses the placeholder {reference}, which does not exist. Available here: {ref}." in problem


def test_unknown_command_is_rejected(folder):
    edit(folder, "messages.yaml", "  - id: about", "  - id: dance")
    assert any("command 'dance' is not one the bot can do" in p for p in problems(folder))


def test_missing_file_is_named(folder):
    (folder / "contacts.yaml").unlink()
    (problem,) = problems(folder)
    assert problem.startswith("contacts.yaml: this file is missing")


def test_every_problem_is_reported_at_once(folder):
    edit(folder, "messages.yaml", "(Reference: {ref})", "(Reference: {nope})")
    edit(folder, "contacts.yaml", "last_verified: 2026-11-26", "last_verified: soon")
    found = problems(folder)
    assert len(found) == 2
    assert found[0].startswith("messages.yaml") and found[1].startswith("contacts.yaml")


def test_stale_contacts_are_warned_about():
    content = load_content()
    assert stale_contacts(content, dt.date(2026, 12, 1)) == []
    warnings = stale_contacts(content, dt.date(2027, 6, 1))
    assert warnings and all("last verified" in w for w in warnings)


async def test_reload_keeps_the_last_good_set_on_a_bad_edit_and_takes_a_good_one(folder):
    source = await ContentSource.open(folder)
    edit(folder, "messages.yaml", 'bot_name: "Peer Wellbeing"', "bot_name: [broken")
    assert await source.reload_if_changed() is False
    assert source.current.messages.bot_name == "Peer Wellbeing"
    assert source.last_error is not None
    edit(folder, "messages.yaml", "bot_name: [broken", 'bot_name: "Peer Support Buddy"')
    assert await source.reload_if_changed() is True
    assert source.current.messages.bot_name == "Peer Support Buddy"
    assert await source.reload_if_changed() is None


def test_guide_topic_without_summary_reads_like_the_example(folder):
    text = (folder / "guide.yaml").read_text()
    start = text.index("  - id: boundaries")
    summary_at = text.index("    summary:", start)
    points_at = text.index("    points:", start)
    (folder / "guide.yaml").write_text(text[:summary_at] + text[points_at:])
    (problem,) = problems(folder)
    line = line_of(folder, "guide.yaml", "- id: boundaries")
    assert problem == f"guide.yaml line {line}: topic 'boundaries' has no 'summary'. Add it."


def test_related_topic_that_does_not_exist_is_named(folder):
    edit(
        folder,
        "guide.yaml",
        "related: [lived_experience, supervision, confidentiality]",
        "related: [lived_experience, supervison, confidentiality]",
    )
    (problem,) = problems(folder)
    assert "topic 'boundaries' lists 'supervison' as related, but there is no topic with that id." in problem


def test_threshold_outside_the_instrument_range_is_named(folder):
    edit(folder, "rules.yaml", "  low: 50 ", "  low: 150 ")
    found = problems(folder)
    assert any(
        p.startswith(
            f"rules.yaml line {line_of(folder, 'rules.yaml', '  low: 150')}: 'low' is 150, "
            "outside who5's range of 0 to 100"
        )
        for p in found
    )


def test_very_low_must_be_below_low(folder):
    edit(folder, "rules.yaml", "  very_low: 28 ", "  very_low: 55 ")
    assert any("'very_low' (55) must be lower than 'low' (50)" in p for p in problems(folder))


def test_a_repeated_low_rule_that_could_never_apply_is_refused(folder):
    edit(folder, "rules.yaml", "  window_weeks: 8 ", "  window_weeks: 1 ")
    edit(folder, "rules.yaml", "  counted_every_days: 7 ", "  counted_every_days: 14 ")
    assert any("so the rule could never apply" in p and "rules.yaml line" in p for p in problems(folder))


def test_rules_naming_an_unknown_instrument_or_topic(folder):
    edit(folder, "rules.yaml", "  instrument: who5 ", "  instrument: phq9 ")
    edit(folder, "rules.yaml", "  after_low: wellbeing_planning", "  after_low: wellness")
    found = problems(folder)
    assert any("'instrument' is 'phq9', but there is no such instrument" in p for p in found)
    assert any("'after_low' names the topic 'wellness', which is not in guide.yaml" in p for p in found)


def test_a_message_linking_to_a_missing_topic_is_named(folder):
    edit(
        folder,
        "messages.yaml",
        'help_intro: "Here is what I can do.',
        'help_intro: "See [[bounderies]]. Here is what I can do.',
    )
    (problem,) = problems(folder)
    assert "links to the guide topic [[bounderies]], which is not in guide.yaml" in problem


def test_topic_links_in_messages_render_as_links(folder):
    edit(
        folder,
        "messages.yaml",
        'help_intro: "Here is what I can do.',
        'help_intro: "See [[boundaries]]. Here is what I can do.',
    )
    content = load_content(folder)
    assert content.fill(content.messages.help_intro).startswith("See [Boundaries](https://intranet.example.nhs.uk/")


def test_instrument_with_duplicate_answer_values(folder):
    edit(folder, "instruments/who5.yaml", "  - value: 4\n", "  - value: 5\n")
    (problem,) = problems(folder)
    assert problem.startswith("instruments/who5.yaml line") and "answer value 5 is used twice" in problem


def test_literal_choice_error_lists_the_choices(folder):
    edit(folder, "rules.yaml", "  default: fortnightly", "  default: daily")
    found = problems(folder)
    assert any("'default' must be one of 'weekly', 'fortnightly', 'monthly' or 'off'" in p for p in found)


def test_who5_scores_0_to_100_and_pulse_has_no_cut_offs():
    content = load_content()
    who5 = content.instruments["who5"]
    assert who5.score_range == (0, 100) and len(who5.items) == 5 and who5.has_cut_offs
    assert "CC BY-NC-SA 3.0 IGO" in who5.licence
    assert content.instruments["pulse"].has_cut_offs is False


def test_shipped_guide_has_fifteen_topics_each_with_points_and_a_link():
    content = load_content()
    assert len(content.guide.topics) == 15
    assert all(t.summary and t.points and str(t.link).startswith("https://") for t in content.guide.topics)


QUOTES_PEOPLE = ("crisis.yaml", "crisis_eval.yaml", "crisis_exemplars.yaml")


def test_shipped_text_avoids_clinical_labels_and_unsafe_wording():
    banned = (
        "depress",
        "you are at risk",
        "you're at risk",
        "screen positive",
        "symptom",
        "commit suicide",
        "disorder",
        "diagnos",
    )
    for path in DEFAULT_DIR.rglob("*.yaml"):
        lowered = path.read_text().lower()
        for word in banned:
            # The guard's patterns, exemplars and evaluation sets quote what people write; the bot never says them.
            assert word not in lowered or path.name in QUOTES_PEOPLE or path.parent.name == "crisis_rounds", (
                f"{word!r} in {path.name}"
            )


def test_check_command_exit_codes(folder, capsys):
    from bot.__main__ import main

    assert main(["content", "check", str(folder)]) == 0
    assert "OK:" in capsys.readouterr().out
    edit(folder, "contacts.yaml", "last_verified: 2026-11-26", "last_verified: never")
    assert main(["content", "check", str(folder)]) == 1
    assert "contacts.yaml line" in capsys.readouterr().err


async def test_start_up_fails_loudly_on_invalid_content(folder, tmp_path):
    import asyncio
    import os
    import sys

    edit(folder, "rules.yaml", "  low: 50 ", "  low: 500 ")
    env = {**os.environ, "CONTENT_DIR": str(folder), "DATA_DIR": str(tmp_path / "d"), "PORT": "39782"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "app.py",
        env=env,
        cwd=DEFAULT_DIR.parent.parent,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 3
    assert b"did not start" in err and b"rules.yaml line" in err and b"'low' is 500" in err


def test_the_who5_items_answers_and_scoring_are_as_published():
    who5 = load_content().instruments["who5"]
    assert [i.text for i in who5.items] == [
        "I have felt cheerful and in good spirits",
        "I have felt calm and relaxed",
        "I have felt active and vigorous",
        "I woke up feeling fresh and rested",
        "My daily life has been filled with things that interest me",
    ]
    assert [(a.value, a.label) for a in who5.answers] == [
        (5, "All of the time"),
        (4, "Most of the time"),
        (3, "More than half of the time"),
        (2, "Less than half of the time"),
        (1, "Some of the time"),
        (0, "At no time"),
    ]
    assert who5.scoring.multiplier == 4 and who5.score_range == (0, 100)
    # The instruction is a marked adaptation, shown with the original and the attribution in `about`.
    assert who5.intro != who5.published_instruction and who5.adaptation
    about = about_text(load_content())
    assert "Topp et al., 2015" in about and who5.published_instruction in about


def test_an_unmarked_change_to_an_instruction_is_refused(folder):
    path = folder / "instruments" / "who5.yaml"
    text = path.read_text()
    start = text.index("adaptation: >-")
    end = text.index("are as published.", start) + len("are as published.")
    path.write_text(text[:start] + "adaptation: ''" + text[end:])
    assert any("say in 'adaptation' what was changed and why" in p for p in problems(folder))


def test_the_shipped_crisis_numbers_are_pinned():
    """A changed number must be a deliberate, reviewed step: change it here too (hazard H21)."""
    contacts = {c.id: c.how for g in load_content().contacts.groups for c in g.contacts}
    assert contacts["emergency"] == "Call 999, or go to your nearest A&E"
    assert contacts["samaritans"] == "Call 116 123"
    assert contacts["shout"] == "Text SHOUT to 85258"
    assert contacts["nhs_111"] == "Call 111 and choose the mental health option"
    assert contacts["practitioner_health"] == "Call 0300 0303 300 or refer yourself on its website"
    assert contacts["samaritans_email"] == "Email jo@samaritans.org"
    assert contacts["domestic_abuse_helpline"] == "Call 0808 2000 247"
    assert contacts["live_fear_free"] == "Call 0808 80 10 800, or text 07860 077333"
    assert contacts["scotland_domestic_abuse_helpline"] == "Call 0800 027 1234"
    assert contacts["mens_advice_line"] == "Call 0808 801 0327"


def test_a_card_notice_that_opens_with_words_needs_them_with_only_its_placeholders(folder):
    """The invitation (the nomination card to someone the app was just installed for through Microsoft Graph)
    opens with `notices.invitation`, filled with {name}: another placeholder, or no words, is refused."""
    load = compose.content_loader()
    assert "invitation" in {n.name for n in declared_notices().values() if n.worded}
    edit(folder, "messages.yaml", "    {name} asked me to get in touch", "    {worker} asked me to get in touch")
    with pytest.raises(ContentError) as err:
        load(folder)
    assert any("notices.invitation" in str(p) or "{worker}" in str(p) for p in err.value.problems)
    text = (folder / "messages.yaml").read_text()
    start = text.index("  invitation: >-")
    end = text.index("\n\n", start)
    (folder / "messages.yaml").write_text(text[:start] + text[end + 1 :])
    with pytest.raises(ContentError) as err:
        load(folder)
    assert any("notice 'invitation' has no words under notices" in str(p) for p in err.value.problems)
