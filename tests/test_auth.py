"""Authentication on: a loopback OpenID document and signing key; every bad token is a 401, never a 500.
On both channels (the `sdk` fixture): the token check is the project's own (bot/teams/tokens.py)."""

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

from bot.config import Settings
from bot.teams import tokens
from tests.conftest import BotHarness
from tests.teams import message

APP_ID = "0b5e3f2a-1c4d-4e6f-8a9b-0c1d2e3f4a5b"
TENANT = "11111111-2222-3333-4444-555555555555"
ISSUER = "https://api.botframework.com"
KID = "test-key"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY, OTHER_KEY = _key(), _key()


class CountingCredentials:
    """Stands in for Entra (MSAL): hands out a fixed token and counts how often, and on which thread."""

    def __init__(self):
        self.created = 0
        self.token_threads: list[str] = []

    def __call__(self) -> tuple[str, float]:
        self.created += 1
        self.token_threads.append(threading.current_thread().name)
        return "outbound-test-token", 3600.0


@pytest.fixture
async def openid(monkeypatch):
    """Serve an OpenID document and JWKS on loopback, and point the SDK at them."""
    jwk = json.loads(RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    jwk.update({"kid": KID, "use": "sig", "endorsements": ["msteams"]})
    app = web.Application()
    server = TestServer(app, host="127.0.0.1")

    async def metadata(_request):
        return web.json_response({"issuer": ISSUER, "jwks_uri": str(server.make_url("/keys"))})

    async def keys(_request):
        return web.json_response({"keys": [jwk]})

    app.router.add_get("/openid", metadata)
    app.router.add_get("/keys", keys)
    await server.start_server()
    url = str(server.make_url("/openid"))
    monkeypatch.setattr(tokens, "CHANNEL_OPENID_METADATA", url)
    yield url
    await server.close()


def secure(data_dir, sdk: str = "botbuilder", **extra) -> Settings:
    """Authentication on. A staging site (placeholders allowed): these tests are about authentication."""
    return Settings(
        app_id=APP_ID,
        app_password="secret",
        tenant_id=TENANT,
        data_dir=data_dir,
        allow_placeholders=True,
        bot_sdk=sdk,
        **extra,
    )


@pytest.fixture
async def secure_bot(openid, tmp_path, connector, sdk):
    settings = secure(tmp_path / "data", sdk, service_url_hosts=("127.0.0.1",))
    credentials = CountingCredentials()
    harness = await BotHarness(settings, connector, credentials=credentials).start()
    harness.credentials = credentials
    yield harness
    await harness.stop()


def token(service_url: str, *, key=SIGNING_KEY, aud=APP_ID, iss=ISSUER, exp_in=3600, kid=KID, alg="RS256") -> str:
    now = int(time.time())
    claims = {"iss": iss, "aud": aud, "exp": now + exp_in, "nbf": now - 60, "serviceurl": service_url}
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


async def test_correctly_signed_token_is_accepted_and_reply_is_authenticated(secure_bot, worker):
    body = message(worker, secure_bot.connector.url, "help")
    response = await secure_bot.post(body, {"Authorization": f"Bearer {token(body['serviceUrl'])}"})
    assert response.status == 201
    assert secure_bot.connector.sent, "the bot should have replied"
    assert secure_bot.connector.sent[0].headers["Authorization"] == "Bearer outbound-test-token"


async def test_credentials_are_created_once_across_turns(secure_bot, worker):
    for _ in range(4):
        body = message(worker, secure_bot.connector.url, "help")
        response = await secure_bot.post(body, {"Authorization": f"Bearer {token(body['serviceUrl'])}"})
        assert response.status == 201
    assert len(secure_bot.connector.sent) >= 4
    assert secure_bot.credentials.created == 1
    # The first token request of every turn runs off the event loop (MSAL's network call would block it).
    assert secure_bot.credentials.token_threads[0] != threading.main_thread().name


def _unsigned(service_url: str) -> str:
    now = int(time.time())
    return jwt.encode(
        {"iss": ISSUER, "aud": APP_ID, "exp": now + 600, "serviceurl": service_url},
        None,
        algorithm="none",
        headers={"kid": KID},
    )


BAD_TOKENS = {
    "missing": lambda url: None,
    "unsigned": lambda url: f"Bearer {_unsigned(url)}",
    "wrongly_signed": lambda url: f"Bearer {token(url, key=OTHER_KEY)}",
    "expired": lambda url: f"Bearer {token(url, exp_in=-3600)}",
    "wrong_audience": lambda url: f"Bearer {token(url, aud=str(uuid.uuid4()))}",
    "wrong_issuer": lambda url: f"Bearer {token(url, iss='https://evil.example')}",
    "unknown_key": lambda url: f"Bearer {token(url, kid='nope')}",
    "wrong_service_url": lambda url: f"Bearer {token('https://elsewhere.example/')}",
    "garbage": lambda url: "Bearer not-a-token",
    "wrong_scheme": lambda url: f"Basic {token(url)}",
    "hs256_with_public_key": lambda url: (
        "Bearer "
        + jwt.api_jws.PyJWS().encode(
            json.dumps({"iss": ISSUER, "aud": APP_ID, "serviceurl": url, "exp": int(time.time()) + 600}).encode(),
            b"public-key-bytes-used-as-an-hmac-secret",
            algorithm="HS256",
            headers={"kid": KID},
        )
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
async def test_bad_tokens_are_401(secure_bot, worker, kind):
    body = message(worker, secure_bot.connector.url, "help")
    header = BAD_TOKENS[kind](body["serviceUrl"])
    response = await secure_bot.post(body, {"Authorization": header} if header else {})
    assert response.status == 401
    assert secure_bot.connector.calls == []
    # And the next genuine request is served.
    ok = await secure_bot.post(body, {"Authorization": f"Bearer {token(body['serviceUrl'])}"})
    assert ok.status == 201


async def test_service_url_outside_the_allow_list_is_refused_even_when_signed(openid, tmp_path, connector, worker, sdk):
    settings = secure(tmp_path / "d", sdk)
    harness = await BotHarness(settings, connector, credentials=CountingCredentials()).start()
    try:
        body = message(worker, connector.url, "help")
        response = await harness.post(body, {"Authorization": f"Bearer {token(body['serviceUrl'])}"})
        assert response.status == 401
        assert connector.calls == []
    finally:
        await harness.stop()


# Strangers claiming any issuer, with the key endpoints unreachable --------------------------------------------

EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
FORGED = {
    "channel": {"iss": ISSUER, "aud": APP_ID},
    "emulator": {"iss": EMULATOR_ISSUER, "aud": APP_ID, "appid": str(uuid.uuid4()), "ver": "1.0"},
    "skill": {"iss": EMULATOR_ISSUER, "aud": APP_ID, "appid": str(uuid.uuid4()), "ver": "2.0", "azp": "x"},
    "government": {"iss": "https://api.botframework.us", "aud": APP_ID},
}


@pytest.fixture
async def stalled_keys(monkeypatch):
    """The key document sits behind a server that accepts connections and never answers (other issuers'
    tokens are refused before any key is fetched)."""
    stall = asyncio.Event()

    async def never(_request):
        await stall.wait()
        return web.Response()

    app = web.Application()
    app.router.add_get("/{tail:.*}", never)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/openid"))
    monkeypatch.setattr(tokens, "CHANNEL_OPENID_METADATA", url)
    monkeypatch.setattr(tokens, "KEY_FETCH_TIMEOUT", 2)
    yield url
    stall.set()
    await server.close()


@pytest.mark.parametrize("issuer", sorted(FORGED))
async def test_forged_tokens_for_every_issuer_are_401_and_never_stall_anyone(
    stalled_keys, tmp_path, connector, worker, issuer, sdk
):
    settings = secure(tmp_path / "d", sdk, service_url_hosts=("127.0.0.1",))
    harness = await BotHarness(settings, connector, credentials=CountingCredentials()).start()
    try:
        body = message(worker, connector.url, "help")
        now = int(time.time())
        claims = {**FORGED[issuer], "exp": now + 600, "nbf": now - 60, "serviceurl": body["serviceUrl"]}
        forged = jwt.encode(claims, OTHER_KEY, algorithm="RS256", headers={"kid": KID})
        pending = asyncio.create_task(harness.post(body, {"Authorization": f"Bearer {forged}"}))
        await asyncio.sleep(0.05)  # the forged request is now waiting on the stalled key endpoint
        started = time.perf_counter()
        health = await harness.client.get("/healthz")
        assert health.status == 200 and time.perf_counter() - started < 0.5
        assert (await pending).status == 401
        again = time.perf_counter()  # after a failed fetch, the next stranger is refused at once
        assert (await harness.post(body, {"Authorization": f"Bearer {forged}"})).status == 401
        assert time.perf_counter() - again < 0.5
        assert connector.calls == []
    finally:
        await harness.stop()
