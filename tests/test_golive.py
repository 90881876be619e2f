"""Going live: placeholders are never shown to workers, a real deployment refuses to start (or reload)
while any is left unless it is a marked staging site, and `check-content --production` says the same."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from ruamel.yaml import YAML

from app import create_app, startup_line
from bot import compose
from bot.__main__ import main
from bot.cards.help import help_now_card, welcome_card
from bot.config import Settings
from bot.content import ContentError, load_content
from bot.content.golive import is_example_url, placeholders, refuse_placeholders
from bot.content.loader import DEFAULT_DIR
from bot.dialogs.catalogue import COMMAND_IDS
from tests.conftest import replace_settings

APP = "0b5e3f2a-1c4d-4e6f-8a9b-0c1d2e3f4a5b"
TENANT = "11111111-2222-3333-4444-555555555555"


def live(settings: Settings, **changes) -> Settings:
    """Settings of a real deployment: authentication on."""
    return replace_settings(settings, app_id=APP, app_password="secret", tenant_id=TENANT, **changes)


def filled(tmp_path: Path) -> Path:
    """The shipped content with every placeholder filled in, as a Trust would before go-live."""
    folder = tmp_path / "content"
    shutil.copytree(DEFAULT_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for path in folder.rglob("*.yaml"):
        text = re.sub(r"<<[^<>]*>>", "Filled in by the Trust", path.read_text())
        text = text.replace("example.nhs.uk", "northshire.nhs.uk").replace(" (draft for local sign-off)", "")
        path.write_text(text)
    yaml = YAML()
    contacts = yaml.load((folder / "contacts.yaml").read_text())
    for group in contacts["groups"]:
        for contact in group["contacts"]:
            contact.setdefault("last_verified", "2026-11-26")  # checked, now that it is filled in
    with (folder / "contacts.yaml").open("w") as out:
        yaml.dump(contacts, out)
    return folder


def test_the_shipped_content_names_what_each_trust_must_fill_in():
    found = "\n".join(str(p) for p in placeholders(load_content()))
    for slot in (
        "trust_wellbeing",
        "occupational_health",
        "freedom_to_speak_up",
        "privacy_notice.yaml",
        "guide.yaml: topics[boundaries].link",
        "supervision.yaml: booking_link",
        "not been signed off",
    ):
        assert slot in found, slot


def test_placeholder_contacts_are_never_shown_to_workers():
    content = load_content()
    for card in (help_now_card(content), welcome_card(content, "weekly")):
        text = str(card)
        assert "<<" not in text and "Occupational health" not in text and "Freedom to Speak Up" not in text
    assert "Samaritans" in str(help_now_card(content))


def test_a_contact_filled_in_later_is_shown_from_the_next_content_on():
    """What each contacts file shows is worked out once per file: content edited and loaded again (a new
    file) shows the contact filled in, while the earlier content still leaves its placeholder out."""
    before = load_content()
    assert "Occupational health" not in str(help_now_card(before))
    groups = before.contacts.model_dump()["groups"]
    filled = 0
    for group in groups:
        for contact in group["contacts"]:
            if contact["name"] == "Occupational health":
                contact.update(how="Call 01234 567890")
                filled += 1
    assert filled == 1
    contacts = type(before.contacts).model_validate({**before.contacts.model_dump(), "groups": groups})
    after = dataclasses.replace(before, contacts=contacts)
    assert after.contacts is contacts
    assert "Occupational health" in str(help_now_card(after))
    assert "Occupational health" not in str(help_now_card(before))


@pytest.mark.parametrize(
    "url,example",
    [
        ("https://intranet.example.nhs.uk/x", True),
        ("https://example.com", True),
        ("https://bot.invalid/", True),
        ("https://www.northshire.nhs.uk/privacy", False),
        ("https://www.samaritans.org/", False),
    ],
)
def test_example_addresses_are_recognised(url, example):
    assert is_example_url(url) is example


def test_a_placeholder_contact_cannot_carry_a_verified_date_and_a_real_one_must(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(DEFAULT_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = (folder / "contacts.yaml").read_text()
    text = text.replace(
        '        when: "<<Trust: when it is open>>"\n',
        '        when: "<<Trust: when it is open>>"\n        last_verified: 2026-11-25\n',
    )
    text = text.replace(
        '        url: "https://hubofhope.co.uk/"\n        last_verified: 2026-11-26\n',
        '        url: "https://hubofhope.co.uk/"\n',
    )
    (folder / "contacts.yaml").write_text(text)
    with pytest.raises(ContentError) as err:
        load_content(folder)
    problems = "\n".join(str(p) for p in err.value.problems)
    assert "'trust_wellbeing' still has a <<placeholder>>" in problems
    assert "'hub_of_hope' has no last_verified date" in problems


async def test_a_real_deployment_refuses_to_start_with_placeholders_and_names_each(settings):
    server = TestServer(create_app(live(settings), watch_content=False, run_scheduler=False))
    with pytest.raises(ContentError) as err:
        await server.start_server()
    await server.close()
    text = str(err.value)
    assert "ALLOW_PLACEHOLDERS=1" in text and "trust_wellbeing" in text and "full_notice_url" in text


async def test_a_staging_site_may_run_with_placeholders_and_says_so_loudly(settings):
    staging = live(settings, allow_placeholders=True)
    server = TestServer(create_app(staging, watch_content=False, run_scheduler=False))
    await server.start_server()  # starts
    await server.close()
    line = startup_line(staging, "messages 1.1.0", len(placeholders(load_content())))
    assert "STAGING SITE" in line and "Not for real use" in line
    assert "STAGING" not in startup_line(live(settings), "messages 1.1.0", 0)


async def test_filled_in_content_goes_live_and_a_later_placeholder_edit_is_refused(settings, tmp_path):
    folder = filled(tmp_path)
    assert refuse_placeholders(load_content(folder, commands=COMMAND_IDS)) == []
    server = TestServer(create_app(live(settings, content_dir=folder), watch_content=False, run_scheduler=False))
    await server.start_server()
    await server.close()
    source = await compose.open_content(folder, live=True)
    contacts = folder / "contacts.yaml"
    contacts.write_text(contacts.read_text().replace("Call 116 123", "Call <<the number>>"))
    assert await source.reload() is False  # the live site keeps serving the last good set
    assert "116 123" in str(help_now_card(source.current)) and "placeholder" in str(source.last_error)


def test_check_content_production_lists_every_placeholder(tmp_path, capsys):
    assert main(["content", "check", str(DEFAULT_DIR), "--production"]) == 1
    err = capsys.readouterr().err
    assert "ALLOW_PLACEHOLDERS" in err and "freedom_to_speak_up" in err
    assert main(["content", "check", str(filled(tmp_path)), "--production"]) == 0
    assert main(["content", "check", str(DEFAULT_DIR)]) == 0  # without the flag they are warnings
