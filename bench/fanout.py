"""Fan-out: many workers due in the same minute, sent through the real app to a fake connector that
enforces Teams' rate limits and injects faults. Reports delivered, duplicates, lost, the achieved
rate against the configured ceiling, and the longest event-loop stall; then the raw rate with every
limit lifted, to show the bot is not the bottleneck."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections import Counter, deque
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.teams.messenger import SendLimits
from bot.teams.web import SERVICES
from tests.instances import seeded_contact
from tests.teams import Person, message

from .loop_monitor import LoopMonitor

UTC = dt.UTC
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DUE = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TEAMS_TENANT_PER_SECOND = 50
TEAMS_CONVERSATION_PER_SECOND = 7


class DueClock(FixedClock):
    """Wall time fixed at the due minute; real monotonic time, because the messenger really sleeps here."""

    def monotonic(self) -> float:
        return time.monotonic()


class LimitedConnector:
    """Answers like the Bot Connector: 429 past the limits, plus random 429s and 503s."""

    def __init__(self, limited: bool, fault_429: float, fault_503: float, seed: int = 7):
        self.limited = limited
        self.fault_429, self.fault_503 = fault_429, fault_503
        self.rng = random.Random(seed)
        self.window: deque[float] = deque()
        self.per_conversation: dict[str, deque[float]] = {}
        self.delivered: Counter[str] = Counter()
        self.answers: Counter[int] = Counter()
        self.hanging: set[str] = set()  # conversations that never answer (a stuck chat)
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self.handle)
        self.server = TestServer(app, host="127.0.0.1")

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        cid = request.match_info["cid"]
        if cid in self.hanging:
            await asyncio.sleep(3600)
        now = time.monotonic()
        status = 201
        if self.limited and (
            self._over(self.window, now, TEAMS_TENANT_PER_SECOND)
            or self._over(self.per_conversation.setdefault(cid, deque()), now, TEAMS_CONVERSATION_PER_SECOND)
        ):
            status = 429
        elif self.rng.random() < self.fault_429:
            status = 429
        elif self.rng.random() < self.fault_503:
            status = 503
        self.answers[status] += 1
        if status != 201:
            return web.json_response(
                {"error": {"code": "Throttled"}}, status=status, headers={"Retry-After": "1"} if status == 429 else {}
            )
        self.window.append(now)
        self.per_conversation.setdefault(cid, deque()).append(now)
        self.delivered[cid] += 1
        return web.json_response({"id": f"a{sum(self.delivered.values())}"}, status=201)

    @staticmethod
    def _over(window: deque[float], now: float, limit: int) -> bool:
        while window and now - window[0] >= 1.0:
            window.popleft()
        return len(window) >= limit


async def _seed(services, count: int, service_url: str) -> None:
    workers, schedules = services.bot.records.workers, services.bot.schedules
    for i in range(count):
        contact = seeded_contact(i, service_url)
        worker = await workers.remember(contact, START)
        await schedules.of(worker.pid)


async def _seeded(settings: Settings, clock: DueClock, count: int, url: str) -> None:
    """Store `count` workers with the default schedule, through the real app, then stop it."""
    seeding = TestServer(create_app(settings, clock=clock, watch_content=False, run_scheduler=False), host="127.0.0.1")
    await seeding.start_server()
    await _seed(seeding.app[SERVICES], count, url)
    await seeding.close()


async def run_one(count: int, limited: bool, limits: SendLimits) -> dict:
    connector = LimitedConnector(limited, 0.05 if limited else 0.0, 0.01 if limited else 0.0)
    await connector.server.start_server()
    clock = DueClock(START)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        await _seeded(settings, clock, count, str(connector.server.make_url("/")))
        # A fresh start, as in production: start-up reads every worker and rebuilds the due index.
        clock._now = DUE
        booted = time.perf_counter()
        app = create_app(settings, clock=clock, watch_content=False, run_scheduler=False, send_limits=limits)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        startup = time.perf_counter() - booted
        services = app[SERVICES]
        started = time.perf_counter()
        async with LoopMonitor() as monitor:
            report = await services.bot.prompting.send_due(DUE)
        elapsed = time.perf_counter() - started
        await server.close()
    await connector.server.close()
    delivered = len(connector.delivered)
    return {
        "delivered": delivered,
        "duplicates": sum(n - 1 for n in connector.delivered.values() if n > 1),
        "lost": count - delivered,
        "rate": delivered / elapsed,
        "elapsed": elapsed,
        "stall": monitor.longest,
        "answers": dict(connector.answers),
        "report": report,
        "startup": startup,
    }


async def _turn_latency(client: TestClient, person: Person, url: str) -> float:
    started = time.perf_counter()
    response = await client.post("/api/messages", json=message(person, url, "help"))
    assert response.status == 201, response.status
    return time.perf_counter() - started


async def run_hanging(count: int) -> dict:
    """Fan-out at Teams' pace with every tenth chat stuck: the loop's longest stall, and a worker's
    turn latency meanwhile against the same bot idle."""
    connector = LimitedConnector(False, 0.0, 0.0)
    connector.hanging = {f"a:c{i}" for i in range(0, count, 10)}
    await connector.server.start_server()
    url = str(connector.server.make_url("/"))
    clock = DueClock(START)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        await _seeded(settings, clock, count, url)
        clock._now = DUE
        app = create_app(
            settings,
            clock=clock,
            watch_content=False,
            run_scheduler=False,
            send_limits=SendLimits(per_tenant_per_second=40, concurrency=16),
            send_timeout=aiohttp.ClientTimeout(total=5),
        )
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        person = Person.make("Responsive Worker")
        await _turn_latency(client, person, url)  # the welcome
        idle = [await _turn_latency(client, person, url) for _ in range(30)]
        busy: list[float] = []
        async with LoopMonitor() as monitor:
            fanout = asyncio.create_task(app[SERVICES].bot.prompting.send_due(DUE))
            while not fanout.done():
                busy.append(await _turn_latency(client, person, url))
                await asyncio.sleep(0.2)
            await fanout
        await client.close()
    await connector.server.close()
    return {
        "stall": monitor.longest,
        "idle": statistics.median(idle),
        "busy": statistics.median(busy),
        "busy_p95": sorted(busy)[int(0.95 * (len(busy) - 1))],
        "turns": len(busy),
        "delivered": len(connector.delivered),
        "hanging": len(connector.hanging),
    }


async def run() -> None:
    count = int(os.environ.get("BENCH_FANOUT_WORKERS", "10000"))
    ceiling = 40.0  # the messenger's configured ceiling, under Teams' 50 a second per tenant
    print(f"\nFan-out: {count:,} workers due in the same minute (Teams limits enforced, 5% 429, 1% 503)")
    limited = await run_one(count, True, SendLimits(per_tenant_per_second=ceiling, concurrency=16))
    print(f"  start-up with {count:,} workers (load all, rebuild the due index): {limited['startup']:.1f} s")
    print(
        f"  delivered {limited['delivered']:,}, duplicates {limited['duplicates']}, lost {limited['lost']}, "
        f"in {limited['elapsed']:.0f} s; connector answers {limited['answers']}"
    )
    print(
        f"  achieved rate {limited['rate']:.1f}/s = {limited['rate'] / ceiling:.2f}x the configured ceiling "
        f"({ceiling:.0f}/s); longest event-loop stall {limited['stall'] * 1000:.1f} ms"
    )
    raw = await run_one(
        count, False, SendLimits(per_tenant_per_second=100_000, per_conversation_per_second=100_000, concurrency=64)
    )
    print(
        f"  limits lifted: {raw['rate']:.0f}/s = {raw['rate'] / ceiling:.1f}x the ceiling "
        f"(delivered {raw['delivered']:,}, lost {raw['lost']}, longest stall {raw['stall'] * 1000:.1f} ms)"
    )
    hang_count = int(os.environ.get("BENCH_HANGING_WORKERS", "1000"))
    print(f"\nFan-out with stuck chats: {hang_count:,} workers due, every tenth chat never answers")
    stuck = await run_hanging(hang_count)
    print(
        f"  delivered {stuck['delivered']:,} (plus {stuck['hanging']} stuck, each given up after its timeout); "
        f"longest event-loop stall {stuck['stall'] * 1000:.1f} ms (goal: under 50 ms)"
    )
    print(
        f"  a worker's turn meanwhile: median {stuck['busy'] * 1000:.1f} ms (p95 {stuck['busy_p95'] * 1000:.1f} ms, "
        f"{stuck['turns']} turns) vs idle {stuck['idle'] * 1000:.1f} ms = {stuck['busy'] / stuck['idle']:.2f}x "
        "(goal: within 1.5x)"
    )
