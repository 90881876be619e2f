"""Naming a supervisor, sharing consent, the request preview, acknowledgements and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

from ..cards import sharing as cards
from ..cards.base import once
from ..cards.words import day_words
from ..clock import Clock
from ..content.views import WordsAndRules
from ..conversation import Conversation
from ..usecases.consent import Consents
from ..usecases.directory import Invitations, Invited, is_email
from ..usecases.links import Links, Nominated
from ..usecases.outcome import Outcome
from ..usecases.requests import Requests
from .intent import Intent
from .registry import card_action, command


class SharingDialogs:
    def __init__(
        self,
        links: Links,
        consents: Consents,
        requests: Requests,
        content: Callable[[], WordsAndRules],
        clock: Clock,
        invitations: Invitations | None,
    ):
        self._invitations = invitations  # the directory (Microsoft Graph), when it is on
        self._links = links
        self._consents = consents
        self._requests = requests
        self._content = content
        self._clock = clock

    async def _acted(self, chat: Conversation, key: str, **params: str) -> None:
        """The pressed card becomes what happened, dated, so no stale buttons stay in the chat."""
        content = self._content()
        day = day_words(content, self._clock.now().isoformat())
        await chat.replace_card(content.fill(getattr(content.messages.acted, key), day=day, **params))

    # The worker's side ------------------------------------------------------------------------------

    @command("supervisor")
    async def supervisor(self, chat: Conversation) -> None:
        """Who the worker has named, and a form to name someone."""
        await chat.send_card(cards.supervisor_card(self._content(), await self._links.of(chat.worker)))

    @card_action("supervisor_find")
    async def find(self, chat: Conversation, intent: Intent) -> None:
        content = self._content()
        query, role = intent.value("query").strip(), intent.value("role", "other")
        matches = await self._links.find(chat.worker, query) if query else []
        if not matches and await self._links.is_me(chat.worker, query):
            await chat.send_text(content.messages.sharing.not_yourself)
        elif not matches and self._invitations is not None:
            # Not among the bot's own users: an exact work email is looked up in the directory; a name is not.
            if is_email(query):
                await self._invited(chat, await self._invitations.invite(chat.worker, query, role), query)
            else:
                await chat.send_text(content.fill(content.messages.directory.name_not_found, query=query or "?"))
        elif not matches:
            await chat.send_text(content.fill(content.messages.sharing.not_found, query=query or "?"))
        elif len(matches) > 1 and all(w.email for w in matches):
            people = [(w.pid, w.name, w.email) for w in matches[:5]]
            await chat.send_card(cards.matches_card(content, query, people, role))
        elif len(matches) > 1:
            await chat.send_text(content.fill(content.messages.sharing.same_name, query=query))
        else:
            await self._nominated(chat, await self._links.nominate(chat.worker, matches[0].pid, role))

    @card_action("supervisor_pick")
    async def pick(self, chat: Conversation, intent: Intent) -> None:
        outcome = await self._links.nominate(chat.worker, intent.value("target"), intent.value("role"))
        await self._nominated(chat, outcome)

    async def _invited(self, chat: Conversation, outcome: Outcome[Invited], query: str) -> None:
        content = self._content()
        status = outcome.status
        if status == "no_permission":
            await chat.send_text(content.messages.directory.no_permission)
        elif status == "directory_unavailable":
            await chat.send_text(content.messages.directory.unavailable)
        elif status == "unknown":  # no such user, 404 included: the same words as any unknown email
            await chat.send_text(content.fill(content.messages.directory.not_found, query=query))
        else:
            await self._nominated(chat, Outcome(status, outcome.name))

    async def _nominated(self, chat: Conversation, outcome: Outcome[Nominated]) -> None:
        content = self._content()
        m = content.messages.sharing
        status = outcome.status
        if status == "asked":
            text = content.fill(content.messages.sharing.asked, name=outcome.name)
        elif status == "self":
            text = m.not_yourself
        elif status == "declined_before":
            text = m.declined_before
        elif status == "unreachable":
            text = m.unreachable
        elif status == "already_asked":
            text = content.fill(content.messages.sharing.already_asked, name=outcome.name)
        elif status == "already_linked":
            text = content.fill(content.messages.sharing.already_linked, name=outcome.name)
        elif status == "limit":
            text = content.fill(
                content.messages.sharing.nomination_limit, count=str(content.rules.supervisor.nominations_per_day)
            )
        elif status == "unknown":
            text = content.fill(content.messages.sharing.not_found, query="?")
        else:
            assert_never(status)
        await chat.send_text(text)

    @card_action("link_end")
    async def end(self, chat: Conversation) -> None:
        outcome = await self._links.end(chat.worker, by_worker=True)
        m = self._content().messages.sharing
        match outcome.status:
            case "ended":
                await self._acted(chat, "ended")
                await chat.send_text(m.link_ended)
            case "no_link" | "not_for_you":
                await chat.send_text(m.already_answered)
            case unhandled:
                assert_never(unhandled)

    @card_action("link_keep")
    async def keep(self, chat: Conversation) -> None:
        outcome = await self._links.keep(chat.worker)
        m = self._content().messages.sharing
        match outcome.status:
            case "kept":
                await self._acted(chat, "kept", name=outcome.name)
                await chat.send_text(m.kept)
            case "no_link":
                await chat.send_text(m.already_answered)
            case unhandled:
                assert_never(unhandled)

    @command("sharing")
    async def sharing(self, chat: Conversation) -> None:
        """Consent: off by default; shows the named person and the exact message they would get."""
        content = self._content()
        link, consent = await self._links.of(chat.worker), await self._consents.of(chat.worker)
        if link and link.status == "pending":
            await chat.send_text(content.fill(content.messages.sharing.consent_pending, name=link.supervisor_name))
            return
        if not link or link.status != "active":
            await chat.send_text(content.messages.sharing.consent_no_link)
            return
        example = cards.request_card(content, await self._links.name_of(chat.worker), "", chat.worker, "example")
        terms = await self._consents.terms(chat.worker, link.supervisor_name)
        await chat.send_card(cards.consent_card(content, link, consent, terms, example, once()))

    @card_action("sharing_on")
    async def sharing_on(self, chat: Conversation, intent: Intent) -> None:
        content = self._content()
        outcome = await self._consents.turn_on(chat.worker, intent.value("mode", "ask"))
        match outcome.status:
            case "on":
                await self._acted(chat, "sharing_on")
                await chat.send_text(content.fill(content.messages.sharing.consent_on, name=outcome.name))
            case "no_link":
                await chat.send_text(content.messages.sharing.consent_no_link)
            case unhandled:
                assert_never(unhandled)

    @card_action("sharing_no_suggestions")
    async def no_suggestions(self, chat: Conversation) -> None:
        """'Don't suggest this again': the bot never suggests naming someone or sharing again."""
        await self._consents.no_suggestions(chat.worker)
        await self._acted(chat, "no_suggestions")
        await chat.send_text(self._content().messages.sharing.no_suggestions_done)

    @card_action("sharing_off")
    async def sharing_off(self, chat: Conversation) -> None:
        m = self._content().messages.sharing
        outcome = await self._consents.turn_off(chat.worker)
        match outcome.status:
            case "off":
                await self._acted(chat, "sharing_off")
                await chat.send_text(m.consent_off)
            case "already_off":
                await chat.send_text(m.consent_already_off)
            case unhandled:
                assert_never(unhandled)

    @card_action("request_send")
    async def send(self, chat: Conversation, intent: Intent) -> None:
        content = self._content()
        m = content.messages.sharing
        outcome = await self._requests.send(chat.worker, intent.value("request"), intent.value("note"))
        status = outcome.status
        if status == "sent":
            await self._acted(chat, "sent", name=outcome.name)
            text = content.fill(content.messages.sharing.sent, name=outcome.name)
        elif status == "sending":
            await self._acted(chat, "sent", name=outcome.name)
            text = content.fill(content.messages.sharing.sending, name=outcome.name)
        elif status == "undelivered":
            await self._acted(chat, "not_sent")
            text = content.fill(content.messages.sharing.undelivered, name=outcome.name)
        elif status == "blocked":
            text = m.blocked
        elif status == "already_answered":
            text = m.already_answered
        elif status == "not_for_you":
            text = m.not_for_you
        else:
            assert_never(status)
        await chat.send_text(text)

    @card_action("request_not_now")
    async def not_now(self, chat: Conversation, intent: Intent) -> None:
        await self._close(chat, intent, stop=False)

    @card_action("request_stop")
    async def stop(self, chat: Conversation, intent: Intent) -> None:
        await self._close(chat, intent, stop=True)

    async def _close(self, chat: Conversation, intent: Intent, stop: bool) -> None:
        m = self._content().messages.sharing
        outcome = await self._requests.not_now(chat.worker, intent.value("request"), stop=stop)
        match outcome.status:
            case "not_now":
                await self._acted(chat, "not_sent")
                await chat.send_text(m.not_now)
            case "stopped":
                await self._acted(chat, "not_sent")
                await chat.send_text(m.stopped)
            case "already_answered":
                await chat.send_text(m.already_answered)
            case unhandled:
                assert_never(unhandled)

    @card_action("request_nudge")
    async def nudge(self, chat: Conversation, intent: Intent) -> None:
        content = self._content()
        outcome = await self._requests.nudge(chat.worker, intent.value("request"))
        match outcome.status:
            case "nudged":
                await self._acted(chat, "nudged", name=outcome.name)
                await chat.send_text(content.fill(content.messages.sharing.nudged, name=outcome.name))
            case "undelivered":
                await chat.send_text(content.fill(content.messages.sharing.undelivered, name=outcome.name))
            case "already_nudged":
                await chat.send_text(content.fill(content.messages.sharing.already_nudged, name=outcome.name))
            case "already_answered" | "blocked":
                await chat.send_text(content.messages.sharing.already_answered)
            case unhandled:
                assert_never(unhandled)

    @command("who_has_seen")
    async def who_has_seen(self, chat: Conversation) -> None:
        """The worker's own audit log, in plain words."""
        await chat.send_card(cards.history_card(self._content(), await self._links.history(chat.worker)))

    # The supervisor's side ---------------------------------------------------------------------------

    @card_action("link_accept")
    async def accept(self, chat: Conversation, intent: Intent) -> None:
        await self._answer(chat, intent, True)

    @card_action("link_decline")
    async def decline(self, chat: Conversation, intent: Intent) -> None:
        await self._answer(chat, intent, False)

    async def _answer(self, chat: Conversation, intent: Intent, accept: bool) -> None:
        content = self._content()
        m = content.messages.sharing
        outcome = await self._links.answer(chat.worker, intent.value("worker"), intent.value("link"), accept)
        status = outcome.status
        if status == "accepted":
            await self._acted(chat, "accepted")
            await chat.send_text(content.fill(content.messages.sharing.you_accepted, worker=outcome.name))
        elif status == "declined":
            await self._acted(chat, "declined")
            await chat.send_text(m.you_declined)
        elif status == "already_answered":
            await chat.send_text(m.already_answered)
        elif status == "no_longer_open":
            await chat.send_text(content.fill(content.messages.sharing.no_longer_open, name=outcome.name))
        elif status == "not_for_you":
            await chat.send_text(m.not_for_you)
        else:
            assert_never(status)

    @card_action("request_ack")
    async def acknowledge(self, chat: Conversation, intent: Intent) -> None:
        m = self._content().messages.sharing
        outcome = await self._requests.acknowledge(chat.worker, intent.value("worker"), intent.value("request"))
        match outcome.status:
            case "acknowledged":
                await self._acted(chat, "acknowledged")
                await chat.send_text(m.thanks_for_ack)
            case "already_acknowledged":
                await chat.send_text(m.already_acknowledged)
            case "already_answered":
                await chat.send_text(m.already_answered)
            case "not_for_you":
                await chat.send_text(m.not_for_you)
            case unhandled:
                assert_never(unhandled)

    @command("supervising")
    async def supervising(self, chat: Conversation) -> None:
        """For supervisors: who named them and the link status; nothing else about anyone."""
        await chat.send_card(cards.supervising_card(self._content(), await self._links.supervising(chat.worker)))

    @card_action("link_end_supervisor")
    async def end_as_supervisor(self, chat: Conversation, intent: Intent) -> None:
        m = self._content().messages.sharing
        outcome = await self._links.end(intent.value("worker"), by_worker=False, presser_pid=chat.worker)
        match outcome.status:
            case "ended":
                await chat.send_text(m.link_ended)
            case "not_for_you":
                await chat.send_text(m.not_for_you)
            case "no_link":
                await chat.send_text(m.already_answered)
            case unhandled:
                assert_never(unhandled)


class AfterCheckin:
    """What the worker hears after a completed check-in, from the supervisor rule (the worker always
    hears first)."""

    def __init__(self, links: Links, requests: Requests, content: Callable[[], WordsAndRules]):
        self._links = links
        self._requests = requests
        self._content = content

    async def __call__(self, chat: Conversation) -> None:
        """Run the rule; the worker hears first, in words that fit their real state: a preview, a note
        that it was sent as they chose, why a request is held, or (once ever) a suggestion."""
        content = self._content()
        outcome = await self._requests.after_checkin(chat.worker)
        status = outcome.status
        if status == "none":
            return
        if status == "suggest_name":
            await chat.send_card(cards.suggestion_card(content, None))
        elif status == "suggest_sharing":
            await chat.send_card(cards.suggestion_card(content, outcome.name))
        elif status == "held_pending":
            await chat.send_text(content.fill(content.messages.sharing.held_pending, name=outcome.name))
        elif status == "held_reconfirm":
            link = await self._links.of(chat.worker)
            if link is not None:
                await chat.send_card(cards.reconfirm_card(content, link, once(), held=True))
        elif status == "sent_auto" or status == "sending":
            await chat.send_text(content.fill(content.messages.sharing.sent_auto, name=outcome.name))
        elif status == "undelivered":
            await chat.send_text(content.fill(content.messages.sharing.undelivered, name=outcome.name))
        elif status == "preview":
            if outcome.request is not None:
                example = cards.request_card(
                    content, await self._links.name_of(chat.worker), "", chat.worker, outcome.request.id
                )
                await chat.send_card(cards.preview_card(content, outcome.name, example, outcome.request.id))
        elif status == "blocked" or status == "already_answered" or status == "not_for_you":
            return  # an automatic send that the checks stopped: nothing went, nothing to say
        else:
            assert_never(status)
