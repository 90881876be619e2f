"""PostgreSQL (a throwaway server started here): the turn cost against the embedded TinyDB default, turn
throughput of two bot processes against one on the same machine, and a fan-out of due check-ins across
two processes at Teams' pace (0 lost, 0 duplicated is the goal)."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

from app import create_app
from bot.config import Settings
from tests.fake_connector import FakeConnector
from tests.instances import seed, start_bot
from tests.pg_server import ThrowawayPostgres, free_port
from tests.teams import Person, message

from .fanout import LimitedConnector
from .stats import ms
from .turns import measure


async def turn_cost(postgres: ThrowawayPostgres, rounds: int = 3) -> None:
    """Rounds alternate between the engines (this machine is noisy): the figures are medians of rounds."""
    connector = await FakeConnector().start()
    try:
        print("\nTurn cost on PostgreSQL vs the TinyDB default ('help' through the real endpoint)")
        for concurrency, turns in ((1, 200), (50, 600)):
            results: dict[str, list[dict]] = {"tinydb": [], "postgresql": []}
            for _ in range(rounds):
                with tempfile.TemporaryDirectory() as tmp:
                    for engine, url in (("tinydb", ""), ("postgresql", await postgres.new_database())):
                        settings = Settings(data_dir=Path(tmp) / engine, database_url=url)
                        app = create_app(settings, watch_content=False)
                        results[engine].append(await measure(app, connector, concurrency, turns))
            tiny, pg = ({k: statistics.median(r[k] for r in results[e]) for k in results[e][0]} for e in results)
            print(
                f"  concurrency {concurrency:>2}: TinyDB median {ms(tiny['median'])}, PostgreSQL {ms(pg['median'])} "
                f"= {pg['median'] / tiny['median']:.2f}x (p99 {pg['p99'] / tiny['p99']:.2f}x, throughput "
                f"{tiny['tps'] / pg['tps']:.2f}x cost; goal: within 1.5x; medians of {rounds} alternating rounds)"
            )
    finally:
        await connector.close()


async def _throughput(ports: list[int], connector_url: str, turns: int, concurrency: int) -> float:
    people = [Person.make(f"T{i}") for i in range(concurrency)]
    async with aiohttp.ClientSession() as session:

        async def say(person: Person, port: int) -> None:
            url = f"http://127.0.0.1:{port}/api/messages"
            async with session.post(url, json=message(person, connector_url, "help")) as response:
                assert response.status == 201, response.status

        for i, person in enumerate(people):  # the welcome, once each
            await say(person, ports[i % len(ports)])
        queue = list(range(turns))
        started = time.perf_counter()

        async def worker(i: int) -> None:
            n = i
            while queue:
                queue.pop()
                await say(people[i], ports[n % len(ports)])  # round robin, as a load balancer would
                n += 1

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        return turns / (time.perf_counter() - started)


async def two_processes(postgres: ThrowawayPostgres) -> None:
    connector = await FakeConnector().start()
    print("\nTwo bot processes vs one on the same machine (2 cores, driver included), PostgreSQL, 'help' turns")
    rates = {}
    try:
        for count in (1, 2):
            url = await postgres.new_database()
            with tempfile.TemporaryDirectory() as tmp:
                ports = [free_port() for _ in range(count)]
                bots = [
                    await start_bot(url, Path(tmp) / str(n), port, TICK_SECONDS="60") for n, port in enumerate(ports)
                ]
                try:
                    rates[count] = await _throughput(ports, connector.url, 1500, 40)
                finally:
                    for bot in bots:
                        bot.kill()
                        await bot.wait()
            print(f"  {count} process(es): {rates[count]:.0f} turns/s")
        print(f"  two / one: {rates[2] / rates[1]:.2f}x the throughput")
    finally:
        await connector.close()


async def fanout(postgres: ThrowawayPostgres, count: int) -> None:
    print(f"\nFan-out on PostgreSQL: {count:,} workers due at once, two bot processes, Teams' limits enforced")
    connector = LimitedConnector(True, 0.05, 0.01)
    await connector.server.start_server()
    ceiling = 40
    url = await postgres.new_database()
    await seed(url, str(connector.server.make_url("/")), count)
    with tempfile.TemporaryDirectory() as tmp:
        booted = time.perf_counter()
        bots = [await start_bot(url, Path(tmp) / str(n), free_port(), SEND_PER_SECOND=str(ceiling)) for n in range(2)]
        print(f"  both processes started in {time.perf_counter() - booted:.1f} s (the first builds the due index)")
        try:
            started = None
            while len(connector.delivered) < count and time.perf_counter() - booted < count / ceiling * 3 + 180:
                if started is None and connector.delivered:
                    started = time.perf_counter()
                await asyncio.sleep(0.2)
            elapsed = time.perf_counter() - (started or booted)
            await asyncio.sleep(3)  # a few more ticks: anything repeated would show now
        finally:
            for bot in bots:
                bot.kill()
                await bot.wait()
    await connector.server.close()
    delivered = Counter(connector.delivered)
    duplicates = sum(n - 1 for n in delivered.values() if n > 1)
    print(
        f"  delivered {len(delivered):,}, duplicated {duplicates}, lost {count - len(delivered)}, in {elapsed:.0f} s; "
        f"connector answers {dict(connector.answers)}"
    )
    print(f"  rate {len(delivered) / elapsed:.1f}/s = {len(delivered) / elapsed / ceiling:.2f}x the shared ceiling")


async def run() -> None:
    postgres = ThrowawayPostgres().start()
    try:
        await turn_cost(postgres)
        await two_processes(postgres)
        await fanout(postgres, int(os.environ.get("BENCH_PG_FANOUT", "10000")))
    finally:
        postgres.stop()
