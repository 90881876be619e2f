"""Naming anyone by work email through Microsoft Graph, and `admin install GROUP-ID`, end to end: the real
endpoint with authentication on, a loopback fake of Entra's token endpoint and of Graph (real HTTP, every
call recorded: tests/fake_graph.py), and the fake Bot Connector."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.config import Settings
from bot.teams.web import SERVICES
from tests.conftest import BotHarness, started
from tests.fake_graph import FakeGraph, chat_id
from tests.teams import TENANT, Person, card_submit, installation
from tests.test_auth import APP_ID, CountingCredentials, openid, token  # noqa: F401 - openid is a fixture
from tests.test_checkins_e2e import card_of

SAM = "sam.supervisor@trust.nhs.uk"
GROUP = "5a0c0f3e-7b1d-4c2a-9e8f-123456789abc"


class SecureHarness(BotHarness):
    """Authentication on: every activity carries a token signed by the loopback OpenID key."""

    async def post(self, body, headers=None):
        signed = {"Authorization": f"Bearer {token(body['serviceUrl'])}", **(headers or {})}
        return await self.client.post("/api/messages", json=body, headers=signed)


@pytest.fixture
async def graph():
    fake = await FakeGraph(TENANT).start()
    yield fake
    await fake.close()


def graph_settings(tmp_path, graph: FakeGraph, admin: Person | None = None, **extra) -> Settings:
    return Settings(
        app_id=APP_ID,
        app_password="secret",
        tenant_id=TENANT,
        data_dir=tmp_path / "data",
        allow_placeholders=True,
        service_url_hosts=("127.0.0.1",),
        admin_ids=frozenset({admin.aad_object_id}) if admin else frozenset(),
        graph_enabled=True,
        graph_url=graph.url,
        login_url=graph.url,
        **extra,
    )


async def start(settings: Settings, connector) -> BotHarness:
    return await started(settings, connector, SecureHarness, credentials=CountingCredentials())


@pytest.fixture
async def world(openid, tmp_path, connector, graph):  # noqa: F811 - the fixture imported above
    """A worker who has the app (and said hello), and Sam, who is in the directory but has never had it."""
    worker = Person.make("Alex Worker")
    graph.add_user("alex.worker@trust.nhs.uk", worker.aad_object_id, has_app=True)
    sam = Person.make("Sam Supervisor")
    graph.add_user(SAM, sam.aad_object_id)
    h = await start(graph_settings(tmp_path, graph), connector)
    await h.say(worker, "hi")
    yield h, graph, worker, sam
    await h.stop()


def chat_of(h, conversation: str) -> list:
    return [c for c in h.connector.sent if c.conversation_id == conversation]


def button(call, title: str) -> dict:
    return next(a for a in card_of(call)["actions"] if a["title"] == title)["data"]


async def name(h, worker: Person, query: str) -> list:
    """Type `supervisor`, then ask for `query` as peer supervisor; what the worker's chat received."""
    (form,) = await h.say(worker, "supervisor")
    sent = await h.send(
        card_submit(worker, h.connector.url, {**button(form, "Ask them"), "query": query, "role": "peer_supervisor"})
    )
    return [c for c in sent if c.conversation_id == worker.conversation_id]


async def test_a_named_person_without_the_app_is_found_installed_for_and_invited_in_the_chat_graph_returns(world):
    h, graph, worker, sam = world

    async def teams_sends_the_install_event(user_id: str) -> None:
        # Teams tells the bot at once, before Graph has even answered the install: no welcome may go out.
        await h.send(installation(sam, h.connector.url, "add"))

    graph.on_install = teams_sends_the_install_event
    replies = await name(h, worker, "Sam.Supervisor@Trust.nhs.uk")
    assert replies[0].words == f"I've asked {SAM}. I'll tell you when they answer. Nothing about you has been shared."
    assert "Sam Supervisor" not in replies[0].words  # the directory's name for them is never shown
    # Graph: one token, the user by exact email, the catalogue id from the worker's own installation, the
    # install, the installation and its chat: each with the least permission that works.
    assert [c.operation for c in graph.calls] == [
        "token", "find_user", "list_installed", "install", "list_installed", "chat"
    ]  # fmt: skip
    assert "mail eq 'sam.supervisor@trust.nhs.uk'" in graph.of("find_user")[0].query.replace("%27", "'").replace(
        "%20", " "
    )
    assert graph.of("list_installed")[0].user == worker.aad_object_id
    assert graph.of("install", 201)[0].user == sam.aad_object_id
    # The invitation went to the chat Graph returned, its first line saying who asked and that nothing is
    # shared; the install event brought no welcome, in either chat.
    (invitation,) = chat_of(h, chat_id(sam.aad_object_id))
    first = card_of(invitation)["body"][0]["text"]
    assert first.startswith("Alex Worker asked me to get in touch with you")
    assert "Nothing about Alex Worker is shared with you unless you accept" in first
    assert "named you as their peer supervisor" in invitation.words
    assert not chat_of(h, sam.conversation_id)
    # Sam accepts from their own chat; the worker hears it, by the email they typed.
    sent = await h.send(card_submit(sam, h.connector.url, button(invitation, "Accept")))
    accepted = [c for c in sent if c.conversation_id == sam.conversation_id]
    assert any("You've accepted" in c.words for c in accepted) and not any("private space" in c.words for c in sent)
    assert f"{SAM} accepted" in chat_of(h, worker.conversation_id)[-1].words
    # The first time Sam writes, they are welcomed, once.
    welcome = await h.say(sam, "hello")
    assert any("private space" in c.words for c in welcome)
    assert len(await h.say(sam, "hello")) == 1


async def test_the_catalogue_id_is_looked_up_once_and_cached(world):
    h, graph, worker, _sam = world
    await name(h, worker, SAM)
    other, jo = Person.make("Kim Worker"), Person.make("Jo Lead")
    graph.add_user("kim@trust.nhs.uk", other.aad_object_id, has_app=True)
    graph.add_user("jo.lead@trust.nhs.uk", jo.aad_object_id)
    await h.say(other, "hi")
    await name(h, other, "jo.lead@trust.nhs.uk")
    catalogue_lookups = [c for c in graph.of("list_installed") if "externalId" in c.query]
    assert len(catalogue_lookups) == 1 and graph.token_requests == 1
    assert len(chat_of(h, chat_id(jo.aad_object_id))) == 1


async def test_someone_who_already_has_the_app_is_invited_without_a_second_install(world):
    h, graph, worker, sam = world
    graph.installed.add(sam.aad_object_id)  # installed by a setup policy; the bot has never heard from them
    replies = await name(h, worker, SAM)
    assert f"I've asked {SAM}" in replies[0].words
    assert [c.status for c in graph.of("install")] == [409]
    (invitation,) = chat_of(h, chat_id(sam.aad_object_id))
    assert "named you as their peer supervisor" in invitation.words
    # Asked again: nothing new is installed or sent.
    again = await name(h, worker, SAM)
    assert "You've already asked" in again[0].words and len(chat_of(h, chat_id(sam.aad_object_id))) == 1


async def test_no_such_user_gets_the_answer_an_unknown_email_gets(world):
    h, graph, worker, _ = world
    nobody = await name(h, worker, "nobody@trust.nhs.uk")
    graph.fail("find_user", 404)
    gone = await name(h, worker, "gone@trust.nhs.uk")
    for replies, email in ((nobody, "nobody@trust.nhs.uk"), (gone, "gone@trust.nhs.uk")):
        assert replies[0].words.startswith(f'I can\'t find anyone whose work email is exactly "{email}"')
    assert not graph.of("install")
    # A full name still searches only the bot's own users: the directory is never asked.
    before = len(graph.of("find_user"))
    by_name = await name(h, worker, "Sam Supervisor")
    assert "Please type their work email instead" in by_name[0].words and len(graph.of("find_user")) == before


async def test_a_missing_permission_tells_the_worker_kindly_and_shows_the_admin_the_exact_permission(
    openid,  # noqa: F811
    tmp_path,
    connector,
    graph,
    caplog,
):
    worker, sam, admin = Person.make("Alex Worker"), Person.make("Sam Supervisor"), Person.make("Ada Admin")
    graph.add_user("alex@trust.nhs.uk", worker.aad_object_id, has_app=True)
    graph.add_user(SAM, sam.aad_object_id)
    graph.roles = ("User.ReadBasic.All", "GroupMember.Read.All")  # installing was never consented
    h = await start(graph_settings(tmp_path, graph, admin), connector)
    try:
        await h.say(worker, "hi")
        with caplog.at_level(logging.WARNING, logger="bot.directory"):
            replies = await name(h, worker, SAM)
        words = replies[0].words
        assert "hasn't been given permission" in words and "Nothing was shared" in words and "admin" in words
        assert graph.of("list_installed", 403) and not graph.of("install")
        assert not chat_of(h, chat_id(sam.aad_object_id))
        assert "graph_permission_missing permission=TeamsAppInstallation.ReadWriteSelfForUser.All" in caplog.text
        assert SAM not in caplog.text and sam.aad_object_id not in caplog.text
        report = (await h.say(admin, "admin"))[-1]  # after the welcome: the admin's first message
        assert "the application permission TeamsAppInstallation.ReadWriteSelfForUser.All is missing" in report.words
    finally:
        await h.stop()


async def test_graph_throttling_is_waited_out_as_retry_after_says(world):
    h, graph, worker, _sam = world
    graph.fail("install", 429, times=1, Retry_After="3")
    replies = await name(h, worker, SAM)
    assert f"I've asked {SAM}" in replies[0].words
    assert [c.status for c in graph.of("install")] == [429, 201]
    assert 3.0 in h.sleep.waits
    # Longer than a turn may wait: the worker is asked to try again later, and nothing was shared.
    jo = Person.make("Jo Lead")
    graph.add_user("jo@trust.nhs.uk", jo.aad_object_id)
    graph.fail("install", 429, times=1, Retry_After="120")
    later = await name(h, worker, "jo@trust.nhs.uk")
    assert "couldn't reach your Trust's directory just now" in later[0].words
    assert 120.0 not in h.sleep.waits and not chat_of(h, chat_id(jo.aad_object_id))


async def test_a_group_rollout_installs_welcomes_each_once_with_a_token_expiring_mid_way_and_reports_counts(
    openid,  # noqa: F811
    tmp_path,
    connector,
    graph,
):
    admin = Person.make("Ada Admin")
    graph.add_user("ada@trust.nhs.uk", admin.aad_object_id, has_app=True)
    members = [graph.add_user(f"m{i}@trust.nhs.uk") for i in range(30)]
    for had in members[:12]:
        graph.installed.add(had)  # twelve already had it (a setup policy)
    graph.add_group(GROUP, members)
    graph.page_size = 10  # three pages, followed by @odata.nextLink
    graph.expires_in = 400  # renewed 5 minutes before expiry: after 100 seconds
    h = await start(graph_settings(tmp_path, graph, admin), connector)
    installs = 0

    async def half_way(user_id: str) -> None:
        nonlocal installs
        installs += 1
        if installs == 9:  # the token expires mid-rollout: by the clock, and Graph refuses the old one
            h.clock.advance(seconds=150)
            graph.expire_tokens()

    graph.on_install = half_way
    try:
        await h.say(admin, "hi")
        (started,) = await h.say(admin, f"admin install {GROUP.upper()}")
        assert "I'm installing Peer Wellbeing for everyone in that group" in started.words
        bot = h.app[SERVICES].bot
        await asyncio.wait_for(bot.rollouts.idle(), 30)
        assert 2 <= graph.token_requests <= 3 and graph.token_requests < len(graph.calls) // 10
        assert {c.user for c in graph.of("install", 201)} == set(members[12:])
        assert len(graph.of("install", 201)) == 18 and len(graph.of("install", 409)) == 12
        welcomes = [c for c in h.connector.sent if "private space" in c.words]
        welcomed = [c.conversation_id for c in welcomes if c.conversation_id.startswith("19:")]
        assert sorted(welcomed) == sorted(chat_id(m) for m in members)  # everyone in the group, once each
        (report,) = await h.say(admin, "admin")
        assert f"Install for group {GROUP}: finished. Installed: 18. Already had it: 12. Failed: 0." in (report.words)
        again = await h.say(admin, f"admin install {GROUP}")
        await asyncio.wait_for(bot.rollouts.idle(), 30)
        assert "I'm installing" in again[0].words and len(graph.of("install", 201)) == 18
        assert len([c for c in h.connector.sent if c.conversation_id.startswith("19:")]) == len(welcomed)
    finally:
        await h.stop()


async def test_admin_install_is_for_admins_and_needs_a_group_id(openid, tmp_path, connector, graph):  # noqa: F811
    admin, worker = Person.make("Ada Admin"), Person.make("Alex Worker")
    h = await start(graph_settings(tmp_path, graph, admin), connector)
    try:
        stranger = await h.say(worker, f"admin install {GROUP}")
        assert not any("I'm installing" in c.words for c in stranger) and not graph.of("members")
        replies = await h.say(admin, "admin install everyone")
        assert "the group's Object ID from Entra" in replies[-1].words
    finally:
        await h.stop()


async def test_the_admin_report_names_a_permission_the_token_lacks_before_anyone_is_refused(
    openid,  # noqa: F811
    tmp_path,
    connector,
    graph,
):
    admin = Person.make("Ada Admin")
    graph.roles = ("User.ReadBasic.All", "TeamsAppInstallation.ReadWriteSelfForUser.All")
    h = await start(graph_settings(tmp_path, graph, admin), connector)
    try:
        for _ in range(50):  # the start-up check runs beside serving
            if h.app[SERVICES].bot.invitations.status.missing:
                break
            await asyncio.sleep(0.02)
        report = (await h.say(admin, "admin"))[-1]  # after the welcome: the admin's first message
        assert "Microsoft Graph: on" in report.words
        assert "the application permission GroupMember.Read.All is missing" in report.words
        assert "User.ReadBasic.All is missing" not in report.words
    finally:
        await h.stop()
