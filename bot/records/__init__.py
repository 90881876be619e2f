"""Repositories: every record the bot keeps, on the store. Each worker's records live in one file of
their own, named by their pseudonymous id; use-cases read and change records only through here."""

from __future__ import annotations

from dataclasses import dataclass

from ..storage import Documents
from .checkins import CheckinRepository
from .exports import ErasureLog, ExportTokens
from .private import AGENDA, NOTES, CardActions, EntryList, ErasureRequests, PlanRepository
from .prompts import PromptLog
from .rollouts import RolloutRecords
from .schedules import ScheduleRepository
from .sharing import SharingRecords
from .worker_files import WorkerFiles
from .workers import Pseudonyms, WorkerRepository


@dataclass(frozen=True)
class Records:
    """One of each repository, over the same documents."""

    documents: Documents
    workers: WorkerRepository
    schedules: ScheduleRepository
    prompts: PromptLog
    checkins: CheckinRepository
    sharing: SharingRecords
    plans: PlanRepository
    notes: EntryList
    agenda: EntryList
    acted: CardActions
    erasure_requests: ErasureRequests
    exports: ExportTokens
    erasures: ErasureLog
    files: WorkerFiles
    rollouts: RolloutRecords  # `admin install GROUP-ID`: counts only

    @classmethod
    async def open(cls, store: Documents) -> Records:
        """The repositories over `store`'s documents."""
        # Versions before 2026-11 kept SDK dialog state (always an empty stack) in state/: no longer kept.
        await store.remove_folder("state")
        return cls(
            documents=store,
            workers=WorkerRepository(store, await Pseudonyms.load(store)),
            schedules=ScheduleRepository(store),
            prompts=PromptLog(store),
            checkins=CheckinRepository(store),
            sharing=SharingRecords(store),
            plans=PlanRepository(store),
            notes=EntryList(store, NOTES),
            agenda=EntryList(store, AGENDA),
            acted=CardActions(store),
            erasure_requests=ErasureRequests(store),
            exports=ExportTokens(store),
            erasures=ErasureLog(store),
            files=WorkerFiles(store),
            rollouts=RolloutRecords(store),
        )
