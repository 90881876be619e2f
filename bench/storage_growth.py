"""Storage growth: one worker's write with 1,000 and with 100,000 check-in records already stored."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bot.records.checkins import CheckinRecord, CheckinRepository
from bot.records.workers import Pseudonyms
from bot.storage import TinyStore

from .loop_monitor import LoopMonitor
from .stats import ms, summary

PER_WORKER = 100
WRITES = 150


async def _seed(repo: CheckinRepository, pids: list[str]) -> None:
    batch = [
        CheckinRecord(date=f"2026-{1 + i % 12:02d}-01", instrument="who5", total=i % 26) for i in range(PER_WORKER)
    ]
    for pid in pids:
        await repo.add_many(pid, batch)


async def measure(total_records: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        store = TinyStore(Path(tmp))
        await store.open()
        pseudonyms = await Pseudonyms.load(store)
        pids = [pseudonyms.for_user("t", str(i)) for i in range(total_records // PER_WORKER)]
        repo = CheckinRepository(store)
        await _seed(repo, pids)
        target = pids[len(pids) // 2]
        samples = []
        async with LoopMonitor() as monitor:
            for i in range(WRITES):
                start = time.perf_counter()
                await repo.add(target, CheckinRecord(date="2026-11-25", instrument="who5", total=i % 26))
                samples.append(time.perf_counter() - start)
        await store.close()
        return {**summary(samples), "stall": monitor.longest}


async def run() -> None:
    print("\nStorage growth: one worker's check-in write (atomic replace + fsync), by records already stored")
    small = await measure(1_000)
    large = await measure(100_000)
    for label, r in (("1,000", small), ("100,000", large)):
        print(f"{label:>10} records: median {ms(r['median'])}, p99 {ms(r['p99'])}, longest loop stall {ms(r['stall'])}")
    print(
        f"ratio 100,000 / 1,000: median {large['median'] / small['median']:.2f}x, "
        f"p99 {large['p99'] / small['p99']:.2f}x (goal: under 2, flat)"
    )
