"""Real bot processes for trials and benchmarks: workers seeded straight into a PostgreSQL database with a
check-in due now, and `app.py` started as a separate process on it."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from functools import partial
from pathlib import Path

from bot.records import Records
from bot.records.workers import WorkerContact
from bot.rules import new_schedule
from bot.storage.postgres import PostgresStore

ROOT = Path(__file__).resolve().parent.parent


def seeded_contact(i: int, service_url: str) -> WorkerContact:
    """Worker number `i`, in chat `a:c<i>`, reached at `service_url`."""
    reference = {
        "user": {"id": f"29:u{i}"},
        "bot": {"id": "28:bot"},
        "conversation": {"id": f"a:c{i}", "conversationType": "personal"},
        "channelId": "msteams",
        "serviceUrl": service_url,
    }
    return WorkerContact(f"29:u{i}", f"aad-{i}", "tenant", f"a:c{i}", service_url, f"W {i}", partial(dict, reference))


async def seed(url: str, service_url: str, count: int) -> None:
    """`count` workers whose weekly check-in fell due a minute ago (UTC, no quiet hours)."""
    store = PostgresStore(url)
    await store.open()
    records = await Records.open(store)
    now = dt.datetime.now(dt.UTC)
    slot = now - dt.timedelta(minutes=1)
    schedule = new_schedule(
        now - dt.timedelta(minutes=10),
        frequency="weekly",
        day=slot.weekday(),
        time=slot.strftime("%H:%M"),
        timezone="UTC",
        quiet_start="00:00",
        quiet_end="00:00",
        quiet_weekends=False,
    )

    async def one(i: int) -> None:
        worker = await records.workers.remember(seeded_contact(i, service_url), now)
        await records.workers.set_welcomed(worker.pid, True)
        await records.schedules.save(worker.pid, schedule)

    for start in range(0, count, 50):
        await asyncio.gather(*(one(i) for i in range(start, min(start + 50, count))))
    await store.close()


async def listening(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    """A Python script (`app.py`, or a test's own bot) started as its own process; returns once it prints
    that it listens."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    assert b"listening" in line, line
    return proc


async def wait_for(condition, seconds: float) -> bool:
    """Whether `condition()` comes true within `seconds`, checked every 50 ms."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def start_bot(url: str, data_dir, port: int, **settings: str) -> asyncio.subprocess.Process:
    """`app.py` on the database, ticking every second; returns once it listens."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
        "TICK_SECONDS": "1",
        "SEND_PER_SECOND": "200",
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    return await listening(str(ROOT / "app.py"), env=env)
