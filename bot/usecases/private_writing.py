"""The worker's own private writing: their supervision list, reflection notes and Wellness Action Plan.
Shown only to them, never logged, never sent to anyone."""

from __future__ import annotations

from ..clock import Clock
from ..records.private import Entry, EntryList, Plan, PlanRepository


class PrivateWriting:
    def __init__(self, *, agenda: EntryList, notes: EntryList, plans: PlanRepository, clock: Clock):
        self._agenda = agenda
        self._notes = notes
        self._plans = plans
        self._clock = clock

    async def agenda(self, pid: str) -> list[Entry]:
        return await self._agenda.all(pid)

    async def add_to_agenda(self, pid: str, text: str) -> None:
        await self._agenda.add(pid, text, self._clock.now().date())

    async def clear_agenda(self, pid: str) -> None:
        await self._agenda.clear(pid)

    async def notes(self, pid: str) -> list[Entry]:
        return await self._notes.all(pid)

    async def add_note(self, pid: str, text: str) -> None:
        await self._notes.add(pid, text, self._clock.now().date())

    async def clear_notes(self, pid: str) -> None:
        await self._notes.clear(pid)

    async def plan(self, pid: str) -> Plan:
        return await self._plans.get(pid)

    async def save_plan(self, pid: str, plan: Plan) -> None:
        await self._plans.save(pid, plan)
