"""Sharing consent: the exact words a worker agrees to, turning it on and off, and suggestions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from ..clock import Clock
from ..content.views import WordsAndRules
from ..records.sharing import AuditEntry, Consent, SharingMode, SharingRecords
from ..records.workers import WorkerRepository
from ..rules import Schedule
from .links import entry
from .outcome import Outcome
from .rule_settings import low_level

TurnedOn = Literal["on", "no_link"]
TurnedOff = Literal["off", "already_off"]


def consent_terms(content: WordsAndRules, schedule: Schedule | None, name: str) -> str:
    """Exactly when a request can go to `name`, in plain words generated from rules.yaml."""
    r = content.rules
    return content.fill(
        content.messages.sharing.consent_terms,
        name=name,
        count=str(r.repeated_low.consecutive),
        within=str(r.repeated_low.within),
        of_last=str(r.repeated_low.of_last),
        days=str(r.repeated_low.counted_every_days),
        weeks=str(r.repeated_low.window_weeks),
        low=str(low_level(content, schedule)),
        cool_off_weeks=str(round(r.cool_off_days / 7)),
    )


class Consents:
    def __init__(
        self,
        *,
        workers: WorkerRepository,
        sharing: SharingRecords,
        schedules,
        content: Callable[[], WordsAndRules],
        clock: Clock,
    ):
        self._workers = workers
        self._sharing = sharing
        self._schedules = schedules
        self._content = content
        self._clock = clock

    async def of(self, pid: str) -> Consent:
        return await self._sharing.consent(pid)

    async def terms(self, pid: str, name: str) -> str:
        return consent_terms(self._content(), await self._schedules.stored(pid), name)

    async def wording(self, pid: str, mode: SharingMode) -> tuple[str, str]:
        """What the worker agrees to for `mode`: the rule in plain words, naming the person, and the
        exact request they would receive. Returns (wording, version)."""
        content = self._content()
        link, me = await self._sharing.link(pid), await self._workers.get(pid)
        name = link.supervisor_name if link else ""
        m = content.messages.sharing
        request = content.fill(
            m.supervisor_request,
            worker=me.name if me else "",
            days=str(content.rules.supervisor.acknowledge_within_working_days),
        )
        how = m.mode_auto if mode == "auto" else m.mode_ask
        wording = "\n".join([f"{m.mode_label} {how}", await self.terms(pid, name), request])
        digest = hashlib.sha256(wording.encode()).hexdigest()[:12]
        return wording, f"{content.messages.meta.version}/{digest}"

    async def turn_on(self, pid: str, mode: str) -> Outcome[TurnedOn]:
        link = await self._sharing.link(pid)
        if link is None or link.status != "active":
            return Outcome("no_link")
        now = self._clock.now()
        chosen: SharingMode = "auto" if mode == "auto" else "ask"
        wording, version = await self.wording(pid, chosen)
        consent = Consent(True, chosen, link.id, version, wording, now.isoformat())
        await self._sharing.save_consent(pid, consent, entry(now, "consent_on", link, detail=chosen))
        return Outcome("on", link.supervisor_name)

    async def turn_off(self, pid: str) -> Outcome[TurnedOff]:
        consent = await self._sharing.consent(pid)
        if not consent.on:
            return Outcome("already_off")
        now = self._clock.now()
        link = await self._sharing.link(pid)
        audit = AuditEntry(
            now.isoformat(),
            "consent_off",
            link=consent.link_id or "",
            who_pid=link.supervisor_pid if link and link.id == consent.link_id else "",
        )
        await self._sharing.save_consent(pid, replace(consent, on=False, withdrawn_at=now.isoformat()), audit)
        return Outcome("off")

    async def no_suggestions(self, pid: str) -> None:
        """The worker pressed "Don't suggest this again"."""
        prefs = await self._sharing.prefs(pid)
        await self._sharing.save_prefs(pid, replace(prefs, no_suggestions=True))
