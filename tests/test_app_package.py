"""The Teams app package: built from the template and content, valid against the official schema."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from bot.config import ConfigError, PackageSettings
from bot.content import load_content
from bot.teams.app_package import build_manifest, check_icons, main, png_size, validate

ENV = {"MicrosoftAppId": "0b5e3f2a-1c4d-4e6f-8a9b-0c1d2e3f4a5b", "BOT_DOMAIN": "wellbeing.example.nhs.uk"}
# What a Trust sets for a real package (make package refuses the shipped example values).
REAL = {
    **ENV,
    "BOT_DOMAIN": "wellbeing.northshire.nhs.uk",
    "DEVELOPER_NAME": "Northshire NHS Foundation Trust",
    "WEBSITE_URL": "https://www.northshire.nhs.uk/peer-wellbeing",
    "PRIVACY_URL": "https://www.northshire.nhs.uk/peer-wellbeing/privacy",
    "TERMS_URL": "https://www.northshire.nhs.uk/peer-wellbeing/terms",
}
OFFICIAL = Path(__file__).resolve().parent.parent.parent / "shared" / "schemas" / "teams-manifest-v1.25.schema.json"


def manifest() -> dict:
    return build_manifest(load_content(), PackageSettings.from_env(ENV))


def test_manifest_is_valid_against_the_official_schema():
    assert validate(manifest()) == []
    if OFFICIAL.exists():  # the shared copy, when the project sits beside it
        assert validate(manifest(), OFFICIAL) == []


def test_manifest_is_personal_only_with_the_content_commands():
    m = manifest()
    (bot,) = m["bots"]
    assert bot["botId"] == ENV["MicrosoftAppId"] and bot["scopes"] == ["personal"]
    (commands,) = bot["commandLists"]
    titles = [c["title"] for c in commands["commands"]]
    assert "Get help now" in titles and "Check in" in titles and len(titles) <= 10
    assert "Admin report" not in titles
    content = load_content()
    for title in titles:  # Teams sends the title as a message: it must route to the command
        assert content.command_for(title) is not None, title


def test_settings_override_names_and_urls_and_quotes_are_escaped():
    env = {**ENV, "APP_NAME_SHORT": 'Peer "Hub"', "PRIVACY_URL": "https://trust.nhs.uk/privacy"}
    m = build_manifest(load_content(), PackageSettings.from_env(env))
    assert m["name"]["short"] == 'Peer "Hub"'
    assert m["developer"]["privacyUrl"] == "https://trust.nhs.uk/privacy"
    assert validate(m) == []


def test_broken_settings_are_caught_by_the_schema():
    m = manifest()
    m["developer"]["privacyUrl"] = "not a url"
    m["bots"][0]["scopes"] = ["groupchat"]
    problems = validate(m)
    assert any("privacyUrl" in p for p in problems) and any("scopes" in p for p in problems)


@pytest.mark.parametrize(
    "env,named", [({}, "MicrosoftAppId"), ({"MicrosoftAppId": ENV["MicrosoftAppId"]}, "BOT_DOMAIN")]
)
def test_missing_settings_are_named(env, named):
    with pytest.raises(ConfigError) as err:
        PackageSettings.from_env(env)
    assert named in str(err.value)


def test_icons_have_the_sizes_teams_needs():
    assert check_icons() == []
    root = Path(__file__).resolve().parent.parent / "appPackage"
    assert png_size(root / "color.png") == (192, 192) and png_size(root / "outline.png") == (32, 32)


def test_outline_icon_is_white_on_transparent():
    import struct
    import zlib

    data = (Path(__file__).resolve().parent.parent / "appPackage" / "outline.png").read_bytes()
    idat = b""
    pos = 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    pixels = set()
    for row in range(32):
        line = raw[row * (1 + 32 * 4) + 1 : (row + 1) * (1 + 32 * 4)]
        pixels |= {tuple(line[i : i + 4]) for i in range(0, len(line), 4)}
    assert pixels <= {(255, 255, 255, 255), (0, 0, 0, 0)} and len(pixels) == 2


def test_make_package_writes_a_zip_with_everything_at_the_root(tmp_path, monkeypatch):
    for key, value in REAL.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "app.zip"
    assert main([str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert validate(json.loads(archive.read("manifest.json"))) == []


def test_make_package_refuses_example_urls_and_a_placeholder_trust_name(tmp_path, monkeypatch, capsys):
    for key, value in ENV.items():  # the shipped defaults for everything else
        monkeypatch.setenv(key, value)
    out = tmp_path / "app.zip"
    assert main([str(out)]) == 1 and not out.exists()
    err = capsys.readouterr().err
    for named in ("PRIVACY_URL", "TERMS_URL", "WEBSITE_URL", "BOT_DOMAIN", "DEVELOPER_NAME='Your NHS Trust'"):
        assert named in err


def test_the_key_numbers_are_in_the_apps_description_so_they_survive_an_outage():
    full = build_manifest(load_content(), PackageSettings.from_env(REAL))["description"]["full"]
    assert "999" in full and "116 123" in full and "SHOUT to 85258" in full
    assert "<<" not in full  # placeholder contacts never appear


def test_the_manifest_names_the_bots_app_registration_in_web_application_info():
    m = manifest()
    # Microsoft Graph (docs/deployment.md, 5b) and the content page's sign-in (5c) use the same registration.
    assert m["webApplicationInfo"]["id"] == ENV["MicrosoftAppId"]
    assert validate(m) == []


def test_the_content_page_is_a_personal_tab_signed_in_with_teams_sso():
    m = manifest()
    tabs = {t["entityId"]: t for t in m["staticTabs"]}
    assert list(tabs) == ["conversations", "content"], "the chat stays the first tab"
    assert tabs["content"]["contentUrl"] == "https://wellbeing.example.nhs.uk/admin/content"
    assert tabs["content"]["scopes"] == ["personal"]
    # The token the page asks Teams for is for this API (bot/admin/sso.py checks the same audience).
    assert m["webApplicationInfo"] == {
        "id": ENV["MicrosoftAppId"],
        "resource": f"api://wellbeing.example.nhs.uk/{ENV['MicrosoftAppId']}",
    }
    assert "wellbeing.example.nhs.uk" in m["validDomains"]
