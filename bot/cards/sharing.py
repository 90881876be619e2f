"""Naming a supervisor, sharing consent, requests, and the cards a supervisor receives.

What a supervisor receives is only ever: the nomination, the request (no scores, trends or labels,
only the worker's own note if they added one), and a reminder the worker asked for.
"""

from __future__ import annotations

from urllib.parse import quote

from ..content.views import WordsAndRules
from ..records.sharing import ROLES, AuditEntry, Consent, Link, Request, Supervising
from .base import (
    Card,
    action,
    card,
    choice_input,
    command_action,
    heading,
    help_now_action,
    hide_action,
    open_url,
    text_block,
    text_input,
)
from .guide import button_title
from .words import day_words


def chat_link(tenant_id: str, email: str) -> str:
    """A Teams deep link that opens a 1:1 chat with the person (Teams accepts their work email)."""
    return f"https://teams.microsoft.com/l/chat/0/0?tenantId={quote(tenant_id)}&users={quote(email)}"


def request_card(
    content: WordsAndRules,
    worker_name: str,
    note: str,
    worker_pid: str,
    request_id: str,
    lead: str | None = None,
    chat_url: str | None = None,
) -> Card:
    """Exactly what a supervisor receives, with a way to reach the worker when Teams gave their email."""
    m = content.messages.sharing
    days = str(content.rules.supervisor.acknowledge_within_working_days)
    body = [
        text_block(lead or content.fill(content.messages.sharing.supervisor_request, worker=worker_name, days=days))
    ]
    if note:
        body.append(text_block(content.fill(content.messages.sharing.supervisor_note, note=note), spacing="Medium"))
    topic = content.topic("supervision")
    actions = [action(m.ack_button, "request_ack", worker=worker_pid, request=request_id)]
    if chat_url:
        actions.append(open_url(m.chat_button, chat_url))
    actions.append(open_url(button_title(topic), str(topic.link)))
    return card(body, actions, body[0]["text"])


def nudge_card(
    content: WordsAndRules, worker_name: str, worker_pid: str, request: Request, chat_url: str | None = None
) -> Card:
    lead = content.fill(content.messages.sharing.nudge, worker=worker_name)
    return request_card(content, worker_name, request.note, worker_pid, request.id, lead=lead, chat_url=chat_url)


def nomination_card(
    content: WordsAndRules, worker_name: str, worker_pid: str, link: Link, lead: str | None = None
) -> Card:
    """`lead`, when the app was just installed for them: who asked, and that nothing is shared before they accept."""
    m = content.messages.sharing
    role = m.roles[link.role].lower()
    body = [
        text_block(content.fill(content.messages.sharing.nominated_you, worker=worker_name, role=role)),
        text_block(content.fill(content.messages.sharing.what_you_will_see, worker=worker_name)),
    ]
    if lead:
        body.insert(0, text_block(lead, weight="Bolder"))
    actions = [
        action(m.accept_button, "link_accept", worker=worker_pid, link=link.id),
        action(m.decline_button, "link_decline", worker=worker_pid, link=link.id),
    ]
    return card(body, actions, body[0]["text"])


def no_answer_card(content: WordsAndRules, link: Link, request: Request) -> Card:
    m = content.messages.sharing
    days = str(content.rules.supervisor.acknowledge_within_working_days)
    text = content.fill(content.messages.sharing.no_ack, name=link.supervisor_name, days=days)
    actions = [
        action(m.nudge_button, "request_nudge", request=request.id),
        command_action(m.change_who_button, "supervisor"),
        help_now_action(content),
    ]
    return card([text_block(text)], actions, text)


def reconfirm_card(content: WordsAndRules, link: Link, once: str, held: bool = False) -> Card:
    """Keep, end or change the named person (asked every few months, or when a request is held for it)."""
    m = content.messages.sharing
    text = content.fill(m.held_reconfirm if held else m.reconfirm, name=link.supervisor_name)
    actions = [
        action(m.keep_button, "link_keep", once=once),
        action(m.end_button, "link_end"),
        command_action(m.change_who_button, "supervisor"),
    ]
    return card([text_block(text)], actions, text)


def supervisor_card(content: WordsAndRules, link: Link | None) -> Card:
    """Who the worker has named, and a form to name someone."""
    m = content.messages.sharing
    live = link is not None and link.status in ("pending", "active")
    status = (
        content.fill(
            m.status_active if link.status == "active" else m.status_pending,
            name=link.supervisor_name,
            role=m.roles[link.role],
        )
        if link is not None and live
        else m.status_none
    )
    body = [text_block(m.supervisor_intro), text_block(status, weight="Bolder")]
    body += text_input("query", m.name_label)
    body += choice_input("role", m.role_label, [(r, m.roles[r]) for r in ROLES], "peer_supervisor")
    actions = [action(m.ask_button, "supervisor_find")]
    if live:
        actions.append(action(m.end_button, "link_end"))
    actions.append(help_now_action(content))
    return card(body, actions, status)


def matches_card(content: WordsAndRules, query: str, matches: list[tuple[str, str, str]], role: str) -> Card:
    """Same display name: (pid, name, email) of each, to tell them apart, and nothing more."""
    m = content.messages.sharing
    text = content.fill(content.messages.sharing.many_matches, query=query)
    people = [(pid, f"{name} ({email})") for pid, name, email in matches]
    body = [text_block(text), *choice_input("target", m.which_label, people, people[0][0], expanded=True)]
    return card(body, [action(m.ask_button, "supervisor_pick", role=role)], text)


def consent_card(content: WordsAndRules, link: Link, consent: Consent, terms: str, example: Card, once: str) -> Card:
    """Consent: the named person, the rule in plain words, and the exact message they would get."""
    m = content.messages.sharing
    body = [
        text_block(content.fill(content.messages.sharing.consent_intro, name=link.supervisor_name)),
        text_block(terms),
    ]
    body += [dict(block, isSubtle=True) for block in example["body"]]
    if consent.on and consent.link_id == link.id:
        mode = m.mode_auto if consent.mode == "auto" else m.mode_ask
        body.append(
            text_block(
                content.fill(content.messages.sharing.consent_on_mode, name=link.supervisor_name, mode=mode),
                weight="Bolder",
            )
        )
        actions = [action(m.turn_off_button, "sharing_off")]
    else:
        body += choice_input("mode", m.mode_label, [("ask", m.mode_ask), ("auto", m.mode_auto)], "ask")
        actions = [action(m.turn_on_button, "sharing_on", once=once)]
    actions.append(help_now_action(content))
    return card(body, actions, body[0]["text"])


def suggestion_card(content: WordsAndRules, name: str | None) -> Card:
    """Once ever: name someone (no `name`) or turn sharing on for them, or never suggest it again."""
    m = content.messages.sharing
    if name is None:
        text, go = m.suggest_name, command_action(m.name_button, "supervisor")
    else:
        text, go = (
            content.fill(content.messages.sharing.suggest_sharing, name=name),
            command_action(m.sharing_button, "sharing"),
        )
    return card([text_block(text)], [go, action(m.no_suggestions_button, "sharing_no_suggestions")], text)


def preview_card(content: WordsAndRules, name: str, example: Card, request_id: str) -> Card:
    """Before anything is sent: exactly what the named person would get, a box for a note, and choices."""
    m = content.messages.sharing
    body = [text_block(content.fill(content.messages.sharing.preview, name=name))]
    body += [dict(block, isSubtle=True) for block in example["body"]]
    body += text_input("note", m.note_label)
    actions = [
        action(m.send_button, "request_send", request=request_id),
        action(m.not_now_button, "request_not_now", request=request_id),
        command_action(m.change_who_button, "supervisor"),
        action(m.stop_asking_button, "request_stop", request=request_id),
    ]
    return card(body, actions, body[0]["text"])


def supervising_card(content: WordsAndRules, entries: list[Supervising]) -> Card:
    """For supervisors: who named them and the link status; nothing else about anyone."""
    m = content.messages.sharing
    body = [heading(m.supervising_title)]
    body += [
        text_block(
            content.fill(
                content.messages.sharing.supervising_entry,
                worker=e.worker_name,
                role=m.roles[e.role],
                status=m.status_words[e.status],
            )
        )
        for e in entries
    ]
    if not entries:
        body.append(text_block(m.supervising_none))
    active = [(e.worker_pid, e.worker_name) for e in entries if e.status == "active"]
    actions = [help_now_action(content)]
    if active:
        body += choice_input("worker", m.end_which_label, active, active[0][0])
        actions.append(action(m.end_button, "link_end_supervisor"))
    return card(body, actions, m.supervising_title)


def history_card(content: WordsAndRules, entries: list[AuditEntry]) -> Card:
    """ "Who has seen what": each event on its day, naming people as they were named at the time."""
    m = content.messages.sharing
    lines = []
    for e in entries:
        template = m.audit_events.get(e.event)
        if template:
            who = e.who if e.who and not e.who_left else m.someone_who_left
            lines.append(f"{day_words(content, e.at)}: " + template.format(who=who))
    lines = lines or [m.audit_empty]
    body = [heading(m.audit_title)] + [text_block(line) for line in lines]
    return card(body, [hide_action(content)], "\n".join([m.audit_title, *lines]))
