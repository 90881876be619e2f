"""Microsoft Graph settings: off by default, on only with authentication, and tokens or the client secret only
ever sent to Microsoft's own clouds (or loopback, for tests); the manifest's webApplicationInfo."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, PackageSettings, Settings
from bot.content import load_content
from bot.teams.app_package import build_manifest, validate

AUTH = {
    "MicrosoftAppId": "0b5e3f2a-1c4d-4e6f-8a9b-0c1d2e3f4a5b",
    "MicrosoftAppPassword": "secret",
    "MicrosoftAppTenantId": "11111111-2222-3333-4444-555555555555",
    "PUBLIC_URL": "https://wellbeing.example.nhs.uk",
}


def test_graph_is_off_by_default_and_points_at_the_public_cloud():
    settings = Settings.from_env({})
    assert not settings.graph_enabled
    assert (settings.graph_url, settings.login_url) == (
        "https://graph.microsoft.com",
        "https://login.microsoftonline.com",
    )
    assert settings.graph_per_second == 10


def test_graph_needs_authentication_on():
    with pytest.raises(ConfigError, match="GRAPH_ENABLED=1 needs authentication on"):
        Settings.from_env({"GRAPH_ENABLED": "1"})
    on = Settings.from_env({**AUTH, "GRAPH_ENABLED": "1"})
    assert on.graph_enabled and on.manifest_id == AUTH["MicrosoftAppId"]


@pytest.mark.parametrize(
    "env",
    [
        {"GRAPH_URL": "https://graph.microsoft.us", "LOGIN_URL": "https://login.microsoftonline.us"},
        {"GRAPH_URL": "https://dod-graph.microsoft.us"},
        {"GRAPH_URL": "http://127.0.0.1:8123", "LOGIN_URL": "http://localhost:8123"},
    ],
)
def test_government_clouds_and_loopback_fakes_are_accepted(env):
    settings = Settings.from_env({**AUTH, "GRAPH_ENABLED": "1", **env})
    assert settings.graph_url == env["GRAPH_URL"]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"GRAPH_URL": "https://graph.example.com"}, "GRAPH_URL"),
        ({"LOGIN_URL": "http://login.microsoftonline.com"}, "LOGIN_URL"),  # plain http off loopback
        ({"LOGIN_URL": "https://login.microsoftonline.com.evil.example"}, "LOGIN_URL"),
        ({"GRAPH_URL": "https://graph.microsoft.com/v1.0"}, "GRAPH_URL"),  # no path
        ({"GRAPH_URL": "https://user@graph.microsoft.com"}, "GRAPH_URL"),
        ({"GRAPH_PER_SECOND": "31"}, "GRAPH_PER_SECOND"),
        ({"GRAPH_ENABLED": "maybe"}, "GRAPH_ENABLED"),
        ({"MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppPassword": ""}, "managed identity"),
        ({"TEAMS_APP_ID": "not-a-guid"}, "TEAMS_APP_ID"),
    ],
)
def test_addresses_that_could_leak_a_token_or_the_secret_are_refused(env, named):
    with pytest.raises(ConfigError, match=named):
        Settings.from_env({**AUTH, "GRAPH_ENABLED": "1", **env})


def test_the_manifest_names_the_bots_app_registration_in_web_application_info():
    env = {"MicrosoftAppId": AUTH["MicrosoftAppId"], "BOT_DOMAIN": "wellbeing.example.nhs.uk"}
    manifest = build_manifest(load_content(), PackageSettings.from_env(env))
    assert manifest["webApplicationInfo"] == {"id": AUTH["MicrosoftAppId"]}
    assert validate(manifest) == []
