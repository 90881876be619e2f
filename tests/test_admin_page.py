"""The content page's API without a browser: Teams single sign-on checked with real signed tokens against a
loopback Entra key endpoint, the CSRF defence, conflicting saves, restore, an invalid version never saved,
the audit log without text, and on PostgreSQL two instances serving a saved version within seconds.
(tests/test_admin_browser.py drives the same page in Chromium.)"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import shutil
import time
from pathlib import Path

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from app import CONTENT, VERSIONS
from bot.admin import preview
from bot.admin.web import ADMIN_PAGE, WHO_EDITS
from bot.compose import content_loader
from bot.config import Settings
from bot.content import ContentError
from bot.content.editing import meta_of
from bot.content.loader import DEFAULT_DIR
from tests.conftest import BotHarness
from tests.test_auth import CountingCredentials

APP_ID = "0b5e3f2a-1c4d-4e6f-8a9b-0c1d2e3f4a5b"
TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-2222-3333-4444-555555555555"
ADMIN = "aaaaaaaa-0000-4000-8000-000000000001"
SOMEONE = "bbbbbbbb-0000-4000-8000-000000000002"
DOMAIN = "bot.example.nhs.uk"
PUBLIC_URL = f"https://{DOMAIN}"
AUDIENCE = f"api://{DOMAIN}/{APP_ID}"
ISSUER = f"https://login.microsoftonline.com/{TENANT}/v2.0"
KID = "entra-key-1"
GREETING = "Hello again. What would you like to do?"
APPROVER = "Jo Smith, Peer Support Lead"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


ENTRA_KEY, FORGER_KEY = _key(), _key()


def sso(*, key=ENTRA_KEY, aud=AUDIENCE, iss=ISSUER, tid=TENANT, oid=ADMIN, exp_in=3600, scp="access_as_user", kid=KID):
    """A Teams SSO token as Entra issues it to the content page (v2.0 names the API by its app id)."""
    now = int(time.time())
    claims = {
        "iss": iss,
        "aud": aud,
        "tid": tid,
        "oid": oid,
        "scp": scp,
        "name": "Jo Smith",
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + exp_in,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture(name="entra")
async def _entra():
    """Entra's OpenID document and signing keys, on loopback; counts how often the keys are fetched."""
    jwk = {**RSAAlgorithm.to_jwk(ENTRA_KEY.public_key(), as_dict=True), "kid": KID, "use": "sig"}
    app = web.Application()
    server = TestServer(app, host="127.0.0.1")
    fetched = []

    async def metadata(_request):
        return web.json_response({"issuer": ISSUER, "jwks_uri": str(server.make_url("/keys"))})

    async def keys(_request):
        fetched.append(time.monotonic())
        return web.json_response({"keys": [jwk]})

    app.router.add_get("/openid", metadata)
    app.router.add_get("/keys", keys)
    await server.start_server()
    server.fetched = fetched
    server.metadata_url = str(server.make_url("/openid"))
    yield server
    await server.close()


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(DEFAULT_DIR, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return folder


def teams_settings(tmp_path: Path, content_dir: Path, **extra) -> Settings:
    return Settings(
        app_id=APP_ID,
        app_password="secret",
        tenant_id=TENANT,
        data_dir=tmp_path / "data",
        content_dir=content_dir,
        admin_ids=frozenset({ADMIN}),
        public_url=PUBLIC_URL,
        allow_placeholders=True,  # a staging site: these tests are about who may change content
        **extra,
    )


@pytest.fixture
async def page(entra, tmp_path, content_dir, connector):
    """The bot with authentication on, its content page checking tokens against the loopback Entra."""
    harness = BotHarness(
        teams_settings(tmp_path, content_dir),
        connector,
        credentials=CountingCredentials(),
        entra_metadata_url=entra.metadata_url,
    )
    await harness.start()
    yield harness
    await harness.stop()


class Admin:
    """One person using the page's API, as the page's script does."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        self.csrf = ""

    async def session(self):
        response = await self.client.get("/admin/api/session", headers=self.headers)
        if response.status == 200:
            self.csrf = (await response.json())["csrf"]
        return response

    async def open(self, name: str = "messages.yaml") -> dict:
        response = await self.client.get("/admin/api/file", params={"name": name}, headers=self.headers)
        assert response.status == 200, await response.text()
        return await response.json()

    async def post(self, path: str, body: dict, **headers: str):
        sent = {**self.headers, "X-CSRF-Token": self.csrf, **headers}
        return await self.client.post(f"/admin/api/{path}", json=body, headers=sent)

    async def save(self, text: str, base: str, name: str = "messages.yaml", approved_by: str = APPROVER, **headers):
        body = {"name": name, "text": text, "base": base, "approved_by": approved_by}
        return await self.post("save", body, **headers)


async def signed_in(client, token: str | None) -> Admin:
    admin = Admin(client, token)
    assert (await admin.session()).status == 200
    return admin


def unchanged(content_dir: Path, before: str) -> None:
    assert (content_dir / "messages.yaml").read_text(encoding="utf-8") == before


async def history(client, token: str) -> list:
    return (await Admin(client, token).open())["history"]


BAD_TOKENS = {
    "forged": lambda: sso(key=FORGER_KEY),
    "expired": lambda: sso(exp_in=-3600),
    "wrong_audience": lambda: sso(aud="api://elsewhere.example/" + APP_ID),
    "another_tenant": lambda: sso(iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0", tid=OTHER_TENANT),
    "another_tenants_id_in_ours": lambda: sso(tid=OTHER_TENANT),
    "not_for_the_page": lambda: sso(scp="User.Read"),
    "unknown_key": lambda: sso(kid="not-a-key"),
    "unsigned": lambda: jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "tid": TENANT, "oid": ADMIN}, None, "none"),
    "not_a_token": lambda: "hello",
}


@pytest.mark.parametrize("bad", [None, *BAD_TOKENS])
async def test_without_a_valid_token_every_request_is_401_and_nothing_changes(page, content_dir, bad):
    before = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    good = await signed_in(page.client, sso())
    opened = await good.open()
    stranger = Admin(page.client, BAD_TOKENS[bad]() if bad else None)
    stranger.csrf = good.csrf  # even with the admin's own CSRF token

    assert (await stranger.session()).status == 401
    assert (await page.client.get("/admin/api/file?name=messages.yaml", headers=stranger.headers)).status == 401
    saved = await stranger.save(before.replace(GREETING, "Changed by someone else."), opened["sha"])
    assert saved.status == 401
    assert (await saved.json())["error"] == "sign_in"
    unchanged(content_dir, before)
    assert await history(page.client, sso()) == []


async def test_a_signed_in_person_not_in_admin_ids_is_told_who_edits_and_changes_nothing(page, content_dir):
    before = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    good = await signed_in(page.client, sso())
    opened = await good.open()
    someone = Admin(page.client, sso(oid=SOMEONE))
    someone.csrf = good.csrf

    refused = await someone.session()
    assert refused.status == 403 and (await refused.json())["message"] == WHO_EDITS
    assert (await page.client.get("/admin/api/file?name=messages.yaml", headers=someone.headers)).status == 403
    assert (await someone.save(before.replace(GREETING, "Changed."), opened["sha"])).status == 403
    unchanged(content_dir, before)
    assert await history(page.client, sso()) == []
    # The page itself opens for everyone (it is the Teams app's tab), and holds no content.
    shown = await page.client.get("/admin/content")
    assert shown.status == 200 and GREETING not in await shown.text()


async def test_an_admin_signs_in_and_the_keys_are_fetched_once(page, entra):
    for _ in range(3):
        response = await Admin(page.client, sso()).session()
        assert response.status == 200
        body = await response.json()
        assert body["name"] == "Jo Smith" and body["csrf"] and not body["local"]
    assert len(entra.fetched) == 1
    # A token signed by an unknown key costs no second fetch within the hour.
    assert (await Admin(page.client, sso(kid="rolled")).session()).status == 401
    assert len(entra.fetched) == 1


async def test_every_change_needs_the_csrf_defence(page, content_dir):
    before = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    admin = await signed_in(page.client, sso())
    opened = await admin.open()
    edit = before.replace(GREETING, "Hello, changed.")
    theirs = page.app[ADMIN_PAGE].tokens.issue(SOMEONE)

    assert (await admin.save(edit, opened["sha"], **{"X-CSRF-Token": ""})).status == 403
    assert (await admin.save(edit, opened["sha"], **{"X-CSRF-Token": theirs})).status == 403
    assert (await admin.save(edit, opened["sha"], **{"X-CSRF-Token": "1." + admin.csrf})).status == 403
    assert (await admin.save(edit, opened["sha"], Origin="https://evil.example")).status == 403
    assert (await admin.save(edit, opened["sha"], **{"Sec-Fetch-Site": "cross-site"})).status == 403
    as_form = await page.client.post(
        "/admin/api/save",
        data=f"name=messages.yaml&text=x&base={opened['sha']}",
        headers={**admin.headers, "X-CSRF-Token": admin.csrf, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert as_form.status == 415
    unchanged(content_dir, before)

    done = await admin.save(edit, opened["sha"], Origin=PUBLIC_URL, **{"Sec-Fetch-Site": "same-origin"})
    assert done.status == 200, await done.text()


async def test_the_second_of_two_admins_saving_one_file_is_refused_with_a_diff(page, content_dir):
    first, second = await signed_in(page.client, sso()), await signed_in(page.client, sso())
    base = (await first.open())["sha"]
    text = (content_dir / "messages.yaml").read_text(encoding="utf-8")

    assert (await first.save(text.replace(GREETING, "First admin's words."), base)).status == 200
    refused = await second.save(text.replace(GREETING, "Second admin's words."), base)

    assert refused.status == 409
    body = await refused.json()
    assert "nothing was overwritten" in body["message"]
    assert any("First admin's words." in row["text"] and row["kind"] == "added" for row in body["theirs"])
    assert any("Second admin's words." in row["text"] and row["kind"] == "added" for row in body["yours"])
    now = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    assert "First admin's words." in now and "Second admin's words." not in now
    assert [v["number"] for v in await history(page.client, sso())] == [2, 1]


async def test_an_earlier_version_is_restored_as_the_newest(page, content_dir):
    admin = await signed_in(page.client, sso())
    original = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    opened = await admin.open()
    assert (await admin.save(original.replace(GREETING, "Edited words."), opened["sha"])).status == 200
    now = await admin.open()

    preparing = await admin.post(
        "prepare", {"name": "messages.yaml", "restore": 1, "approved_by": "Sam Lee, Clinical Safety Officer"}
    )
    assert preparing.status == 200
    assert any(row["kind"] == "added" and GREETING in row["text"] for row in (await preparing.json())["diff"])
    restored = await admin.post(
        "save",
        {"name": "messages.yaml", "restore": 1, "base": now["sha"], "approved_by": "Sam Lee, Clinical Safety Officer"},
    )

    assert restored.status == 200, await restored.text()
    text = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    below_meta = lambda t: t.split("\n", 8)[8]  # noqa: E731
    assert below_meta(text) == below_meta(original)
    assert meta_of(text)["approved_by"] == "Sam Lee, Clinical Safety Officer"
    versions = await history(page.client, sso())
    assert [(v["number"], v["action"], v["restored_from"]) for v in versions] == [
        (3, "restored", 1),
        (2, "saved", None),
        (1, "found", None),
    ]
    assert page.app[CONTENT].current.messages.small_talk.greeting_reply == GREETING, "served at once"
    assert (
        await admin.post("save", {"name": "messages.yaml", "restore": 99, "base": "x", "approved_by": "J"})
    ).status == 404


async def test_an_invalid_version_is_never_saved(page, content_dir, tmp_path):
    admin = await signed_in(page.client, sso())
    before = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    opened = await admin.open()
    broken = before.replace(GREETING, "Hello {name}")
    expected = problems_of(content_dir, tmp_path, broken)
    assert expected

    checked = await admin.post("check", {"name": "messages.yaml", "text": broken})
    assert [p["text"] for p in (await checked.json())["problems"]] == expected, "worded as make check-content"
    refused = await admin.save(broken, opened["sha"])

    assert refused.status == 422
    assert [p["text"] for p in (await refused.json())["problems"]] == expected
    unchanged(content_dir, before)
    assert await history(page.client, sso()) == []
    # Not YAML at all, or a path that is not a content file: refused the same way.
    assert (await admin.save("meta: [", opened["sha"])).status == 422
    assert (await admin.save(before, opened["sha"], name="../../app.py")).status == 404
    unchanged(content_dir, before)


def problems_of(folder: Path, tmp: Path, messages: str) -> list[str]:
    """What `make check-content` says of the folder with this messages.yaml, in its words."""
    copy = tmp / f"expected-{time.monotonic_ns()}"
    shutil.copytree(folder, copy)
    (copy / "messages.yaml").write_text(messages, encoding="utf-8")
    try:
        content_loader()(copy)
    except ContentError as exc:
        return [str(p) for p in exc.problems]
    return []


async def test_every_save_and_restore_is_logged_with_who_which_file_and_version_never_the_text(
    page, content_dir, caplog
):
    caplog.set_level(logging.INFO)
    admin = await signed_in(page.client, sso())
    text = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    opened = await admin.open()
    assert (await admin.save(text.replace(GREETING, "Brand new greeting words."), opened["sha"])).status == 200
    now = await admin.open()
    body = {"name": "messages.yaml", "restore": 1, "base": now["sha"], "approved_by": APPROVER}
    assert (await admin.post("save", body)).status == 200

    lines = [r.getMessage() for r in caplog.records if r.name == "bot.admin"]
    handle = now["history"][0]["admin"]
    major, minor, patch = re.search(r'^  version: "(\d+)\.(\d+)\.(\d+)"', text, re.M).groups()  # type: ignore[union-attr]
    bumped = f"{major}.{minor}.{int(patch) + 1}"  # a save bumps the patch number
    assert any(f"content_saved file=messages.yaml number=2 version={bumped} admin={handle}" == line for line in lines)
    assert any(
        line.startswith("content_restored file=messages.yaml number=3") and "restored_from=1" in line for line in lines
    )
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for private in ("Brand new greeting words", GREETING, APPROVER, "Jo Smith", ADMIN):
        assert private not in everything


def test_every_card_the_preview_offers_builds_from_the_shipped_content():
    content = content_loader()(DEFAULT_DIR)
    missing = [shown.name for shown in preview.CARDS if preview.card(shown, content) is None]
    assert missing == []


# PostgreSQL: versions in the database, every instance serving the newest within seconds.


@pytest.fixture
async def instances(database_url, tmp_path, content_dir, connector):
    """Two instances of the bot on one database, in local mode (the page without sign-in, on loopback)."""
    started = []
    for name in ("a", "b"):
        settings = Settings(data_dir=tmp_path / f"unused-{name}", content_dir=content_dir, database_url=database_url)
        harness = BotHarness(settings, connector, content_sync_seconds=0.2)
        started.append(await harness.start())
    yield started
    for harness in started:
        await harness.stop()


async def test_on_postgresql_a_version_saved_on_one_instance_is_served_by_the_other(instances, content_dir, tmp_path):
    one, other = instances
    shipped = (content_dir / "messages.yaml").read_text(encoding="utf-8")
    admin = await signed_in(one.client, None)
    opened = await admin.open()
    saved = await admin.save(shipped.replace(GREETING, "Words from the database."), opened["sha"])
    assert saved.status == 200, await saved.text()

    deadline = time.monotonic() + 10
    while other.app[CONTENT].current.messages.small_talk.greeting_reply != "Words from the database.":
        assert time.monotonic() < deadline, "the other instance did not serve the saved version within seconds"
        await asyncio.sleep(0.1)
    assert one.app[CONTENT].current.messages.small_talk.greeting_reply == "Words from the database."
    assert (content_dir / "messages.yaml").read_text(encoding="utf-8") == shipped, "the shipped files stay the defaults"

    # The other instance's page starts from the saved version, and an invalid one is refused there too.
    theirs = await signed_in(other.client, None)
    now = await theirs.open()
    assert now["version"]["number"] == 2 and "Words from the database." in now["text"]
    assert (await theirs.save(now["text"].replace("Words from the database.", "{name}"), now["sha"])).status == 422
    assert (await theirs.save(now["text"], opened["sha"])).status == 409

    # export DIR writes the content as served back to files.
    versions = one.app[VERSIONS]
    await versions.export(tmp_path / "exported")
    exported = content_loader()(tmp_path / "exported")
    assert exported.messages.small_talk.greeting_reply == "Words from the database."


def test_sign_off_changes_only_the_meta_lines_of_every_shipped_file_quickly():
    from bot.content.editing import content_files, sign_off

    on = dt.date(2026, 12, 3)
    for name in content_files(DEFAULT_DIR):
        text = (DEFAULT_DIR / name).read_text(encoding="utf-8")
        started = time.perf_counter()
        before = meta_of(text)
        signed = sign_off(text, 'Jo "JS" Smith, Lead', on, before["version"])
        assert time.perf_counter() - started < 0.2, f"{name}: only the meta block is read"
        after = meta_of(signed)
        assert after["approved_by"] == 'Jo "JS" Smith, Lead' and after["approved_on"] == "2026-12-03", name
        assert after["version"] != before["version"], name
        changed = [(a, b) for a, b in zip(text.split("\n"), signed.split("\n"), strict=True) if a != b]
        keys = {old.strip().split(":")[0] for old, _new in changed}
        assert 1 <= len(changed) <= 3 and keys <= {"version", "approved_by", "approved_on"}, name
