"""Shared fixtures: settings on a temporary data folder, the fake connector, the real app on loopback."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.config import Settings
from tests.fake_connector import FakeConnector
from tests.teams import Person, message

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
async def connector():
    fake = await FakeConnector().start()
    yield fake
    await fake.close()


class BotHarness:
    """The real aiohttp app on loopback, talking to the fake connector."""

    def __init__(self, settings: Settings, connector: FakeConnector, server_kwargs: dict | None = None, **app_kwargs):
        self.settings = settings
        self.connector = connector
        self.app_kwargs = app_kwargs
        self.server_kwargs = server_kwargs or {}
        self.client: TestClient | None = None

    async def start(self) -> "BotHarness":
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
    return dataclasses.replace(settings, **changes)
