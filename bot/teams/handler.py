"""The Teams activity handler: the only module that reads Teams activity shapes.

A turn is a few guards then one handler: remember how to reach the worker, welcome them once, turn the
activity into an Intent, let the router handle it, and let the crisis guard add help beside it.

It imports no SDK: both channels hand it their own TurnContext, whose activity has the Bot Framework
protocol's fields under the same names in botbuilder and the Agents SDK, and a `Kit` (conversation.py)
builds what must be built with the SDK's own classes. So every dialog and card runs the same on both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
import uuid
from typing import Any

import aiohttp

from ..assembly import Wellbeing
from ..cards import CARD_CONTENT_TYPE, finish
from ..cards.help import key_contacts
from ..cards.text import fold
from ..cards.words import describe
from ..clock import Clock
from ..content import Content
from ..crisis import Answer
from ..dialogs.help import send_unknown, send_welcome
from ..dialogs.intent import Intent
from ..records.workers import WorkerContact
from ..storage import StorageUnavailable
from .conversation import Kit, TeamsConversation

turn_log = logging.getLogger("bot.turns")
# Failures to reach the Bot Connector at all (refused, timed out, no such host): nothing of ours went wrong.
UNREACHABLE = (aiohttp.ClientConnectionError, TimeoutError)
MESSAGE, INVOKE = "message", "invoke"
INSTALLATION_UPDATE, CONVERSATION_UPDATE = "installationUpdate", "conversationUpdate"
TurnContext = Any  # the SDK's turn context (botbuilder's or the Agents SDK's): the same fields and methods here
WORKER_KEY = "wellbeing.pid"  # the worker's pseudonymous id, in turn_state, for the turn's log line
CHAT_KEY = "wellbeing.chat"  # the turn's Conversation, in turn_state
ARRIVAL = "arrival"  # the worker's Arrival (bot/records/workers.py), in the chat's notes
MAX_TYPED = 4000  # typed messages longer than this are not read as commands or answers
# Teams' error answer to an invoke: this bot uses Action.Submit, never invokes.
NOT_SUPPORTED = {
    "statusCode": 400,
    "type": "application/vnd.microsoft.error",
    "value": {"code": "BadRequest", "message": "This app does not handle this kind of request."},
}


def tenant_of(activity) -> str:
    """The tenant id Teams sends in channel_data (botbuilder's model drops conversation.tenantId)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    return str(tenant_id or getattr(activity.conversation, "tenant_id", None) or "")


def contact_of(turn: TurnContext, kit: Kit) -> WorkerContact:
    """Who sent this activity and the reference needed to message them later (built only if used)."""
    activity = turn.activity
    return WorkerContact(
        user_id=activity.from_property.id,
        aad_object_id=(activity.from_property.aad_object_id or "").lower(),
        tenant_id=tenant_of(activity),
        conversation_id=activity.conversation.id,
        service_url=activity.service_url,
        name=activity.from_property.name or "",
        reference=lambda: kit.reference(activity),
    )


def intent_of(activity, content: Content) -> Intent:
    """Turn a message or card submit into an Intent; command words must match exactly."""
    values = activity.value if isinstance(activity.value, dict) else {}
    if values:
        command = values.get("command")
        known = isinstance(command, str) and any(c.id == command for c in content.messages.commands)
        return Intent(command=command if known else None, values=values)
    text = (activity.text or "").strip()
    command, argument = content.parse_command(text) if text else (None, "")
    return Intent(command=command, text=text, argument=argument)


def is_personal(activity) -> bool:
    conversation_type = getattr(activity.conversation, "conversation_type", None)
    return conversation_type in (None, "personal")


class WellbeingBot:
    """Handles every activity Teams sends to the bot, on either channel."""

    def __init__(self, bot: Wellbeing, clock: Clock, admin_ids: frozenset[str] = frozenset(), *, kit: Kit):
        self.bot = bot
        self.kit = kit
        self._content = bot.content
        self._workers = bot.records.workers
        self._clock = clock
        self._admin_ids = admin_ids

    async def on_turn(self, turn_context: TurnContext) -> None:
        started = self._clock.monotonic()
        outcome = "error"
        turn_context.on_send_activities(self._finish_cards)
        try:
            conversation = getattr(turn_context.activity.conversation, "id", "") or ""
            # One turn at a time per chat, across every process on the store: no lost updates.
            async with self.bot.one_turn_at_a_time(conversation):
                await self._turn(turn_context)
            outcome = "ok"
        except UNREACHABLE:
            outcome = "connector_unreachable"
            raise
        finally:
            turn_log.info(
                "turn type=%s worker=%s duration_ms=%.1f outcome=%s",
                turn_context.activity.type,
                turn_context.turn_state.get(WORKER_KEY, "-"),
                (self._clock.monotonic() - started) * 1000,
                outcome,
            )

    async def _turn(self, turn: TurnContext) -> None:
        activity = turn.activity
        if activity.type == INVOKE:
            await self._not_supported(turn)
            return
        if not is_personal(activity):
            if activity.type == MESSAGE:
                await turn.send_activity(self._content().messages.personal_only)
            return
        if activity.type == INSTALLATION_UPDATE and (activity.action or "").startswith("remove"):
            await self._uninstalled(turn)
            return
        contact = contact_of(turn, self.kit)
        arrival = await self._workers.arrival(contact, self._clock.now(), lambda: self._email_of(turn, contact))
        if arrival is None:
            await self._tell_data_set_aside(turn, self._workers.pid_for(contact))
            return
        worker = arrival.worker
        turn.turn_state[WORKER_KEY] = worker.pid
        chat = TeamsConversation(turn, worker.pid, worker.tenant_id, self._admin_ids, self.kit)
        chat.notes["welcomed"] = worker.welcomed
        # Installed for them through Microsoft Graph: the invitation (or a paced welcome) comes instead of the
        # install event's welcome; they are welcomed when they first write (bot/usecases/directory.py).
        chat.notes["welcome_held"] = worker.welcome_held
        # A new worker's record is written with their welcome, in one write, or before anything reads it.
        chat.notes[ARRIVAL] = arrival
        turn.turn_state[CHAT_KEY] = chat
        try:
            await self._dispatch(turn)
        except asyncio.CancelledError:
            arrival.save_anyway()  # they were in touch: recorded though the turn was cancelled
            raise
        except Exception:
            with contextlib.suppress(Exception):
                await arrival.saved()  # they were in touch, even if the turn then failed
            arrival.abandon()
            raise
        await arrival.saved()

    async def _dispatch(self, turn: TurnContext) -> None:
        """The three kinds of activity the bot answers; every other kind is acknowledged and ignored."""
        activity = turn.activity
        if activity.type == MESSAGE:
            await self.on_message_activity(turn)
        elif activity.type == CONVERSATION_UPDATE and activity.members_added:
            await self.on_members_added_activity(activity.members_added, turn)
        elif activity.type == INSTALLATION_UPDATE and activity.action in ("add", "add-upgrade"):
            await self.on_installation_update_add(turn)

    async def _tell_data_set_aside(self, turn: TurnContext, pid: str) -> None:
        """Their saved data could not be read and was set aside: they hear it once, with the key numbers,
        and nothing else happens this turn; from their next message they carry on as someone new."""
        turn.turn_state[WORKER_KEY] = pid
        content = self._content()
        await turn.send_activity(
            fold(content.fill(content.messages.data_set_aside, key_contacts=key_contacts(content)))
        )

    def _chat(self, turn: TurnContext) -> TeamsConversation:
        return turn.turn_state[CHAT_KEY]

    async def _finish_cards(self, _turn: TurnContext, activities: list, send_next):
        """Every card the bot sends in reply gets "Get help now" as its first button."""
        title = self._content().messages.buttons.get_help_now
        for activity in activities:
            for attachment in activity.attachments or []:
                if attachment.content_type == CARD_CONTENT_TYPE and isinstance(attachment.content, dict):
                    attachment.content = finish(attachment.content, title)
        return await send_next()

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """Welcome a first-time worker, route what they asked for, and add help where the words call for it.

        The crisis guard never takes the place of what the worker asked for: it is heard, saved or sent
        as usual, and the guard's help comes beside it (even if handling the turn failed)."""
        content, chat, guard = self._content(), self._chat(turn_context), self.bot.guard
        self.kit.remove_mention(turn_context.activity)
        intent = intent_of(turn_context.activity, content)
        assessment = await guard.assess(intent)
        typed_only = intent.command is None and not intent.is_card_submit
        answering_invitation = chat.notes.get("welcome_held") and intent.is_card_submit
        if assessment.answer is Answer.NONE and not assessment.idiom and not answering_invitation:
            if await self._welcome_once(chat) and typed_only:
                return  # the welcome already says what to do next
        await chat.notes[ARRIVAL].saved()  # before anything reads or changes their file
        handled = False
        try:
            if typed_only and len(intent.text) > MAX_TYPED:
                # Too long to be a command: answer kindly; the guard has still read every word.
                await chat.send_text(content.messages.too_long)
                handled = True
            else:
                handled = await self.bot.router.route(chat, intent)
        finally:
            await guard.add_help(chat, assessment, after_saving=handled)
        if not handled and assessment.answer is Answer.NONE:
            await (guard.offer(chat) if assessment.idiom else send_unknown(chat, content))

    async def on_members_added_activity(self, members_added: list, turn_context: TurnContext) -> None:
        """Welcome the worker when the bot is added to their personal chat."""
        chat = self._chat(turn_context)
        if any(m.id == turn_context.activity.recipient.id for m in members_added) and not chat.notes["welcome_held"]:
            await self._welcome_once(chat)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """Welcome the worker on a personal install (Teams may also send a conversationUpdate)."""
        chat = self._chat(turn_context)
        if not chat.notes["welcome_held"]:
            await self._welcome_once(chat)

    async def _welcome_once(self, chat: TeamsConversation) -> bool:
        if chat.notes.get("welcomed"):
            return False
        content = self._content()
        schedules = self.bot.schedules
        schedule, new = await schedules.proposed(chat.worker)  # the default rhythm starts now
        await send_welcome(chat, content, describe(content, schedule))
        # Welcomed, and their new schedule, in one write; for a new worker, the same write records them
        # (a crash before it means a second welcome next time, never a lost one).
        also = schedules.putting(schedule) if new else None
        arrival = chat.notes[ARRIVAL]
        if arrival.is_saved:
            await self._workers.set_welcomed(chat.worker, True, also=also)
        else:
            await arrival.saved(welcomed=True, also=also)
        if new:
            await schedules.adopted(chat.worker, schedule)
        chat.notes["welcomed"] = True
        return True

    async def _email_of(self, turn: TurnContext, contact: WorkerContact) -> str | None:
        """The worker's work email from Teams ("" when it gives none), so others can name them as a
        supervisor; None when Teams could not be asked (it is asked again on their next message)."""
        try:
            member = await self.kit.member(turn, turn.activity.from_property.id)
        except Exception as exc:  # noqa: BLE001 - not essential: people can still be found by name
            turn_log.info("member_lookup_failed worker=%s error=%s", self._workers.pid_for(contact), type(exc).__name__)
            return None
        email = member.get("email") or member.get("userPrincipalName")
        return email if isinstance(email, str) else ""

    async def _uninstalled(self, turn: TurnContext) -> None:
        """Stop all proactive messages to a worker who removed the app."""
        pid = self._workers.pid_for(contact_of(turn, self.kit))
        turn.turn_state[WORKER_KEY] = pid
        await self._workers.set_installed(pid, False)

    async def _not_supported(self, turn: TurnContext) -> None:
        """This bot uses Action.Submit, never invokes: any invoke (a stale card from another app, a
        forgery) gets Teams' error answer with a 400, whatever its name or value."""
        await turn.send_activity(self.kit.invoke_response(400, NOT_SUPPORTED))

    async def on_turn_error(self, turn: TurnContext, error: Exception) -> None:
        """Log with a correlation id and no personal data, and apologise. A Bot Connector that cannot be
        reached is not a fault of ours, and an apology could not reach the chat either: one warning line."""
        ref = uuid.uuid4().hex[:8]
        if isinstance(error, UNREACHABLE):
            turn_log.warning(
                "turn_reply_failed ref=%s worker=%s error=%s (the Bot Connector at the activity's serviceUrl "
                "could not be reached)",
                ref,
                turn.turn_state.get(WORKER_KEY, "-"),
                type(error).__name__,
            )
            return
        frames = "".join(traceback.format_tb(error.__traceback__))
        # The exception's message is left out on purpose: it may quote what the worker typed.
        turn_log.error(
            "turn_error ref=%s worker=%s error=%s\n%s",
            ref,
            turn.turn_state.get(WORKER_KEY, "-"),
            type(error).__name__,
            frames,
        )
        if turn.activity.type == MESSAGE:
            content = self._content()
            apology = (
                content.fill(content.messages.storage_unavailable, ref=ref, key_contacts=key_contacts(content))
                if isinstance(error, StorageUnavailable)
                else content.fill(content.messages.error, ref=ref)
            )
            try:
                await turn.send_activity(apology)
            except Exception as exc:  # noqa: BLE001
                turn_log.error("turn_error ref=%s apology_failed=%s", ref, type(exc).__name__)
