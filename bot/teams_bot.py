"""The Teams activity handler: the only module that reads Teams activity shapes.

A turn is a few guards then one handler: remember how to reach the worker, welcome them once,
turn the activity into an Intent, let the router handle it, save dialog state.
"""
from __future__ import annotations

import logging
import traceback
import uuid
from typing import Callable

from botbuilder.core import ActivityHandler, ConversationState, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from . import cards
from .clock import Clock
from .content import Content
from .content.schema import KNOWN_COMMANDS
from .dialogs.intent import PID_KEY, Intent
from .dialogs.my_data import ERASED_KEY
from .crisis import Answer
from .dialogs.replies import send_unknown, send_welcome
from .checkins import CheckinService
from .dialogs.crisis_guard import CrisisGuard
from .dialogs.router import Router
from .schedule_text import describe
from .recent import KeyedLocks
from .repositories import WorkerContact, WorkerRepository

turn_log = logging.getLogger("bot.turns")
WELCOMED_KEY = "wellbeing.welcomed"
MAX_TYPED = 4000  # typed messages longer than this are not read as commands or answers


def tenant_of(activity) -> str:
    """The tenant id Teams sends in channel_data (botbuilder's model drops conversation.tenantId)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    return str(tenant.get("id") or getattr(activity.conversation, "tenant_id", None) or "")


def contact_of(turn: TurnContext) -> WorkerContact:
    """Who sent this activity and the reference needed to message them later (built only if used)."""
    activity = turn.activity
    return WorkerContact(
        user_id=activity.from_property.id,
        aad_object_id=(activity.from_property.aad_object_id or "").lower(),
        tenant_id=tenant_of(activity),
        conversation_id=activity.conversation.id,
        service_url=activity.service_url,
        name=activity.from_property.name or "",
        reference=lambda: TurnContext.get_conversation_reference(activity).serialize(),
    )


def intent_of(activity, content: Content) -> Intent:
    """Turn a message or card submit into an Intent; command words must match exactly."""
    values = activity.value if isinstance(activity.value, dict) else {}
    if values:
        command = values.get("command")
        return Intent(command=command if command in KNOWN_COMMANDS else None, values=values)
    text = (activity.text or "").strip()
    command, argument = content.parse_command(text) if text else (None, "")
    return Intent(command=command, text=text, argument=argument)


def is_personal(activity) -> bool:
    conversation_type = getattr(activity.conversation, "conversation_type", None)
    return conversation_type in (None, "personal")


class WellbeingBot(ActivityHandler):
    """Handles every activity Teams sends to the bot."""

    def __init__(self, *, workers: WorkerRepository, conversation_state: ConversationState, router: Router,
                 content: Callable[[], Content], clock: Clock, checkins: CheckinService, guard: CrisisGuard,
                 sharing=None, privacy=None, messenger=None):
        self._guard = guard
        self.messenger = messenger
        self._locks = KeyedLocks()
        # The use-cases the scheduler and web routes also need, reachable from the bot.
        self.sharing = sharing
        self.privacy = privacy
        self._workers = workers
        self.checkins = checkins
        self._state = conversation_state
        self._router = router
        self.content = content
        self._clock = clock

    async def on_turn(self, turn_context: TurnContext) -> None:
        started = self._clock.monotonic()
        outcome = "error"
        turn_context.on_send_activities(self._finish_cards)
        try:
            conversation = getattr(turn_context.activity.conversation, "id", "") or ""
            async with self._locks.hold(conversation):  # one turn at a time per chat: no lost updates
                await self._turn(turn_context)
            outcome = "ok"
        finally:
            turn_log.info("turn type=%s worker=%s duration_ms=%.1f outcome=%s", turn_context.activity.type,
                          turn_context.turn_state.get(PID_KEY, "-"), (self._clock.monotonic() - started) * 1000, outcome)

    async def _turn(self, turn: TurnContext) -> None:
        activity = turn.activity
        if activity.type == ActivityTypes.invoke:
            await self._not_supported(turn)
            return
        if not is_personal(activity):
            if activity.type == ActivityTypes.message:
                await turn.send_activity(self.content().messages.personal_only)
            return
        if activity.type == ActivityTypes.installation_update and (activity.action or "").startswith("remove"):
            await self._uninstalled(turn)
            return
        worker = await self._workers.remember(contact_of(turn), self._clock.now())
        turn.turn_state[PID_KEY] = worker.pid
        turn.turn_state[WELCOMED_KEY] = worker.welcomed
        if not worker.email_checked:
            await self._learn_email(turn, worker.pid)
        await super().on_turn(turn)
        if not turn.turn_state.get(ERASED_KEY):
            await self._state.save_changes(turn)

    async def _finish_cards(self, _turn: TurnContext, activities: list, send_next):
        """Every card the bot sends in reply gets "Get help now" as its first button."""
        title = self.content().messages.buttons.get_help_now
        for activity in activities:
            for attachment in activity.attachments or []:
                if attachment.content_type == cards.CARD_CONTENT_TYPE and isinstance(attachment.content, dict):
                    attachment.content = cards.finish(attachment.content, title)
        return await send_next()

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """Welcome a first-time worker, route what they asked for, and add help where the words call for it.

        The crisis guard never takes the place of what the worker asked for: it is heard, saved or sent
        as usual, and the guard's help comes beside it (even if handling the turn failed)."""
        content = self.content()
        TurnContext.remove_recipient_mention(turn_context.activity)
        intent = intent_of(turn_context.activity, content)
        assessment = await self._guard.assess(intent)
        typed_only = intent.command is None and not intent.is_card_submit
        if assessment.answer is Answer.NONE and not assessment.idiom:
            if await self._welcome_once(turn_context) and typed_only:
                return  # the welcome already says what to do next
        handled = False
        try:
            if typed_only and len(intent.text) > MAX_TYPED:
                # Too long to be a command: answer kindly; the guard has still read every word.
                await turn_context.send_activity(content.messages.too_long)
                handled = True
            else:
                handled = await self._router.route(turn_context, intent)
        finally:
            await self._guard.add_help(turn_context, assessment, after_saving=handled)
        if not handled and assessment.answer is Answer.NONE:
            await (self._guard.offer(turn_context) if assessment.idiom else send_unknown(turn_context, content))

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
        """Welcome the worker when the bot is added to their personal chat."""
        if any(m.id == turn_context.activity.recipient.id for m in members_added):
            await self._welcome_once(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """Welcome the worker on a personal install (Teams may also send a conversationUpdate)."""
        await self._welcome_once(turn_context)

    async def _welcome_once(self, turn: TurnContext) -> bool:
        if turn.turn_state.get(WELCOMED_KEY):
            return False
        content = self.content()
        schedule = await self.checkins.schedule_for(turn.turn_state[PID_KEY])  # the default rhythm starts now
        await send_welcome(turn, content, describe(content, schedule))
        await self._workers.set_welcomed(turn.turn_state[PID_KEY], True)
        turn.turn_state[WELCOMED_KEY] = True
        return True

    async def _learn_email(self, turn: TurnContext, pid: str) -> None:
        """Ask Teams for the worker's work email once, so others can name them as a supervisor."""
        try:
            member = await TeamsInfo.get_member(turn, turn.activity.from_property.id)
        except Exception as exc:  # noqa: BLE001 - not essential: people can still be found by name
            turn_log.info("member_lookup_failed worker=%s error=%s", pid, type(exc).__name__)
            return
        await self._workers.set_email(pid, getattr(member, "email", None) or getattr(member, "user_principal_name", None))

    async def _uninstalled(self, turn: TurnContext) -> None:
        """Stop all proactive messages to a worker who removed the app."""
        pid = self._workers.pid_for(contact_of(turn))
        turn.turn_state[PID_KEY] = pid
        await self._workers.set_installed(pid, False)

    @staticmethod
    async def _not_supported(turn: TurnContext) -> None:
        """This bot uses Action.Submit, never invokes: any invoke (a stale card from another app, a
        forgery) gets Teams' error answer with a 400, whatever its name or value."""
        body = {"statusCode": 400, "type": "application/vnd.microsoft.error",
                "value": {"code": "BadRequest", "message": "This app does not handle this kind of request."}}
        await turn.send_activity(Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=400, body=body)))

    async def on_turn_error(self, turn: TurnContext, error: Exception) -> None:
        """Log with a correlation id and no personal data, apologise, and drop the half-finished flow."""
        ref = uuid.uuid4().hex[:8]
        frames = "".join(traceback.format_tb(error.__traceback__))
        # The exception's message is left out on purpose: it may quote what the worker typed.
        turn_log.error("turn_error ref=%s worker=%s error=%s\n%s", ref, turn.turn_state.get(PID_KEY, "-"),
                       type(error).__name__, frames)
        try:
            await self._state.load(turn)  # delete() expects the state to be loaded in this turn
            await self._state.delete(turn)
        except Exception as exc:  # noqa: BLE001 - the apology matters more than the cleanup
            turn_log.error("turn_error ref=%s state_cleanup_failed=%s", ref, type(exc).__name__)
        if turn.activity.type == ActivityTypes.message:
            try:
                await turn.send_activity(self.content().text("error", ref=ref))
            except Exception as exc:  # noqa: BLE001
                turn_log.error("turn_error ref=%s apology_failed=%s", ref, type(exc).__name__)
