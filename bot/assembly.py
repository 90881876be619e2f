"""Builds the bot from its parts, with no channel in sight: records, use-cases, dialogs and the router.

app.py joins this to the Teams layer (bot/teams/); the terminal preview joins it to the SDK's test
adapter. Everything is passed down from here, so tests can build the whole bot twice."""

from __future__ import annotations

from dataclasses import dataclass

from .clock import Clock
from .content.source import ContentSource
from .dialogs.admin import AdminDialogs
from .dialogs.checkin import CheckinDialogs
from .dialogs.crisis_guard import CrisisGuard
from .dialogs.directory import DirectoryDialogs
from .dialogs.guide import GuideDialogs
from .dialogs.help import HelpDialogs
from .dialogs.my_data import MyDataDialogs
from .dialogs.notices import Notices
from .dialogs.pause import PauseDialogs
from .dialogs.plan import PlanDialogs
from .dialogs.reflect import ReflectDialogs
from .dialogs.registry import Answers
from .dialogs.router import Router
from .dialogs.settings import SettingsDialogs
from .dialogs.sharing import SharingDialogs
from .dialogs.small_talk import SmallTalkDialogs
from .dialogs.supervision import SupervisionDialogs
from .outbox import Outbox
from .records import Records
from .records.rollouts import RolloutRecords
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
    rollouts: Rollouts  # `admin install GROUP-ID` (Microsoft Graph; off without a directory)
    invitations: Invitations | None = None  # naming anyone by work email (Microsoft Graph), when on

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
    outbox: Outbox | None = None,
    timezone: str = "Europe/London",
    base_url: str = "",
    directory: Directory | None = None,
) -> Wellbeing:
    """Without an outbox (the preview, TestAdapter tests) nothing can be sent proactively. Without a directory
    (Microsoft Graph off, the default) only people who use the bot can be named."""
    r = records
    notices = Notices(outbox, content)
    processes = Processes(r.store.instance_id, r.store.alive)
    prompting = Prompting(
        workers=r.workers,
        schedules=r.schedules,
        prompts=r.prompts,
        notices=notices,
        content=content,
        clock=clock,
        due=r.store.due,
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
    writing = PrivateWriting(agenda=r.agenda, notes=r.notes, plans=r.plans, clock=clock)
    status = DirectoryStatus(clock) if directory is not None else None
    invitations = (
        Invitations(directory=directory, status=status, workers=r.workers, links=links, clock=clock)
        if directory is not None and status is not None
        else None
    )
    rollouts = Rollouts(
        directory=directory,
        status=status,
        records=RolloutRecords(r.store),
        workers=r.workers,
        schedule_of=schedules.of,
        notices=notices,
        clock=clock,
        processes=processes,
    )
    graph = DirectoryDialogs(rollouts, status, content)
    sharing = SharingDialogs(links, consents, requests, content, clock, invitations)
    answers = Answers(
        HelpDialogs(content),
        CheckinDialogs(checkins, content, sharing.after_checkin),
        sharing,
        SettingsDialogs(schedules, checkins, content, clock),
        PauseDialogs(schedules, content, clock),
        GuideDialogs(content),
        SupervisionDialogs(writing, content),
        ReflectDialogs(writing, content, clock),
        PlanDialogs(writing, content),
        AdminDialogs(
            content, AdminStats(r.workers, r.schedules, r.prompts, r.checkins, r.files), clock, graph.admin_lines
        ),
        graph,
        MyDataDialogs(rights, checkins, content, base_url),
        SmallTalkDialogs(content),  # last: typed check-in answers are read before small talk
    )
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
        guard=CrisisGuard(content),
        rollouts=rollouts,
        invitations=invitations,
    )
