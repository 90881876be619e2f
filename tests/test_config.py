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


def test_multi_tenant_needs_no_tenant_id():
    s = Settings.from_env({"MicrosoftAppId": APP, "MicrosoftAppPassword": "pw", "MicrosoftAppType": "multitenant"})
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
