"""The content page in a real browser (headless Chromium, tests/browser/admin_page.mjs), served by the real
bot: an admin edits a message, sees a problem come and go in the checker's own words, sees the preview
change, signs off and saves, and the bot's very next answer uses the new words; two admins conflict; an
earlier version is restored; the page meets WCAG 2.2 AA in light and dark, wide and at 320 px; and inside a
Teams-like host the real Teams library signs an admin in, while a non-admin and a forged token are refused.
On PostgreSQL two instances serve the saved version (below)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest

from bot.admin.web import WHO_EDITS
from bot.compose import content_loader
from bot.config import Settings
from bot.content import ContentError
from bot.content.editing import meta_of
from tests.admin_browser import scenario
from tests.conftest import BotHarness
from tests.test_admin_page import FORGER_KEY, PUBLIC_URL, SOMEONE, _entra, page, sso, teams_settings  # noqa: F401 (fixtures)

# What the shipped messages.yaml becomes after one save and after a restore: each bumps the patch number.
_SHIPPED = meta_of((Path(__file__).resolve().parent.parent / "bot/content/messages.yaml").read_text(encoding="utf-8"))
_MAJOR_MINOR, _PATCH = _SHIPPED["version"].rsplit(".", 1)
SAVED = f"{_MAJOR_MINOR}.{int(_PATCH) + 1}"
RESTORED = f"{_MAJOR_MINOR}.{int(_PATCH) + 2}"

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "bot" / "content"
APPROVER = "Jo Smith, Peer Support Lead"
GREETING = '  greeting_reply: "Hello again. What would you like to do?"'
ADDITION = " Shall we begin?"
BROKEN = " {name}"
SCREENSHOTS = ROOT / "docs" / "images"


def greeting_line(folder: Path) -> int:
    return (folder / "messages.yaml").read_text(encoding="utf-8").split("\n").index(GREETING) + 1


def problems_for(folder: Path, tmp: Path, old: str, new: str) -> list[str]:
    """What `make check-content` says of the folder with one edit of messages.yaml, in its words."""
    copy = tmp / "expected"
    shutil.copytree(folder, copy)
    path = copy / "messages.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    try:
        content_loader()(copy)
    except ContentError as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(SHIPPED, folder)
    return folder


@pytest.fixture
async def page_bot(tmp_path, content_dir, connector):
    """The bot in local mode (no sign-in, loopback), serving a copy of the shipped content."""
    settings = Settings(data_dir=tmp_path / "data", content_dir=content_dir)
    harness = await BotHarness(settings, connector).start()
    harness.page = str(harness.client.make_url("/admin/content"))
    yield harness
    await harness.stop()


async def test_an_admin_edits_a_message_and_the_bot_answers_with_the_new_words(page_bot, content_dir, worker, tmp_path):
    line = greeting_line(content_dir)
    expected = problems_for(content_dir, tmp_path, GREETING, GREETING[:-1] + BROKEN + '"')
    assert expected and f"messages.yaml line {line}:" in expected[0]
    await page_bot.say(worker, "hi")  # welcomed: from now on "hi" gets the greeting answer

    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    seen = await scenario(
        "edit", url=page_bot.page, line=line, addition=ADDITION, broken=BROKEN, approver=APPROVER, shots=str(shots)
    )

    assert seen["seen"] == expected, "the problem is worded exactly as make check-content words it"
    assert seen["marked"] >= 1, "the broken line is marked in the editor"
    assert seen["cleared"] == []
    assert ADDITION.strip() not in seen["before"] and ADDITION.strip() in seen["preview"]
    assert seen["changed"] == "greeting", "the card the greeting answer is sent on is shown as changed"
    assert seen["darkCards"] > 0 and seen["narrow"] <= 320 < seen["wide"]
    assert any(ADDITION.strip() in row for row in seen["diff"]), seen["diff"]
    assert any(APPROVER in row for row in seen["diff"]), "the sign-off is part of the diff"
    assert f"Saved as version 2 ({SAVED})" in seen["result"] and "The bot is using it now" in seen["result"]
    assert any("Version 1" in h and "before the first save" in h for h in seen["history"])
    assert seen["errors"] == [] and seen["console"] == []

    replies = await page_bot.say(worker, "hi")  # the very next answer
    assert any(ADDITION.strip() in call.words for call in replies), [c.words for c in replies]

    text = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    assert meta_of(text) == {"version": SAVED, "approved_by": APPROVER, "approved_on": dt.date.today().isoformat()}
    content_loader()(content_dir)  # the file in CONTENT_DIR passes make check-content
    assert seen["marks"] == [], "signed off: the go-live gate no longer marks messages.yaml as a draft"


async def test_two_admins_saving_one_file_the_second_is_refused_with_a_diff(page_bot, content_dir):
    seen = await scenario(
        "conflict",
        url=page_bot.page,
        line=greeting_line(content_dir),
        first=" First admin.",
        second=" Second admin.",
        approver=APPROVER,
    )
    assert "Saved as version 2" in seen["firstResult"]
    assert "saved a new version of messages.yaml while you were editing it" in seen["conflict"]
    assert "nothing was overwritten" in seen["conflict"]
    assert "First admin." in seen["conflict"], "the diff shows what the first admin changed"
    assert "Second admin." in seen["editorKept"], "the second admin's edit stays in the editor"
    assert "First admin." in seen["reloaded"] and "Second admin." not in seen["reloaded"]
    text = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    assert "First admin." in text and "Second admin." not in text


async def test_an_earlier_version_is_restored_after_its_diff_is_shown(page_bot, content_dir):
    original = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    await scenario(
        "edit",
        url=page_bot.page,
        line=greeting_line(content_dir),
        addition=ADDITION,
        broken=BROKEN,
        approver=APPROVER,
    )
    seen = await scenario("restore", url=page_bot.page, number=1, approver="Sam Lee, Clinical Safety Officer")
    assert seen["heading"] == "Restoring version 1 makes these changes"
    assert any(ADDITION.strip() in row for row in seen["diff"])
    assert f"Restored version 1 as version 3 ({RESTORED})" in seen["result"]
    assert any("Version 3" in h and "restored from version 1" in h for h in seen["after"])
    text = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    assert ADDITION.strip() not in text
    assert meta_of(text)["approved_by"] == "Sam Lee, Clinical Safety Officer" and meta_of(text)["version"] == RESTORED
    body = lambda t: t.split("\n", 8)[8]  # noqa: E731 - everything below the meta block
    assert body(text) == body(original), "the restored words are exactly version 1's"


async def test_the_page_meets_wcag_2_2_aa_wide_narrow_light_and_dark(page_bot, tmp_path):
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    seen = await scenario("a11y", url=page_bot.page, shots=str(shots))
    found = lambda v: [f"{x['id']} ({x['impact']}): {x['help']}: {x['nodes']}" for x in v]  # noqa: E731
    assert seen["wide"] == [], found(seen["wide"])
    assert seen["narrow"] == [], found(seen["narrow"])
    assert seen["overflow"] == 0, "nothing scrolls sideways at 320 px"
    assert "Text of messages.yaml" in seen["order"], seen["order"]
    after = seen["order"][seen["order"].index("Text of messages.yaml") + 1 :]
    assert after and "Text of messages.yaml" not in after, "Tab leaves the editor: it never traps the keyboard"
    assert seen["errors"] == [] and seen["console"] == []
    for name in ("content-page-wide.png", "content-page-narrow.png", "content-page-dark.png"):
        assert (shots / name).stat().st_size > 10_000


# Inside Teams: the real Teams JavaScript library in the page asks a Teams-like host for the SSO token.


@pytest.fixture
async def teams_bot(page):  # noqa: F811 - the fixture imported above
    """The bot with authentication on (the API tests' `page`), reached by the browser at its public https address."""
    page.loopback = str(page.client.make_url("")).rstrip("/")
    yield page  # `page` stops it


@pytest.mark.parametrize("who", ["admin", "someone_else", "forged"])
async def test_inside_teams_an_admin_is_signed_in_and_others_are_refused(teams_bot, content_dir, who, tmp_path):
    token = {"admin": sso(), "someone_else": sso(oid=SOMEONE), "forged": sso(key=FORGER_KEY)}[who]
    before = (content_dir / "messages.yaml").read_text(encoding="utf-8")

    seen = await scenario("teams", bot=teams_bot.loopback, publicUrl=PUBLIC_URL, token=token, shots=str(tmp_path))

    if who == "admin":
        assert seen["workspace"] and seen["ready"] and seen["who"] == "Signed in as Jo Smith.", seen
    elif who == "someone_else":
        assert not seen["workspace"] and seen["refused"].endswith(WHO_EDITS), seen
    else:
        assert not seen["workspace"] and "Open this page from the bot's Content tab in Teams." in seen["refused"], seen
    assert seen["errors"] == []
    assert (content_dir / "messages.yaml").read_text(encoding="utf-8") == before


# PostgreSQL: an admin saves on one instance, in the browser; the other instance answers with the new words.


@pytest.fixture
async def two_instances(database_url, tmp_path, content_dir, connector):
    started = []
    for name in ("a", "b"):
        settings = Settings(data_dir=tmp_path / f"unused-{name}", content_dir=content_dir, database_url=database_url)
        started.append(await BotHarness(settings, connector, content_sync_seconds=0.5).start())
    yield started
    for harness in started:
        await harness.stop()


async def test_on_postgresql_a_version_saved_in_the_page_is_served_by_another_instance(
    two_instances, content_dir, worker
):
    one, other = two_instances
    await other.say(worker, "hi")  # welcomed by the other instance: from now on "hi" gets the greeting answer
    seen = await scenario(
        "edit",
        url=str(one.client.make_url("/admin/content")),
        line=greeting_line(content_dir),
        addition=ADDITION,
        broken=BROKEN,
        approver=APPROVER,
        shots="",
    )
    assert f"Saved as version 2 ({SAVED})" in seen["result"] and "The bot is using it now" in seen["result"]

    deadline = time.monotonic() + 10
    while True:
        replies = await other.say(worker, "hi")
        if any(ADDITION.strip() in call.words for call in replies):
            break
        assert time.monotonic() < deadline, "the other instance did not answer with the saved words within seconds"
        await asyncio.sleep(0.5)
    assert ADDITION.strip() not in (content_dir / "messages.yaml").read_text(encoding="utf-8")
