"""'my data' and 'delete my data': see it, take it, erase it. Only ever for the worker themselves."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Callable

from botbuilder.core import TurnContext

from .. import cards
from ..clock import Clock
from ..content import Content
from ..messenger import Outgoing
from ..privacy import EXPORT_TTL, PrivacyService
from ..private_records import EntryList, PlanRepository
from ..repositories import WorkerRepository, worker_shard
from ..sharing_store import SharingStore
from ..storage import Store, first, put_single
from .intent import Intent, pid_of
from .replies import send_card
from ..schedule_text import describe

ERASE_TABLE = "erasure_request"
CONFIRM_TTL = dt.timedelta(minutes=10)
ERASED_KEY = "wellbeing.erased"


def number_words(content: Content, n: int) -> str:
    """0 to 100 in words (from content), so a number is never only a number or only a bar."""
    m = content.messages.privacy
    if n >= 100:
        return m.number_hundred
    if n < 20:
        return m.number_ones[n]
    tens, ones = divmod(n, 10)
    return m.number_tens[tens - 2] + (f"-{m.number_ones[ones]}" if ones else "")


class MyDataDialogs:
    def __init__(self, *, privacy: PrivacyService, store: Store, workers: WorkerRepository, sharing: SharingStore,
                 notes: EntryList, agenda: EntryList, plans: PlanRepository, checkins_service, checkin_records,
                 state_key,
                 content: Callable[[], Content], clock: Clock, base_url: str, messenger=None):
        self._privacy = privacy
        self._store = store
        self._workers = workers
        self._sharing = sharing
        self._notes = notes
        self._agenda = agenda
        self._plans = plans
        self._checkins = checkins_service
        self._records = checkin_records
        self._state_key = state_key  # TurnContext -> the dialog-state storage key of this conversation
        self._content = content
        self._clock = clock
        self._base_url = base_url
        self._messenger = messenger

    async def show(self, turn: TurnContext, intent: Intent) -> None:
        """In plain words: what is held. Scores are never listed here; the trend only on request."""
        content = self._content()
        m = content.messages.privacy
        pid = pid_of(turn)
        schedule = await self._checkins.schedule_for(pid)
        records = await self._records.list(pid)
        link, consent = await self._sharing.link(pid), await self._sharing.consent(pid)
        sent = [r for r in await self._sharing.requests(pid) if r.status in ("sent", "acknowledged")]
        plan = await self._plans.get(pid)
        lines = [f"**{m.summary_title}**", content.text("privacy.summary_schedule", schedule=describe(content, schedule))]
        lines.append(content.text("privacy.summary_checkins", count=str(len(records)),
                                  dates=", ".join(r.date for r in records[-12:])) if records else m.summary_no_checkins)
        if link and link.status in ("pending", "active"):
            lines.append(content.text("privacy.summary_link", name=link.supervisor_name, status=link.status))
        else:
            lines.append(m.summary_no_link)
        lines.append(m.summary_consent_on if consent.on else m.summary_consent_off)
        lines.append(content.text("privacy.summary_requests", count=str(len(sent))))
        lines.append(content.text("privacy.summary_private", notes=str(len(await self._notes.all(pid))),
                                  agenda=str(len(await self._agenda.all(pid))),
                                  plan=m.plan_empty if plan.empty else m.plan_written))
        lines.append(m.summary_chat)
        actions = [cards.action(m.trend_button, "data_trend"), cards.action(m.export_button, "data_export"),
                   cards.command_action(m.delete_button, "delete_my_data"), cards.hide_action(content)]
        body = [cards.text_block(line) for line in lines]
        await send_card(turn, cards.card(body, actions, "\n".join(lines)))

    async def trend(self, turn: TurnContext, intent: Intent) -> None:
        """Recent totals as a text chart with the numbers in words too; never meaning by colour."""
        content = self._content()
        m = content.messages.privacy
        points = await self._privacy.trend(pid_of(turn), content.rules.checkin.instrument)
        if not points:
            await turn.send_activity(m.trend_empty)
            return
        lines = [m.trend_title]
        for date, total in points:
            bar = "█" * round(total / 10) + "░" * (10 - round(total / 10))
            lines.append(content.text("privacy.trend_line", date=date, bar=bar, total=str(total), words=number_words(content, total)))
        lines.append(m.trend_note)
        body = [cards.text_block(lines[0], weight="Bolder")] + [cards.text_block(line) for line in lines[1:]]
        await send_card(turn, cards.card(body, [cards.hide_action(content)], "\n".join(lines)))

    async def export(self, turn: TurnContext, intent: Intent) -> None:
        """A one-time download link from the bot's own server, for this worker's data only."""
        content = self._content()
        m = content.messages.privacy
        token = await self._privacy.export_link(pid_of(turn), self._clock.now())
        text = content.text("privacy.export_ready", minutes=str(int(EXPORT_TTL.total_seconds() // 60)))
        url = f"{self._base_url}/export/{token}"
        await send_card(turn, cards.card([cards.text_block(text)], [cards.open_url(m.export_link_button, url)], text))

    async def ask_to_delete(self, turn: TurnContext, intent: Intent) -> None:
        """Explain exactly what erasure does and cannot do, then ask once more."""
        content = self._content()
        m = content.messages.privacy
        nonce = secrets.token_urlsafe(12)
        expires = (self._clock.now() + CONFIRM_TTL).isoformat()
        await self._store.shard(worker_shard(pid_of(turn))).write(
            lambda db: put_single(db, ERASE_TABLE, {"nonce": nonce, "expires": expires}))
        actions = [cards.action(m.delete_yes, "erase_confirm", nonce=nonce), cards.action(m.delete_cancel, "erase_cancel")]
        await send_card(turn, cards.card([cards.text_block(m.delete_confirm)], actions, m.delete_confirm))

    async def confirm_delete(self, turn: TurnContext, intent: Intent) -> None:
        """Erase, if this is the worker's own, current confirmation; otherwise change nothing."""
        content = self._content()
        m = content.messages.privacy
        pid = pid_of(turn)
        pending = await self._store.shard(worker_shard(pid)).read(lambda db: first(db, ERASE_TABLE))
        nonce = intent.values.get("nonce")
        if (not pending or not isinstance(nonce, str) or not secrets.compare_digest(pending["nonce"], nonce)
                or pending["expires"] < self._clock.now().isoformat()):
            await turn.send_activity(m.delete_refused)
            return
        erasure = await self._privacy.erase(pid, [self._state_key(turn)], self._clock.now())
        self._checkins.index.set(pid, None)
        turn.turn_state[ERASED_KEY] = True  # nothing more is saved for this conversation in this turn
        await turn.send_activity(m.deleted)
        await self._tell_others(content, erasure)

    async def cancel_delete(self, turn: TurnContext, intent: Intent) -> None:
        await self._store.shard(worker_shard(pid_of(turn))).write(lambda db: put_single(db, ERASE_TABLE, {}))
        await turn.send_activity(self._content().messages.privacy.delete_cancelled)

    async def _tell_others(self, content: Content, erasure) -> None:
        if self._messenger is None:
            return
        for other in erasure.workers_told:
            worker = await self._workers.get(other)
            if worker and worker.installed:
                await self._messenger.deliver(worker, [Outgoing(text=content.messages.privacy.supervisor_gone)])
        if erasure.supervisor_told:
            supervisor = await self._workers.get(erasure.supervisor_told)
            if supervisor and supervisor.installed:
                await self._messenger.deliver(supervisor, [Outgoing(text=content.messages.sharing.link_ended)])
