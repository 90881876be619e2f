"""Content files: the shipped set validates; each kind of mistake is named with file, line and a fix."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.content import ContentError, load_content, stale_contacts
from bot.content.loader import DEFAULT_DIR
from bot.content.source import ContentSource


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "content"
    target.mkdir()
    for path in DEFAULT_DIR.glob("*.yaml"):
        shutil.copy(path, target / path.name)
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
        load_content(folder)
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
    assert problem == f"messages.yaml line {line_of(folder, 'messages.yaml', '- id: help')}: commands > 'help' has no 'help'. Add it."


def test_unknown_key_is_rejected(folder):
    edit(folder, "contacts.yaml", '        when: "24 hours, every day"\n', '        when: "24 hours, every day"\n        phone_number: "1"\n')
    (problem,) = problems(folder)
    assert "contacts.yaml line" in problem and "'phone_number' is not a setting this file knows" in problem


def test_wrong_type_is_rejected(folder):
    edit(folder, "contacts.yaml", "last_verified: 2026-11-25", "last_verified: last tuesday")
    (problem,) = problems(folder)
    assert "'last_verified' must be a date" in problem


def test_empty_text_is_rejected(folder):
    edit(folder, "messages.yaml", 'help_intro: "Here is what I can do. Tap a button or type the words in quotes."', 'help_intro: ""')
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
    edit(folder, "contacts.yaml", "last_verified: 2026-11-25", "last_verified: soon")
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
