"""Turn cost: our message turn through the real endpoint vs a minimal echo bot on the same adapter."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import ActivityHandler, CardFactory, MessageFactory, TurnContext

from app import create_app
from bot.cards.help import help_card as build_help_card
from bot.config import Settings
from bot.content import load_content
from bot.storage.local import RecentIds
from bot.teams.channel import Channel
from bot.teams.web import SERVICES, Services, add_routes
from tests.fake_connector import FakeConnector
from tests.teams import Person, message

from .stats import ms, summary


class EchoBot(ActivityHandler):
    """Replies with the text it got, or with a fixed card (the same size as ours) when given one."""

    def __init__(self, card: dict | None = None):
        self._card = card

    async def on_message_activity(self, turn_context: TurnContext):
        if self._card is None:
            await turn_context.send_activity(turn_context.activity.text)
        else:
            await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(self._card)))


def echo_app(settings: Settings, card: dict | None = None) -> web.Application:
    """A minimal echo bot on the same adapter and endpoint as ours: no storage, content or dialogs."""
    app = web.Application(client_max_size=settings.max_body_bytes)
    add_routes(app)
    channel = Channel(settings, first_time=RecentIds().first_time_async)
    # Only the channel and handler are used by POST /api/messages.
    app[SERVICES] = Services(channel=channel, handler=EchoBot(card), bot=None, messenger=None, store=None)  # type: ignore[arg-type]

    async def close(_app: web.Application) -> None:
        await channel.close()

    app.on_cleanup.append(close)
    return app


async def _drive(client: TestClient, url: str, people: list[Person], turns: int, concurrency: int) -> dict:
    latencies: list[float] = []
    queue = list(range(turns))

    async def worker(person: Person) -> None:
        while queue:
            queue.pop()
            start = time.perf_counter()
            response = await client.post("/api/messages", json=message(person, url, "help"))
            assert response.status == 201, response.status
            latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    await asyncio.gather(*(worker(people[i]) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {**summary(latencies), "tps": len(latencies) / elapsed}


async def measure(app: web.Application, connector: FakeConnector, concurrency: int, turns: int) -> dict:
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        people = [Person.make(f"P{i}") for i in range(concurrency)]
        await _drive(client, connector.url, people, concurrency * 2, concurrency)  # warm up, welcome everyone
        return await _drive(client, connector.url, people, turns, concurrency)
    finally:
        await client.close()


async def run() -> None:
    connector = await FakeConnector().start()
    try:
        print("Turn cost: 'help' through POST /api/messages -> CloudAdapter -> fake connector (loopback)")
        print(f"{'concurrency':>12} {'bot':>5} {'median':>10} {'p99':>10} {'turns/s':>9}")
        help_card = build_help_card(load_content())
        for concurrency, turns in ((1, 300), (50, 1000)):
            with tempfile.TemporaryDirectory() as tmp:
                settings = Settings(data_dir=Path(tmp))
                ours = await measure(create_app(settings, watch_content=False), connector, concurrency, turns)
            echo = await measure(echo_app(Settings()), connector, concurrency, turns)
            same = await measure(echo_app(Settings(), help_card), connector, concurrency, turns)
            for name, r in (("echo", echo), ("card", same), ("ours", ours)):
                print(f"{concurrency:>12} {name:>5} {ms(r['median']):>10} {ms(r['p99']):>10} {r['tps']:>9.0f}")
            for name, base in (("echo (text)", echo), ("echo (same card)", same)):
                print(
                    f"{'':>12} ours / {name}: median {ours['median'] / base['median']:.2f}x, "
                    f"p99 {ours['p99'] / base['p99']:.2f}x, throughput {base['tps'] / ours['tps']:.2f}x cost"
                )
        print(
            "(goal: within 1.5x. 'echo (same card)' replies with our help card, so its ratio is the cost of\n"
            " our own routing, storage and state; 'echo (text)' also includes the SDK serialising the card.)"
        )
    finally:
        await connector.close()
