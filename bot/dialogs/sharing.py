"""Naming a supervisor, sharing consent, the request preview, acknowledgements and the audit log."""
from __future__ import annotations

from typing import Callable

from botbuilder.core import TurnContext

from .. import cards
from ..content import Content
from ..sharing import ROLES, Outcome, SharingService, consent_terms
from ..sharing_store import SharingStore
from .intent import Intent, pid_of
from .replies import send_card


class SharingDialogs:
    def __init__(self, service: SharingService, store: SharingStore, content: Callable[[], Content], workers,
                 schedules):
        self._service = service
        self._store = store
        self._content = content
        self._workers = workers
        self._schedules = schedules

    # The worker's side ------------------------------------------------------------------------------

    async def supervisor(self, turn: TurnContext, intent: Intent) -> None:
        """Who the worker has named, and a form to name someone."""
        content = self._content()
        m = content.messages.sharing
        link = await self._store.link(pid_of(turn))
        if link and link.status in ("pending", "active"):
            status = content.text(f"sharing.status_{link.status}", name=link.supervisor_name, role=m.roles[link.role])
        else:
            status = m.status_none
        body = [cards.text_block(m.supervisor_intro), cards.text_block(status, weight="Bolder")]
        body += cards.text_input("query", m.name_label, "")
        body += cards.choice_input("role", m.role_label, [(r, m.roles[r]) for r in ROLES], "peer_supervisor")
        actions = [cards.submit(m.ask_button, "supervisor_find")]
        if link and link.status in ("pending", "active"):
            actions.append(cards.action(m.end_button, "link_end"))
        actions.append(cards.help_now_action(content))
        await send_card(turn, cards.card(body, actions, status))

    async def find(self, turn: TurnContext, intent: Intent) -> None:
        content = self._content()
        query = str(intent.values.get("query", "")).strip()
        role = str(intent.values.get("role", "other"))
        matches = await self._service.find(pid_of(turn), query) if query else []
        me = await self._workers.get(pid_of(turn))
        if not matches and query and me and (me.email == query.lower() or me.name.lower() == query.lower()):
            await turn.send_activity(content.messages.sharing.not_yourself)
        elif not matches:
            await turn.send_activity(content.text("sharing.not_found", query=query or "?"))
        elif len(matches) > 1 and all(w.email for w in matches):
            # Same display name: show what tells them apart, and nothing more.
            text = content.text("sharing.many_matches", query=query)
            actions = [cards.action(f"{w.name} ({w.email})", "supervisor_pick", target=w.pid, role=role)
                       for w in matches[:5]]
            await send_card(turn, cards.card([cards.text_block(text)], actions, text))
        elif len(matches) > 1:
            await turn.send_activity(content.text("sharing.same_name", query=query))
        else:
            await self._nominated(turn, await self._service.nominate(pid_of(turn), matches[0].pid, role))

    async def pick(self, turn: TurnContext, intent: Intent) -> None:
        target = str(intent.values.get("target", ""))
        await self._nominated(turn, await self._service.nominate(pid_of(turn), target, str(intent.values.get("role"))))

    async def _nominated(self, turn: TurnContext, outcome: Outcome) -> None:
        content = self._content()
        m = content.messages.sharing
        words = {"asked": content.text("sharing.asked", name=outcome.name), "self": m.not_yourself,
                 "declined_before": m.declined_before, "unreachable": m.unreachable,
                 "already_asked": content.text("sharing.already_asked", name=outcome.name),
                 "already_linked": content.text("sharing.already_linked", name=outcome.name),
                 "limit": content.text("sharing.nomination_limit",
                                       count=str(content.rules.supervisor.nominations_per_day))}
        await turn.send_activity(words.get(outcome.status) or content.text("sharing.not_found", query="?"))

    async def end(self, turn: TurnContext, intent: Intent) -> None:
        outcome = await self._service.end_link(pid_of(turn), by_worker=True)
        m = self._content().messages.sharing
        await turn.send_activity(m.link_ended if outcome.status == "ended" else m.already_answered)

    async def keep(self, turn: TurnContext, intent: Intent) -> None:
        outcome = await self._service.keep_link(pid_of(turn))
        m = self._content().messages.sharing
        await turn.send_activity(m.kept if outcome.status == "kept" else m.already_answered)

    async def sharing(self, turn: TurnContext, intent: Intent) -> None:
        """Consent: off by default; shows the named person and the exact message they would get."""
        content = self._content()
        m = content.messages.sharing
        pid = pid_of(turn)
        link, consent = await self._store.link(pid), await self._store.consent(pid)
        if not link or link.status != "active":
            await turn.send_activity(m.consent_no_link)
            return
        me = await self._workers.get(pid)
        example = self._service.request_card(content, me.name, "", pid, "example")
        terms = consent_terms(content, await self._schedules.get(pid), link.supervisor_name)
        body = [cards.text_block(content.text("sharing.consent_intro", name=link.supervisor_name)),
                cards.text_block(terms)]
        body += [dict(block, isSubtle=True) for block in example["body"]]
        if consent.on and consent.link_id == link.id:
            mode = m.mode_auto if consent.mode == "auto" else m.mode_ask
            body.append(cards.text_block(content.text("sharing.consent_on_mode", name=link.supervisor_name, mode=mode),
                                         weight="Bolder"))
            actions = [cards.action(m.turn_off_button, "sharing_off")]
        else:
            body += cards.choice_input("mode", m.mode_label, [("ask", m.mode_ask), ("auto", m.mode_auto)], "ask")
            actions = [cards.submit(m.turn_on_button, "sharing_on", once=cards.once())]
        actions.append(cards.help_now_action(content))
        await send_card(turn, cards.card(body, actions, body[0]["text"]))

    async def sharing_on(self, turn: TurnContext, intent: Intent) -> None:
        content = self._content()
        outcome = await self._service.consent_on(pid_of(turn), str(intent.values.get("mode", "ask")))
        if outcome.status == "on":
            await turn.send_activity(content.text("sharing.consent_on", name=outcome.name))
        else:
            await turn.send_activity(content.messages.sharing.consent_no_link)

    async def no_suggestions(self, turn: TurnContext, intent: Intent) -> None:
        """'Don't suggest this again': the bot never suggests naming someone or sharing again."""
        await self._service.no_suggestions(pid_of(turn))
        await turn.send_activity(self._content().messages.sharing.no_suggestions_done)

    async def sharing_off(self, turn: TurnContext, intent: Intent) -> None:
        m = self._content().messages.sharing
        outcome = await self._service.consent_off(pid_of(turn))
        await turn.send_activity(m.consent_off if outcome.status == "off" else m.consent_already_off)

    async def after_checkin(self, turn: TurnContext) -> None:
        """Run the rule; the worker hears first, in words that fit their real state: a preview, a note
        that it was sent as they chose, why a request is held, or (once ever) a suggestion."""
        content = self._content()
        m = content.messages.sharing
        pid = pid_of(turn)
        outcome = await self._service.after_checkin(pid)
        if outcome.status in ("suggest_name", "suggest_sharing"):
            text = (m.suggest_name if outcome.status == "suggest_name"
                    else content.text("sharing.suggest_sharing", name=outcome.name))
            go = (cards.command_action(m.name_button, "supervisor") if outcome.status == "suggest_name"
                  else cards.command_action(m.sharing_button, "sharing"))
            actions = [go, cards.action(m.no_suggestions_button, "sharing_no_suggestions")]
            await send_card(turn, cards.card([cards.text_block(text)], actions, text))
        elif outcome.status == "held_pending":
            await turn.send_activity(content.text("sharing.held_pending", name=outcome.name))
        elif outcome.status == "held_reconfirm":
            text = content.text("sharing.held_reconfirm", name=outcome.name)
            actions = [cards.action(m.keep_button, "link_keep"), cards.action(m.end_button, "link_end"),
                       cards.command_action(m.change_who_button, "supervisor")]
            await send_card(turn, cards.card([cards.text_block(text)], actions, text))
        elif outcome.status in ("sent_auto", "sending"):
            await turn.send_activity(content.text("sharing.sent_auto", name=outcome.name))
        elif outcome.status == "undelivered":
            await turn.send_activity(content.text("sharing.undelivered", name=outcome.name))
        elif outcome.status == "preview":
            me = await self._workers.get(pid)
            example = self._service.request_card(content, me.name, "", pid, outcome.request.id)
            body = [cards.text_block(content.text("sharing.preview", name=outcome.name))]
            body += [dict(block, isSubtle=True) for block in example["body"]]
            body += cards.text_input("note", m.note_label, "")
            rid = outcome.request.id
            actions = [cards.submit(m.send_button, "request_send", request=rid),
                       cards.action(m.not_now_button, "request_not_now", request=rid),
                       cards.command_action(m.change_who_button, "supervisor"),
                       cards.action(m.stop_asking_button, "request_stop", request=rid)]
            await send_card(turn, cards.card(body, actions, body[0]["text"]))

    async def send(self, turn: TurnContext, intent: Intent) -> None:
        content = self._content()
        m = content.messages.sharing
        outcome = await self._service.send(pid_of(turn), str(intent.values.get("request", "")),
                                           str(intent.values.get("note", "")))
        texts = {"sent": content.text("sharing.sent", name=outcome.name),
                 "sending": content.text("sharing.sending", name=outcome.name),
                 "undelivered": content.text("sharing.undelivered", name=outcome.name),
                 "blocked": m.blocked, "already_answered": m.already_answered, "not_for_you": m.not_for_you}
        await turn.send_activity(texts[outcome.status])

    async def not_now(self, turn: TurnContext, intent: Intent) -> None:
        await self._close(turn, intent, stop=False)

    async def stop(self, turn: TurnContext, intent: Intent) -> None:
        await self._close(turn, intent, stop=True)

    async def _close(self, turn: TurnContext, intent: Intent, stop: bool) -> None:
        m = self._content().messages.sharing
        outcome = await self._service.not_now(pid_of(turn), str(intent.values.get("request", "")), stop=stop)
        await turn.send_activity({"not_now": m.not_now, "stopped": m.stopped}.get(outcome.status, m.already_answered))

    async def nudge(self, turn: TurnContext, intent: Intent) -> None:
        content = self._content()
        outcome = await self._service.nudge(pid_of(turn), str(intent.values.get("request", "")))
        texts = {"nudged": content.text("sharing.nudged", name=outcome.name),
                 "undelivered": content.text("sharing.undelivered", name=outcome.name)}
        await turn.send_activity(texts.get(outcome.status, content.messages.sharing.already_answered))

    async def who_has_seen(self, turn: TurnContext, intent: Intent) -> None:
        """The worker's own audit log, in plain words."""
        content = self._content()
        m = content.messages.sharing
        entries = await self._store.audit(pid_of(turn))
        lines = [f"**{m.audit_title}**"]
        for e in entries:
            template = m.audit_events.get(e.event)
            if template:
                who = e.who if e.who and not e.who_left else m.someone_who_left
                lines.append(f"{e.at[:10]}: " + template.format(who=who))
        if len(lines) == 1:
            lines.append(m.audit_empty)
        await turn.send_activity("\n\n".join(lines))

    # The supervisor's side ---------------------------------------------------------------------------

    async def accept(self, turn: TurnContext, intent: Intent) -> None:
        await self._answer(turn, intent, True)

    async def decline(self, turn: TurnContext, intent: Intent) -> None:
        await self._answer(turn, intent, False)

    async def _answer(self, turn: TurnContext, intent: Intent, accept: bool) -> None:
        content = self._content()
        m = content.messages.sharing
        outcome = await self._service.answer(pid_of(turn), str(intent.values.get("worker", "")),
                                             str(intent.values.get("link", "")), accept)
        texts = {"accepted": content.text("sharing.you_accepted", worker=outcome.name), "declined": m.you_declined,
                 "already_answered": m.already_answered,
                 "not_for_you": m.not_for_you}
        await turn.send_activity(texts[outcome.status])

    async def acknowledge(self, turn: TurnContext, intent: Intent) -> None:
        m = self._content().messages.sharing
        outcome = await self._service.acknowledge(pid_of(turn), str(intent.values.get("worker", "")),
                                                  str(intent.values.get("request", "")))
        texts = {"acknowledged": m.thanks_for_ack, "already_answered": m.already_answered, "not_for_you": m.not_for_you}
        await turn.send_activity(texts[outcome.status])

    async def supervising(self, turn: TurnContext, intent: Intent) -> None:
        """For supervisors: who named them and the link status; nothing else about anyone."""
        content = self._content()
        m = content.messages.sharing
        entries = [e for e in await self._store.supervising(pid_of(turn)) if e.status in ("pending", "active")]
        body = [cards.text_block(m.supervising_title, weight="Bolder", style="heading")]
        body += [cards.text_block(content.text("sharing.supervising_entry", worker=e.worker_name,
                                               role=m.roles.get(e.role, e.role), status=e.status)) for e in entries]
        if not entries:
            body.append(cards.text_block(m.supervising_none))
        actions = [cards.action(f"{m.end_button}: {e.worker_name}", "link_end_supervisor", worker=e.worker_pid)
                   for e in entries if e.status == "active"]
        await send_card(turn, cards.card(body, actions + [cards.help_now_action(content)], m.supervising_title))

    async def end_as_supervisor(self, turn: TurnContext, intent: Intent) -> None:
        m = self._content().messages.sharing
        outcome = await self._service.end_link(str(intent.values.get("worker", "")), by_worker=False,
                                               presser_pid=pid_of(turn))
        await turn.send_activity({"ended": m.link_ended, "not_for_you": m.not_for_you}.get(outcome.status,
                                                                                          m.already_answered))
