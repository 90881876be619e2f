"""Shared fixtures: settings on a temporary data folder, the fake connector, the real app on loopback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.teams.messenger import SendLimits
from tests.fake_connector import FakeConnector
from tests.pg_server import ThrowawayPostgres
from tests.teams import Person, message

ROOT = Path(__file__).resolve().parent.parent
UTC = dt.UTC
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 09:00 in London (GMT)


@pytest.fixture(params=["botbuilder", "agents"])
def sdk(request) -> str:
    """Each SDK's channel in turn (BOT_SDK): every end-to-end test runs on both."""
    return request.param


@pytest.fixture
def settings(tmp_path: Path, sdk: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", bot_sdk=sdk)


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL server for the whole run (each test gets a database of its own)."""
    server = ThrowawayPostgres().start()
    yield server
    server.stop()


@pytest.fixture
async def database_url(postgres) -> str:
    return await postgres.new_database()


@pytest.fixture(params=["tinydb", "postgresql"])
async def engine_settings(request, tmp_path: Path, sdk: str) -> Settings:
    """Settings on each storage engine in turn (the embedded files, then PostgreSQL), on each channel."""
    if request.param == "tinydb":
        return Settings(data_dir=tmp_path / "data", bot_sdk=sdk)
    url = await request.getfixturevalue("postgres").new_database()
    return Settings(data_dir=tmp_path / "data", database_url=url, bot_sdk=sdk)


@pytest.fixture
async def connector():
    fake = await FakeConnector().start()
    yield fake
    await fake.close()
    problems = fake.card_problems()
    assert not problems, f"cards Teams would not render as declared, or with unnamed inputs: {problems}"


class BotHarness:
    """The real aiohttp app on loopback, talking to the fake connector."""

    def __init__(self, settings: Settings, connector: FakeConnector, server_kwargs: dict | None = None, **app_kwargs):
        self.settings = settings
        self.connector = connector
        self.app_kwargs = app_kwargs
        self.server_kwargs = server_kwargs or {}
        self.client: TestClient | None = None

    async def start(self) -> BotHarness:
        app = create_app(self.settings, **{"watch_content": False, **self.app_kwargs})
        server = TestServer(app, host="127.0.0.1")
        await server.start_server(**self.server_kwargs)  # runner options (timeouts) go here, not to TestServer()
        self.client = TestClient(server)
        await self.client.start_server()
        return self

    async def stop(self) -> None:
        await self.client.close()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def app(self):
        return self.client.server.app

    async def post(self, body, headers=None):
        return await self.client.post("/api/messages", json=body, headers=headers or {})

    async def say(self, person: Person, text: str) -> list:
        """Send a message and return what the connector received during that turn."""
        before = len(self.connector.sent)
        response = await self.post(message(person, self.connector.url, text))
        assert response.status == 201, await response.text()
        return self.connector.sent[before:]

    async def send(self, body: dict) -> list:
        before = len(self.connector.sent)
        response = await self.post(body)
        assert response.status in (200, 201), await response.text()
        return self.connector.sent[before:]


@pytest.fixture
async def bot(settings, connector):
    harness = await BotHarness(settings, connector).start()
    yield harness
    await harness.stop()


@pytest.fixture
def worker() -> Person:
    return Person.make("Alex Example")


def replace_settings(settings: Settings, **changes) -> Settings:
    """A copy with some settings changed (not checked again, as a test may want a setting a start would refuse)."""
    return settings.model_copy(update=changes)


class FakeSleep:
    """Records every wait and moves the clock on instead of sleeping."""

    def __init__(self, clock: FixedClock):
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds=seconds)


async def started(settings: Settings, connector: FakeConnector, kind: type[BotHarness] = BotHarness, **options: Any):
    """A harness on a fixed clock that sleeps by moving the clock, with Teams' limits lifted and the timed
    work ticked by the test itself. `options` go to the harness (credentials, for example)."""
    clock = FixedClock(START)
    sleep = FakeSleep(clock)
    h = await kind(
        settings,
        connector,
        clock=clock,
        run_scheduler=False,
        sleep=sleep,
        send_limits=SendLimits(per_tenant_per_second=1000, per_conversation_per_second=1000),
        **options,
    ).start()
    h.clock, h.sleep = clock, sleep
    return h


@pytest.fixture
async def harness(settings, connector):
    h = await started(settings, connector)
    yield h
    await h.stop()


@pytest.fixture
async def pair(harness):
    """A worker and the supervisor they will name, both with the bot installed."""
    worker, supervisor = Person.make("Alex Worker"), Person.make("Sam Supervisor")
    harness.connector.members[supervisor.user_id] = {"name": supervisor.name, "email": "sam@trust.nhs.uk"}
    await harness.say(supervisor, "hi")
    await harness.say(worker, "hi")
    return harness, worker, supervisor
