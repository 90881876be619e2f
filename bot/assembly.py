"""Builds the bot from its parts, with no channel in sight: records, use-cases, dialogs and the router.

app.py joins this to the Teams layer (bot/teams/); the terminal preview joins it to the SDK's test
adapter. Everything is passed down from here, so tests can build the whole bot twice."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from .clock import Clock
from .content.source import ContentSource
from .crisis.from_content import guard_of
from .dialogs.catalogue import Features, dialogs
from .dialogs.crisis_guard import CrisisGuard
from .dialogs.notices import Notices
from .dialogs.registry import Answers
from .dialogs.router import Router
from .outbox import Outbox
from .records import Records
from .storage import Coordination
from .usecases.admin_stats import AdminStats
from .usecases.checkins import Checkins
from .usecases.consent import Consents
from .usecases.data_rights import DataRights
from .usecases.directory import Directory, DirectoryStatus, Invitations
from .usecases.links import Links
from .usecases.ports import Processes
from .usecases.private_writing import PrivateWriting
from .usecases.prompting import Prompting
from .usecases.requests import Requests
from .usecases.retention import Retention
from .usecases.rollout import Rollouts
from .usecases.schedules import Schedules


@dataclass(frozen=True)
class Wellbeing:
    """The whole bot, minus the channel: what the activity handler, the scheduler and the routes use."""

    content: ContentSource
    records: Records
    schedules: Schedules
    prompting: Prompting
    checkins: Checkins
    links: Links
    consents: Consents
    requests: Requests
    rights: DataRights
    retention: Retention
    router: Router
    guard: CrisisGuard
    coordination: Coordination
    rollouts: Rollouts  # `admin install GROUP-ID` (Microsoft Graph; does nothing without a directory)
    invitations: Invitations | None = None  # naming anyone by work email (Microsoft Graph), when on

    def one_turn_at_a_time(self, chat: str) -> AbstractAsyncContextManager[None]:
        """Turns of one chat never overlap, across every process on the store."""
        return self.coordination.hold(chat)

    async def start(self, settle: bool = True) -> None:
        """At start-up: index every schedule, and settle what a stopped process left unfinished (or
        leave that to the caller, to do in the background: it reads every worker's records)."""
        await self.prompting.rebuild_index()
        if settle:
            await self.settle_interrupted()

    async def settle_interrupted(self, _now: object = None) -> None:
        """Nominations and requests a stopped process was sending (check-ins are settled at each tick)."""
        await self.links.recover()
        await self.requests.recover()


def assemble(
    records: Records,
    content: ContentSource,
    clock: Clock,
    *,
    coordination: Coordination,
    outbox: Outbox | None = None,
    timezone: str = "Europe/London",
    base_url: str = "",
    directory: Directory | None = None,
) -> Wellbeing:
    """Without an outbox (the preview, TestAdapter tests) nothing can be sent proactively. Without a directory
    (Microsoft Graph off, the default) only people who use the bot can be named."""
    r = records
    notices = Notices(outbox, content)
    processes = Processes(coordination.instance_id, coordination.alive)
    prompting = Prompting(
        workers=r.workers,
        schedules=r.schedules,
        prompts=r.prompts,
        notices=notices,
        content=content,
        clock=clock,
        due=coordination.due,
        processes=processes,
    )
    schedules = Schedules(r.schedules, content, clock, timezone, changed=prompting.reindex)
    checkins = Checkins(
        prompts=r.prompts,
        checkins=r.checkins,
        schedules=schedules,
        content=content,
        clock=clock,
        reindex=prompting.reindex,
    )
    links = Links(
        workers=r.workers, sharing=r.sharing, notices=notices, content=content, clock=clock, processes=processes
    )
    consents = Consents(workers=r.workers, sharing=r.sharing, schedules=schedules, content=content, clock=clock)
    requests = Requests(
        workers=r.workers,
        sharing=r.sharing,
        checkins=r.checkins,
        schedules=schedules,
        consents=consents,
        notices=notices,
        content=content,
        clock=clock,
        processes=processes,
    )
    rights = DataRights(records=r, schedules=schedules, notices=notices, clock=clock, forget_schedule=prompting.forget)
    status = DirectoryStatus(clock) if directory is not None else None
    invitations = (
        Invitations(directory=directory, status=status, workers=r.workers, links=links, clock=clock)
        if directory is not None and status is not None
        else None
    )
    rollouts = Rollouts(
        directory=directory,
        status=status,
        records=r.rollouts,
        workers=r.workers,
        schedule_of=schedules.of,
        notices=notices,
        clock=clock,
        processes=processes,
    )
    features = Features(
        content=content,
        clock=clock,
        base_url=base_url,
        schedules=schedules,
        checkins=checkins,
        links=links,
        consents=consents,
        requests=requests,
        rights=rights,
        writing=PrivateWriting(agenda=r.agenda, notes=r.notes, plans=r.plans, clock=clock),
        stats=AdminStats(r.workers, r.schedules, r.prompts, r.checkins, r.files),
        rollouts=rollouts,
        directory=status,
        invitations=invitations,
    )
    answers = Answers(*dialogs(features))
    return Wellbeing(
        content=content,
        records=r,
        schedules=schedules,
        prompting=prompting,
        checkins=checkins,
        links=links,
        consents=consents,
        requests=requests,
        rights=rights,
        retention=Retention(workers=r.workers, files=r.files, content=content),
        router=Router(answers, content, r.acted, clock),
        guard=CrisisGuard(content, lambda: guard_of(content())),
        coordination=coordination,
        rollouts=rollouts,
        invitations=invitations,
    )
