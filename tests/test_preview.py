"""The admin preview drives the real bot in-process, shows cards as text, and picks up content edits."""

from __future__ import annotations

import shutil

import pytest

from bot import compose
from bot.content.loader import DEFAULT_DIR


@pytest.fixture
async def preview(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_DIR, content, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    p = await compose.preview(content, tmp_path / "data")
    p.folder = content
    yield p
    await p.close()


async def test_welcome_help_and_buttons(preview):
    (welcome,) = await preview.install()
    assert "not a crisis service" in welcome and "[#1] Get help now" in welcome
    (help_now,) = await preview.handle("#1")
    assert "Samaritans: Call 116 123. Free from any phone" in help_now
    (help_card,) = await preview.handle("help")
    assert '"help now"' in help_card and "[#1] Get help now" in help_card


async def test_a_good_edit_is_shown_and_a_bad_edit_is_explained(preview):
    await preview.install()
    messages = preview.folder / "messages.yaml"
    messages.write_text(
        messages.read_text().replace("I'm a simple app, so I only understand a few words", "Hmm, I missed that")
    )
    out = await preview.say("pineapple")
    assert out[0].startswith("(content reloaded") and "Hmm, I missed that" in out[1]
    messages.write_text(messages.read_text().replace("(Reference: {ref})", "(Reference: {nope})"))
    out = await preview.say("pineapple")
    assert "content edit not used" in out[0] and "{nope}" in out[0]
    assert "Hmm, I missed that" in out[1]  # still the last good content


async def test_pressing_a_button_that_does_not_exist(preview):
    await preview.install()
    assert "no button #9" in (await preview.handle("#9"))[0]
