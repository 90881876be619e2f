"""Admin commands: only for ADMIN_IDS, no names or scores, counts only for groups of 10 or more."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.clock import FixedClock
from tests.conftest import BotHarness, replace_settings
from tests.teams import Person, card_submit, installation

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
async def admin_setup(settings, connector):
    admin = Person.make("Ada Admin")
    clock = FixedClock(START)
    s = replace_settings(settings, admin_ids=frozenset({admin.aad_object_id}))
    h = await BotHarness(s, connector, clock=clock, run_scheduler=False).start()
    h.clock = clock
    await h.say(admin, "hi")
    yield h, admin
    await h.stop()


async def checkin(h, person, values=(3, 3, 3, 3, 3)):
    (card_call,) = await h.say(person, "check in")
    card = card_call.cards[0]
    inputs = [b["id"] for b in card["body"] if b["type"] == "Input.ChoiceSet"]
    nonce = next(a["data"]["nonce"] for a in card["actions"] if a["data"].get("action") == "checkin_submit")
    from tests.teams import card_submit

    await h.send(
        card_submit(
            person,
            h.connector.url,
            {"action": "checkin_submit", "nonce": nonce, **{i: str(v) for i, v in zip(inputs, values, strict=True)}},
            reply_to=card_call.response_id,
        )
    )


async def test_non_admins_are_told_the_command_does_not_exist(admin_setup, worker):
    h, _ = admin_setup
    await h.say(worker, "hi")
    for words in ("admin", "admin reload"):
        (reply,) = await h.say(worker, words)
        assert "only understand a few words" in reply.words and "Admin report" not in reply.words


async def test_admin_commands_are_not_in_help(admin_setup):
    h, admin = admin_setup
    (reply,) = await h.say(admin, "help")
    assert "admin" not in reply.words.lower()


async def test_small_groups_are_never_counted(admin_setup):
    h, admin = admin_setup
    people = [Person.make(f"Worker {i}") for i in range(5)]
    for p in people:
        await h.say(p, "hi")
        await checkin(h, p, (1, 1, 1, 1, 1))
    (report,) = await h.say(admin, "admin")
    text = report.words
    assert "Admin report" in text and "Content running: messages" in text
    assert "Fewer than 10 people" in text
    assert not re.search(r"\b[0-9]+ check-ins by", text)
    assert "Worker" not in text and "Ada" not in text and not re.search(r"\b20\b", text)  # no names or scores


async def test_groups_of_ten_or_more_are_counted_without_names_or_scores(admin_setup):
    h, admin = admin_setup
    people = [Person.make(f"Worker {i}") for i in range(11)]
    for p in people:
        await h.say(p, "hi")
        await checkin(h, p, (1, 1, 1, 1, 2))
    (report,) = await h.say(admin, "admin")
    text = report.words
    assert "Check-ins switched on: 12 of 12 workers." in text
    assert "2026-11: 11 check-ins by 11 people." in text
    assert "Worker" not in text and not re.search(r"\b24\b", text)
    assert "Delivery: workers unreachable (app removed or blocked): 0." in text


async def test_a_difference_that_would_single_someone_out_is_withheld(admin_setup):
    h, admin = admin_setup
    people = [Person.make(f"Worker {i}") for i in range(11)]
    for p in people:
        await h.say(p, "hi")
    (form,) = await h.say(people[0], "settings")
    values = {b["id"]: b.get("value") for b in form.cards[0]["body"] if b.get("id")}
    await h.send(card_submit(people[0], h.connector.url, {"action": "settings_save", **values, "frequency": "off"}))
    (report,) = await h.say(admin, "admin")
    assert "of 12 workers" not in report.words and "Fewer than 10 people" in report.words  # not "11 of 12"


async def test_small_delivery_counts_are_withheld(admin_setup):
    h, admin = admin_setup
    people = [Person.make(f"Worker {i}") for i in range(3)]
    for p in people:
        await h.say(p, "hi")
    await h.send(installation(people[0], h.connector.url, "remove"))
    (report,) = await h.say(admin, "admin")
    assert "Uninstalled: fewer than 10." in report.words and "Uninstalled: 1." not in report.words


async def test_admin_reload_reports_and_keeps_last_good_content(admin_setup, tmp_path):
    h, admin = admin_setup
    (reply,) = await h.say(admin, "admin reload")
    assert "Content reloaded: messages 1.2.0" in reply.words


async def test_a_refused_reload_shows_each_problem_in_the_chat(settings, connector, tmp_path):
    """An admin in Teams cannot run make check-content: the chat names the file, the line and the fix."""
    import shutil

    from bot.content.loader import DEFAULT_DIR

    folder = tmp_path / "content"
    shutil.copytree(DEFAULT_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    admin = Person.make("Ada Admin")
    s = replace_settings(settings, admin_ids=frozenset({admin.aad_object_id}), content_dir=folder)
    h = await BotHarness(s, connector, run_scheduler=False).start()
    try:
        await h.say(admin, "hi")
        messages = folder / "messages.yaml"
        messages.write_text(messages.read_text().replace('help_intro: "Here is', 'help_intro: "" #', 1))
        (reply,) = await h.say(admin, "admin reload")
        assert "so nothing changed and the previous content is still live" in reply.words
        assert "messages.yaml line" in reply.words and "'help_intro' is empty" in reply.words
        (report,) = await h.say(admin, "admin")
        assert "placeholders and example links must be replaced" in report.words
        assert "trust_wellbeing" in report.words
    finally:
        await h.stop()
