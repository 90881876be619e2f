"""Fan-out: many workers due in the same minute, sent through the real app to a fake connector that
enforces Teams' rate limits and injects faults. Reports delivered, duplicates, lost, the achieved
rate against the configured ceiling, and the longest event-loop stall; then the raw rate with every
limit lifted, to show the bot is not the bottleneck."""
from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time
from collections import Counter, deque
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

from app import create_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.messenger import SendLimits
from bot.repositories import WorkerContact
from bot.web import SERVICES

from .loop_monitor import LoopMonitor

UTC = dt.timezone.utc
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
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self.handle)
        self.server = TestServer(app, host="127.0.0.1")

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        cid = request.match_info["cid"]
        now = time.monotonic()
        status = 201
        if self.limited and (self._over(self.window, now, TEAMS_TENANT_PER_SECOND)
                             or self._over(self.per_conversation.setdefault(cid, deque()), now,
                                           TEAMS_CONVERSATION_PER_SECOND)):
            status = 429
        elif self.rng.random() < self.fault_429:
            status = 429
        elif self.rng.random() < self.fault_503:
            status = 503
        self.answers[status] += 1
        if status != 201:
            return web.json_response({"error": {"code": "Throttled"}}, status=status, headers={"Retry-After": "1"}
                                     if status == 429 else {})
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
    workers, checkins = services.bot._workers, services.bot.checkins
    for i in range(count):
        reference = {"activityId": None, "user": {"id": f"29:u{i}"}, "bot": {"id": "28:bot"},
                     "conversation": {"id": f"a:c{i}", "conversationType": "personal"},
                     "channelId": "msteams", "serviceUrl": service_url}
        contact = WorkerContact(f"29:u{i}", f"{i:08d}-0000-0000-0000-000000000000", "tenant",
                                f"a:c{i}", service_url, f"Worker {i}", lambda r=reference: r)
        worker = await workers.remember(contact, START)
        await checkins.schedule_for(worker.pid)


async def run_one(count: int, limited: bool, limits: SendLimits) -> dict:
    connector = LimitedConnector(limited, 0.05 if limited else 0.0, 0.01 if limited else 0.0)
    await connector.server.start_server()
    clock = DueClock(START)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        seeding = TestServer(create_app(settings, clock=clock, watch_content=False, run_scheduler=False), host="127.0.0.1")
        await seeding.start_server()
        await _seed(seeding.app[SERVICES], count, str(connector.server.make_url("/")))
        await seeding.close()
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
            report = await services.bot.checkins.send_due(DUE)
        elapsed = time.perf_counter() - started
        await server.close()
    await connector.server.close()
    delivered = len(connector.delivered)
    return {"delivered": delivered, "duplicates": sum(n - 1 for n in connector.delivered.values() if n > 1),
            "lost": count - delivered, "rate": delivered / elapsed, "elapsed": elapsed, "stall": monitor.longest,
            "answers": dict(connector.answers), "report": report, "startup": startup}


async def run() -> None:
    count = int(os.environ.get("BENCH_FANOUT_WORKERS", "10000"))
    ceiling = 40.0  # the messenger's configured ceiling, under Teams' 50 a second per tenant
    print(f"\nFan-out: {count:,} workers due in the same minute (Teams limits enforced, 5% 429, 1% 503)")
    limited = await run_one(count, True, SendLimits(per_tenant_per_second=ceiling, concurrency=16))
    print(f"  start-up with {count:,} workers (load all, rebuild the due index): {limited['startup']:.1f} s")
    print(f"  delivered {limited['delivered']:,}, duplicates {limited['duplicates']}, lost {limited['lost']}, "
          f"in {limited['elapsed']:.0f} s; connector answers {limited['answers']}")
    print(f"  achieved rate {limited['rate']:.1f}/s = {limited['rate'] / ceiling:.2f}x the configured ceiling "
          f"({ceiling:.0f}/s); longest event-loop stall {limited['stall'] * 1000:.1f} ms")
    raw = await run_one(count, False, SendLimits(per_tenant_per_second=100_000, per_conversation_per_second=100_000,
                                                  concurrency=64))
    print(f"  limits lifted: {raw['rate']:.0f}/s = {raw['rate'] / ceiling:.1f}x the ceiling "
          f"(delivered {raw['delivered']:,}, lost {raw['lost']}, longest stall {raw['stall'] * 1000:.1f} ms)")
