"""The project's own token check and app token (bot/teams/tokens.py, connector.py), used by both channels:
keys fetched once however many requests wait, strangers cost no fetch, tokens fetched off the loop."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.teams import connector, tokens
from bot.teams.connector import AppToken
from bot.teams.tokens import TokenValidator, Unauthorized

APP_ID = str(uuid.uuid4())
URL = "https://smba.trafficmanager.net/uk/"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
async def keys():
    """A loopback OpenID document and key set that count how often they are read."""
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    jwk.update({"kid": "k1", "endorsements": ["msteams"]})
    app = web.Application()
    server = TestServer(app, host="127.0.0.1")
    server.fetches = 0  # type: ignore[attr-defined]

    async def metadata(_request):
        server.fetches += 1  # type: ignore[attr-defined]
        await asyncio.sleep(0.05)  # slow enough for every waiting request to pile up
        return web.json_response({"jwks_uri": str(server.make_url("/keys"))})

    async def key_set(_request):
        return web.json_response({"keys": [jwk]})

    app.router.add_get("/openid", metadata)
    app.router.add_get("/keys", key_set)
    await server.start_server()
    yield server
    await server.close()


def token(*, kid="k1", iss=tokens.CHANNEL_ISSUER, aud=APP_ID, service_url=URL) -> str:
    now = int(time.time())
    claims = {"iss": iss, "aud": aud, "exp": now + 600, "nbf": now - 60, "serviceurl": service_url}
    return "Bearer " + jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": kid})


async def test_many_waiting_requests_share_one_key_fetch(keys):
    validator = TokenValidator(APP_ID, str(keys.make_url("/openid")))
    results = await asyncio.gather(*(validator.validate(token(), "msteams", URL) for _ in range(20)))
    assert all(r["aud"] == APP_ID for r in results)
    assert keys.fetches == 1


async def test_strangers_cost_no_fetch(keys):
    validator = TokenValidator(APP_ID, str(keys.make_url("/openid")))
    await validator.validate(token(), "msteams", URL)
    emulator = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
    for forged in [token(kid=uuid.uuid4().hex) for _ in range(30)] + [token(iss=emulator), "Bearer x.y.z"]:
        with pytest.raises(Unauthorized):
            await validator.validate(forged, "msteams", URL)
    assert keys.fetches == 1  # unknown key ids look again at most hourly; other issuers never fetch


async def test_the_key_must_be_endorsed_for_the_channel_and_the_service_url_must_match(keys):
    validator = TokenValidator(APP_ID, str(keys.make_url("/openid")))
    with pytest.raises(Unauthorized, match="endorsed"):
        await validator.validate(token(), "webchat", URL)
    with pytest.raises(Unauthorized, match="service_url"):
        await validator.validate(token(), "msteams", URL + "other/")


async def test_a_failed_fetch_is_not_tried_again_for_a_minute():
    validator = TokenValidator(APP_ID, "http://127.0.0.1:9/openid")  # nothing listens on the discard port
    for _ in range(3):
        with pytest.raises(Unauthorized, match="unknown_signing_key"):
            await validator.validate(token(), "msteams", URL)
    assert validator.keys._retry_at > time.monotonic() + 50


async def test_the_app_token_is_fetched_once_off_the_event_loop_and_cached():
    threads: list[str] = []

    def fetch() -> tuple[str, float]:
        threads.append(threading.current_thread().name)
        return "t", 3600.0

    app_token = AppToken(fetch)
    try:
        assert await asyncio.gather(*(app_token.get() for _ in range(10))) == ["t"] * 10
        assert len(threads) == 1 and threads[0] != threading.main_thread().name
    finally:
        app_token.close()


async def test_a_hanging_token_request_is_given_up(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(connector, "TOKEN_TIMEOUT_SECONDS", 0.2)
    app_token = AppToken(lambda: (release.wait(5), ("t", 3600.0))[1])
    try:
        started = time.perf_counter()
        with pytest.raises(TimeoutError):
            await app_token.get()
        assert time.perf_counter() - started < 1
    finally:
        release.set()
        app_token.close()


def test_the_botbuilder_channel_honours_botbuilders_own_openid_setting(monkeypatch, tmp_path):
    """A site (or a test) that pointed botbuilder's ChannelValidation at another OpenID address keeps it."""
    from botframework.connector.auth import ChannelValidation

    from bot.config import Settings
    from bot.storage.local import RecentIds
    from bot.teams.channel import BotbuilderChannel

    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", "https://keys.example/openid")
    settings = Settings(app_id=APP_ID, app_password="s", tenant_id=str(uuid.uuid4()), data_dir=tmp_path)
    channel = BotbuilderChannel(settings, token=lambda: ("t", 3600.0), first_time=RecentIds().first_time_async)
    assert channel.validator is not None and channel.validator.keys.metadata_url == "https://keys.example/openid"
    channel.connector.token.close()
