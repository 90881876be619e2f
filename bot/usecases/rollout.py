"""`admin install GROUP-ID`: install the app for every member of an Entra group, for Trusts that prefer that
to Teams setup policies. Paced (the directory's pace for Graph, the messenger's for the welcomes), reported
in counts only (installed, already had it, failed), and resumable: a rollout whose process stopped, however
it stopped, is taken over at the next minute's tick (or at start-up) and carries on where it was.

Nobody is installed for twice and nobody is welcomed twice:
- each person's own record says how far the rollout got with them (`Worker.rollout`: installing, then
  installed, had or failed); a person already done is skipped when the group is listed again, and a 409
  for someone the rollout had started on ("installing") counts as installed by it;
- the welcome the install event would bring is held back (`welcome_held`); the rollout sends it itself,
  paced like check-ins, and the hold is cleared just before the welcome first reaches Teams, so a process
  that stops mid-send never sends it again (the person is welcomed on their first message instead, if it
  never arrived). Someone who writes to the bot first is welcomed then, and not again by the rollout.

Nothing read from the directory is kept but each member's Entra object id, in their own record, where a
person's record keeps it anyway.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Literal

from ..clock import Clock
from ..records.rollouts import Rollout, RolloutRecords, finished
from ..records.workers import Worker, WorkerRepository
from ..rules import Schedule
from .directory import Directory, DirectoryRefused, DirectoryStatus, DirectoryUnavailable, chat_reference
from .outcome import Outcome
from .ports import Notice, Notices, Processes

log = logging.getLogger("bot.rollout")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
Started = Literal["started", "running", "bad_group", "off"]
Member = Literal["installed", "had", "failed", "done"]
# The welcome a person gets when the app arrives (the welcome card, with their schedule), sent by the bot
# itself to someone a rollout installed it for.
WELCOME = Notice("welcome", card="welcome")


class Rollouts:
    def __init__(
        self,
        *,
        directory: Directory | None,
        status: DirectoryStatus | None,
        records: RolloutRecords,
        workers: WorkerRepository,
        schedule_of: Callable[[str], Awaitable[Schedule]],
        notices: Notices,
        clock: Clock,
        processes: Processes | None = None,
        concurrency: int = 4,
    ):
        self._directory = directory
        self._status = status
        self._records = records
        self._workers = workers
        self._schedule_of = schedule_of  # the worker's schedule, the default one made now (as a welcome does)
        self._notices = notices
        self._clock = clock
        self._processes = processes or Processes()
        self._concurrency = concurrency
        self._tasks: dict[str, asyncio.Task] = {}

    @property
    def enabled(self) -> bool:
        return self._directory is not None

    async def start(self, admin_pid: str, group_id: str) -> Outcome[Started]:
        """Begin installing the app for every member of a group (an admin's command)."""
        group = group_id.strip().lower()
        if self._directory is None:
            return Outcome("off")
        if not GUID.match(group):
            return Outcome("bad_group")
        rollout = Rollout(group, "running", admin_pid, self._processes.me, self._clock.now().isoformat())
        if await self._records.start(rollout) is None:
            return Outcome("running")
        log.info("rollout_started")
        self._spawn(group)
        return Outcome("started")

    async def all(self) -> list[Rollout]:
        return await self._records.all()

    async def resume(self, _now: object = None) -> int:
        """Timed work (each minute) and start-up: carry on every running rollout whose process has stopped,
        or that this process is not running any more (it gave up on an outage)."""
        count = 0
        for rollout in await self._records.all():
            if rollout.status != "running" or rollout.group in self._tasks:
                continue
            if rollout.owner != self._processes.me and await self._processes.running(rollout.owner):
                continue
            claimed = await self._records.claim(rollout.group, self._processes.me, rollout.owner)
            if claimed is not None:
                log.info("rollout_resumed")
                self._spawn(rollout.group)
                count += 1
        return count

    async def close(self) -> None:
        """At shutdown: stop (the next start, or another process, resumes)."""
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def idle(self) -> None:
        """Wait until no rollout runs here (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    def _spawn(self, group: str) -> None:
        task = asyncio.create_task(self._run(group))
        self._tasks[group] = task
        task.add_done_callback(lambda _t: self._tasks.pop(group, None))

    async def _run(self, group: str) -> None:
        rollout = await self._records.get(group)
        admin = await self._workers.get(rollout.by) if rollout else None
        if rollout is None or admin is None or self._directory is None:
            if rollout is not None:
                await self._records.finish(finished(rollout, "stopped", self._clock.now().isoformat()))
            return
        members: list[str] = []
        gate = asyncio.Semaphore(self._concurrency)

        async def one(user_id: str) -> None:
            async with gate:
                result = await self._member(group, admin, user_id)
                if result != "done":
                    await self._records.count(group, **{result: 1})

        try:
            async for page in self._directory.group_members(group):
                members += page
                await asyncio.gather(*(one(user_id) for user_id in page))
        except DirectoryRefused as error:
            if self._status is not None:
                self._status.refused(error)
            await self._finish(group, members, "stopped", missing=error.permission)
            return
        except DirectoryUnavailable as error:
            log.warning("rollout_paused error=%s (resumed at the next tick)", error)
            return
        await self._finish(group, members, "done")

    async def _finish(
        self, group: str, members: list[str], status: Literal["done", "stopped"], missing: str = ""
    ) -> None:
        """The final counts, exact: read from each member's own record (a process that stopped between a
        person and their count cannot leave them uncounted)."""
        rollout = await self._records.get(group)
        if rollout is None:
            return
        tally = {"installed": 0, "had": 0, "failed": 0}
        admin = await self._workers.get(rollout.by)
        tenant = admin.tenant_id if admin else ""
        for index, user_id in enumerate(dict.fromkeys(members)):
            if index % 100 == 0:
                await asyncio.sleep(0)
            worker = await self._workers.get(self._workers.pid_of(tenant, user_id))
            state = worker.rollout.removeprefix(group + ":") if worker else ""
            if state in tally:
                tally[state] += 1
        if status == "stopped":  # counts so far stay as they were, and it says why it stopped
            tally = {"installed": rollout.installed, "had": rollout.had, "failed": rollout.failed}
        await self._records.finish(finished(rollout, status, self._clock.now().isoformat(), missing=missing, **tally))
        log.info("rollout_%s installed=%d had=%d failed=%d", status, tally["installed"], tally["had"], tally["failed"])

    async def _member(self, group: str, admin: Worker, user_id: str) -> Member:
        assert self._directory is not None
        pid = self._workers.pid_of(admin.tenant_id, user_id)
        worker = await self._workers.get(pid)
        tag = worker.rollout if worker else ""
        if tag.startswith(group + ":") and not tag.endswith(":installing"):
            await self._welcome(pid)  # a stop between their install and their welcome
            return "done"
        if worker is not None and worker.installed and not worker.unreachable and not tag.startswith(group + ":"):
            await self._workers.update(pid, rollout=f"{group}:had")
            return "had"
        await self._workers.expect(pid, admin.tenant_id, user_id, "", self._clock.now())
        await self._workers.update(pid, rollout=f"{group}:installing")
        try:
            installed = await self._directory.install(user_id, admin.aad_object_id, patient=True)
        except DirectoryUnavailable as error:
            log.warning("rollout_member_failed error=%s", error)
            await self._workers.update(pid, rollout=f"{group}:failed", welcome_held=False)
            return "failed"
        # A 409 for someone this rollout had started on: its own install arrived before the process stopped.
        result: Member = "had" if installed.already and not tag.endswith(":installing") else "installed"
        await self._workers.reached(pid, chat_reference(admin, installed.chat_id, user_id))
        await self._workers.update(pid, rollout=f"{group}:{result}")
        await self._welcome(pid)
        return result

    async def _welcome(self, pid: str) -> None:
        """The held-back welcome, once, paced through the outbox like a check-in."""
        worker = await self._workers.get(pid)
        if worker is None or worker.welcomed or not worker.welcome_held or not worker.installed:
            return
        schedule = await self._schedule_of(pid)

        async def attempting() -> None:
            await self._workers.update(pid, welcome_held=False)  # from now on it is never sent again

        delivery = await self._notices.send(WELCOME, worker, on_attempt=attempting, schedule=schedule)
        if delivery.delivered:
            await self._workers.set_welcomed(pid, True)
