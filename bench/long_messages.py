"""Very long and pathological messages through the real endpoint: what one costs its sender against an
ordinary message, and how long /healthz waits while one is read (ratios against the same run's quiet figures).

The crisis guard reads every word of a message in slices with the event loop free between them, so a long
message costs its sender a little and everyone else almost nothing. These were timed assertions in
tests/test_availability_e2e.py; a shared machine's load made them flaky, so they are measured here.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.config import Settings
from tests.fake_connector import FakeConnector
from tests.teams import Person, message

PATHOLOGICAL = {
    "spaces (28,000)": "hi" + " " * 28_000 + "x",
    "commas (40,000 characters)": "3" + " ," * 20_000 + "x",
    "one word 12,000 times": "word " * 12_000,
    "18-character sentences (216,000 characters)": "I had a long day. " * 12_000,
}


async def _timed(client: TestClient, body: dict) -> float:
    started = time.perf_counter()
    response = await client.post("/api/messages", json=body)
    assert response.status in (200, 201, 202), response.status
    return time.perf_counter() - started


async def _healthz(client: TestClient) -> float:
    started = time.perf_counter()
    response = await client.get("/healthz")
    assert response.status == 200, response.status
    return time.perf_counter() - started


async def measure() -> None:
    connector = await FakeConnector().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app(Settings(data_dir=Path(tmp)), watch_content=False)
            client = TestClient(TestServer(app, host="127.0.0.1"))
            await client.start_server()
            try:
                worker = Person.make("Long Writer")
                url = connector.url
                await _timed(client, message(worker, url, "hi"))  # welcome
                ordinary = statistics.median([await _timed(client, message(worker, url, "hello")) for _ in range(7)])
                print(f"Long messages through POST /api/messages (an ordinary message: {ordinary * 1000:.1f} ms)")
                for name, text in PATHOLOGICAL.items():
                    took = min([await _timed(client, message(worker, url, text)) for _ in range(3)])
                    print(f"  {name:46} {took * 1000:8.1f} ms  ({took / ordinary:5.1f}x an ordinary message)")
                quiet = statistics.median([await _healthz(client) for _ in range(7)])
                waits = []
                for _ in range(3):
                    turn = asyncio.create_task(
                        _timed(client, message(worker, url, PATHOLOGICAL[list(PATHOLOGICAL)[-1]]))
                    )
                    await asyncio.sleep(0.01)
                    waits.append(await _healthz(client))
                    assert not turn.done(), "the long message was read before /healthz was asked"
                    await turn
                wait = statistics.median(waits)
                print(
                    f"  /healthz while the 216,000-character message is read: {wait * 1000:.1f} ms "
                    f"({wait / quiet:.1f}x a quiet /healthz, {quiet * 1000:.2f} ms; median of 3)"
                )
            finally:
                await client.close()
    finally:
        await connector.close()


async def run() -> None:
    await measure()


if __name__ == "__main__":
    asyncio.run(run())
