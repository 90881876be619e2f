"""Settings come from the environment only, are validated once, and name every bad setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import startup_line
from bot.config import ConfigError, Settings

APP = "0b5e3f2a-1c4d-4e6f-8a9b-0c1d2e3f4a5b"
TENANT = "11111111-2222-3333-4444-555555555555"


def test_defaults_are_safe_local_mode():
    s = Settings.from_env({})
    assert (s.host, s.port, s.data_dir, s.timezone, s.app_type) == (
        "127.0.0.1",
        3978,
        Path("./data"),
        "Europe/London",
        "SingleTenant",
    )
    assert not s.auth_enabled
    assert "authentication: OFF" in startup_line(s) and "127.0.0.1:3978/api/messages" in startup_line(s)


def test_full_single_tenant_configuration():
    s = Settings.from_env(
        {
            "MicrosoftAppId": APP,
            "MicrosoftAppPassword": "pw",
            "MicrosoftAppTenantId": TENANT,
            "HOST": "0.0.0.0",
            "PORT": "8080",
            "ADMIN_IDS": f" {TENANT.upper()} , ",
            "DATA_DIR": "/srv/bot",
            "TIMEZONE": "Europe/Belfast",
            "PUBLIC_URL": "https://wellbeing.example.nhs.uk",
        }
    )
    assert s.auth_enabled and s.host == "0.0.0.0" and s.port == 8080
    assert s.admin_ids == frozenset({TENANT}) and s.data_dir == Path("/srv/bot")
    assert "authentication: ON (SingleTenant" in startup_line(s)
    assert "pw" not in repr(s)


@pytest.mark.parametrize(
    "env,named",
    [
        ({"HOST": "0.0.0.0"}, "HOST"),
        ({"HOST": "10.0.0.5"}, "HOST"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
        ({"MicrosoftAppType": "Personal"}, "MicrosoftAppType"),
        (
            {"MicrosoftAppId": "not-a-guid", "MicrosoftAppPassword": "x", "MicrosoftAppTenantId": TENANT},
            "MicrosoftAppId",
        ),
        ({"MicrosoftAppId": APP, "MicrosoftAppTenantId": TENANT}, "MicrosoftAppPassword"),
        ({"MicrosoftAppId": APP, "MicrosoftAppPassword": "x"}, "MicrosoftAppTenantId"),
        ({"MicrosoftAppPassword": "x"}, "MicrosoftAppId"),
        ({"ADMIN_IDS": "alice@example.org"}, "ADMIN_IDS"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
    ],
)
def test_bad_settings_are_named(env, named):
    with pytest.raises(ConfigError) as err:
        Settings.from_env(env)
    assert named in str(err.value)


def test_all_problems_are_reported_at_once():
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"PORT": "x", "TIMEZONE": "Nowhere", "HOST": "192.168.1.2"})
    assert len(err.value.problems) == 3


def test_loopback_variants_are_allowed_without_credentials():
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert Settings.from_env({"HOST": host}).host == host


def test_the_agents_sdk_names_of_the_credentials_are_accepted_and_must_agree_with_ours():
    prefix = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
    theirs = {f"{prefix}CLIENTID": APP, f"{prefix}CLIENTSECRET": "pw", f"{prefix}TENANTID": TENANT}
    s = Settings.from_env({**theirs, "PUBLIC_URL": "https://wellbeing.example.nhs.uk"})
    assert (s.app_id, s.app_password, s.tenant_id, s.auth_enabled) == (APP, "pw", TENANT, True)
    same = Settings.from_env({**theirs, **AUTH, "PUBLIC_URL": "https://wellbeing.example.nhs.uk"})
    assert (same.app_id, same.app_password) == (APP, "pw")
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({**AUTH, f"{prefix}CLIENTSECRET": "another", "PUBLIC_URL": "https://w.example.nhs.uk"})
    assert "MicrosoftAppPassword and CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET" in str(caught.value)
    assert "another" not in str(caught.value) and "pw" not in str(caught.value)  # never a secret in a message


def test_multi_tenant_needs_no_tenant_id():
    s = Settings.from_env(
        {
            "MicrosoftAppId": APP,
            "MicrosoftAppPassword": "pw",
            "MicrosoftAppType": "multitenant",
            "PUBLIC_URL": "https://wellbeing.example.nhs.uk",
        }
    )
    assert s.app_type == "MultiTenant"


async def test_main_exits_with_the_message_on_bad_settings(tmp_path):
    import asyncio
    import os
    import sys

    env = {**os.environ, "HOST": "0.0.0.0", "MicrosoftAppId": ""}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "app.py", env=env, cwd=Path(__file__).parent.parent, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 2 and b"HOST='0.0.0.0' is not a loopback address" in err


AUTH = {"MicrosoftAppId": APP, "MicrosoftAppPassword": "pw", "MicrosoftAppTenantId": TENANT}


@pytest.mark.parametrize(
    "env",
    [
        {"PUBLIC_URL": "http://localhost.evil.example"},
        {"PUBLIC_URL": "http://127.0.0.1.nip.io"},
        {"PUBLIC_URL": "https://user@bot.example.nhs.uk"},
        {**AUTH, "PUBLIC_URL": "http://127.0.0.1:3978"},
        {**AUTH, "HOST": "0.0.0.0"},
    ],
)
def test_public_url_must_be_https_unless_it_is_exactly_this_machine(env):
    with pytest.raises(ConfigError) as err:
        Settings.from_env(env)
    problems = err.value.problems
    assert problems and all(p.startswith("PUBLIC_URL") for p in problems)


def test_local_public_urls_and_an_https_one_with_authentication_are_accepted():
    for url in ("http://127.0.0.1:3978", "http://localhost:3978/", "http://[::1]:3978"):
        assert Settings.from_env({"PUBLIC_URL": url}).base_url == url.rstrip("/")
    s = Settings.from_env({**AUTH, "HOST": "0.0.0.0", "PUBLIC_URL": "https://wellbeing.example.nhs.uk/"})
    assert s.base_url == "https://wellbeing.example.nhs.uk"


@pytest.mark.parametrize(
    "entry", ["net", "co.uk", "nhs.uk", "azurewebsites.net", "trafficmanager.net", "*.net", "x..y"]
)
def test_service_url_hosts_refuses_suffixes_anyone_could_register_under(entry):
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"SERVICE_URL_HOSTS": f"smba.trafficmanager.net,{entry}"})
    assert err.value.problems == [err.value.problems[0]] and entry in err.value.problems[0]


def test_service_url_hosts_takes_host_names_registrable_domains_and_loopback():
    hosts = "smba.trafficmanager.net, teams.microsoft.com, example.org, 127.0.0.1"
    assert Settings.from_env({"SERVICE_URL_HOSTS": hosts}).service_url_hosts == (
        "smba.trafficmanager.net",
        "teams.microsoft.com",
        "example.org",
        "127.0.0.1",
    )


async def run_app(env: dict[str, str], wrapper: tuple[str, ...] = ()) -> tuple[int | None, str, str]:
    """`python app.py` as an operator starts it, with `env` added; its exit code, stdout and stderr."""
    import asyncio
    import os
    import sys

    proc = await asyncio.create_subprocess_exec(
        *wrapper,
        sys.executable,
        "app.py",
        env={**os.environ, "PORT": "39790", **env},
        cwd=Path(__file__).parent.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    finally:
        if proc.returncode is None:
            proc.kill()
    return proc.returncode, out.decode(), err.decode()


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"expected exactly one line, got: {err!r}"
    return lines[0]


@pytest.mark.parametrize(
    "env,named",
    [
        ({"PUBLIC_URL": "http://localhost.evil.example"}, "PUBLIC_URL='http://localhost.evil.example'"),
        ({"PUBLIC_URL": "http://127.0.0.1.nip.io"}, "PUBLIC_URL='http://127.0.0.1.nip.io'"),
        ({**AUTH, "HOST": "0.0.0.0"}, "PUBLIC_URL is empty"),
        ({**AUTH, "HOST": "0.0.0.0", "PUBLIC_URL": "http://127.0.0.1:3978"}, "must start with https://"),
        ({"SERVICE_URL_HOSTS": "net"}, "SERVICE_URL_HOSTS entry 'net'"),
    ],
)
async def test_the_real_process_refuses_settings_that_accept_too_much(tmp_path, env, named):
    code, out, err = await run_app({"DATA_DIR": str(tmp_path / "data"), **env})
    assert code == 2 and "listening" not in out
    assert named in one_line(err)


async def test_a_port_in_use_stops_with_one_line_naming_port(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = await run_app({"DATA_DIR": str(tmp_path / "data"), "PORT": str(port)})
    assert code == 2 and "listening" not in out
    line = one_line(err)
    assert f"PORT={port} is already in use" in line and "set PORT to a free port" in line


async def test_data_dir_that_is_a_file_stops_with_one_line_naming_data_dir(tmp_path):
    a_file = tmp_path / "data"
    a_file.write_text("not a folder")
    code, out, err = await run_app({"DATA_DIR": str(a_file)})
    assert code == 2 and "listening" not in out
    assert one_line(err) == (
        f"Configuration problem: DATA_DIR='{a_file}' is a file, not a folder: set DATA_DIR to a folder "
        "(it is created if it does not exist)."
    )
    assert a_file.read_text() == "not a folder"


async def test_data_dir_that_cannot_be_created_stops_with_one_line_naming_data_dir(tmp_path):
    (tmp_path / "plain").write_text("a file where a folder would have to be")
    code, out, err = await run_app({"DATA_DIR": str(tmp_path / "plain" / "data")})
    assert code == 2 and "listening" not in out
    line = one_line(err)
    assert f"DATA_DIR='{tmp_path / 'plain' / 'data'}' cannot be created" in line


def _private_mounts() -> tuple[str, ...] | None:
    """A command prefix that runs a program in its own user and mount namespace (so it can mount a
    read-only file system that nobody else sees), or None where the machine does not allow it."""
    import shutil
    import subprocess

    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = subprocess.run([unshare, "-rm", "true"], capture_output=True, timeout=10)
    return (unshare, "-rm") if probe.returncode == 0 else None


async def test_data_dir_on_a_read_only_file_system_stops_with_one_line_naming_data_dir(tmp_path):
    prefix = _private_mounts()
    if prefix is None:
        pytest.skip("this machine does not allow private mount namespaces (unshare -rm)")
    folder = tmp_path / "readonly"
    folder.mkdir()
    # Mounted read-only inside the bot's own namespace only; gone when the process ends.
    script = f'mount -t tmpfs -o ro tmpfs "{folder}" && exec "$0" "$@"'
    code, out, err = await run_app({"DATA_DIR": str(folder)}, wrapper=(*prefix, "sh", "-c", script))
    assert code == 2 and "listening" not in out, err
    assert one_line(err) == (
        f"Configuration problem: DATA_DIR='{folder}' is on a read-only file system: set DATA_DIR to a folder "
        "on a disk the bot can write."
    )


def test_bot_sdk_picks_the_channel_and_anything_else_is_named():
    assert Settings.from_env({}).bot_sdk == "botbuilder"
    s = Settings.from_env({"BOT_SDK": " Agents "})
    assert s.bot_sdk == "agents" and "SDK: agents" in startup_line(s)
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"BOT_SDK": "teams"})
    assert str(refused.value) == (
        "Configuration problem: BOT_SDK='teams' must be botbuilder (the Bot Framework SDK) or agents (the "
        "Microsoft 365 Agents SDK); both use the same MicrosoftApp* settings."
    )
    # Refused with every other bad setting at once, one line each.
    with pytest.raises(ConfigError) as both:
        Settings.from_env({"BOT_SDK": "agent", "PORT": "0"})
    assert both.value.problems == [
        "PORT=0 must be from 1 to 65535.",
        "BOT_SDK='agent' must be botbuilder (the Bot Framework SDK) or agents (the Microsoft 365 Agents SDK); "
        "both use the same MicrosoftApp* settings.",
    ]


# Microsoft Graph (GRAPH_ENABLED, GRAPH_URL, LOGIN_URL, GRAPH_PER_SECOND, TEAMS_APP_ID): off by default, on only
# with authentication, and tokens or the client secret only ever sent to Microsoft's own clouds (or loopback).
GRAPH_AUTH = {
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
    on = Settings.from_env({**GRAPH_AUTH, "GRAPH_ENABLED": "1"})
    assert on.graph_enabled and on.manifest_id == GRAPH_AUTH["MicrosoftAppId"]


@pytest.mark.parametrize(
    "env",
    [
        {"GRAPH_URL": "https://graph.microsoft.us", "LOGIN_URL": "https://login.microsoftonline.us"},
        {"GRAPH_URL": "https://dod-graph.microsoft.us"},
        {"GRAPH_URL": "http://127.0.0.1:8123", "LOGIN_URL": "http://localhost:8123"},
    ],
)
def test_government_clouds_and_loopback_fakes_are_accepted(env):
    settings = Settings.from_env({**GRAPH_AUTH, "GRAPH_ENABLED": "1", **env})
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
def test_graph_addresses_that_could_leak_a_token_or_the_secret_are_refused(env, named):
    with pytest.raises(ConfigError, match=named):
        Settings.from_env({**GRAPH_AUTH, "GRAPH_ENABLED": "1", **env})
