"""Cards for the messages the bot starts itself, by the name a Notice gives them
(`Notice("nomination", card="nomination")`): each builder takes the content and the data the use-case
sent, and returns the messages to send, in order."""

from __future__ import annotations

from collections.abc import Callable

from ..content import Content
from ..outbox import Outgoing
from ..records.sharing import Link, Request
from ..records.workers import Worker
from ..rules import Schedule
from . import checkin as checkin_cards
from . import help as help_cards
from . import sharing as sharing_cards
from .base import once
from .words import describe

Builder = Callable[..., list[Outgoing]]


def checkin(content: Content, instrument: str, nonce: str, welcome_back: Schedule | None) -> list[Outgoing]:
    """A scheduled check-in, after a welcome back when it is the first after a pause."""
    messages = []
    if welcome_back is not None:
        messages.append(
            Outgoing(text=content.fill(content.messages.pause.welcome_back, schedule=describe(content, welcome_back)))
        )
    lead = content.messages.checkin.lead_scheduled
    messages.append(Outgoing(card=checkin_cards.checkin_card(content, instrument, nonce, lead)))
    return messages


def nomination(content: Content, worker: Worker, link: Link, lead: str | None = None) -> list[Outgoing]:
    """To the person a worker named: accept or decline. `lead`: a first line (an invitation, sent to someone
    the app was just installed for, says who asked and that nothing is shared unless they accept)."""
    return [Outgoing(card=sharing_cards.nomination_card(content, worker.name, worker.pid, link, lead=lead))]


def welcome(content: Content, schedule: Schedule) -> list[Outgoing]:
    """The welcome, sent by the bot itself to someone the app was installed for (a group rollout)."""
    return [Outgoing(card=help_cards.welcome_card(content, describe(content, schedule)))]


def reconfirm(content: Content, link: Link) -> list[Outgoing]:
    """To a worker whose named person is due for re-confirmation."""
    return [Outgoing(card=sharing_cards.reconfirm_card(content, link, once()))]


def request(content: Content, worker: Worker, request: Request, nudge: bool = False) -> list[Outgoing]:
    """To a supervisor: the worker would welcome a catch-up (or a reminder of it, asked for by the worker)."""
    # The supervisor can open a chat with the worker when Teams gave the worker's work email.
    chat_url = sharing_cards.chat_link(worker.tenant_id, worker.email) if worker.email else None
    if nudge:
        card = sharing_cards.nudge_card(content, worker.name, worker.pid, request, chat_url)
    else:
        card = sharing_cards.request_card(content, worker.name, request.note, worker.pid, request.id, chat_url=chat_url)
    return [Outgoing(card=card)]


def no_answer(content: Content, link: Link, request: Request) -> list[Outgoing]:
    """To a worker whose request is unacknowledged: remind them, or choose someone else."""
    return [Outgoing(card=sharing_cards.no_answer_card(content, link, request))]


BUILDERS: dict[str, Builder] = {
    "checkin": checkin,
    "nomination": nomination,
    "reconfirm": reconfirm,
    "request": request,
    "no_answer": no_answer,
    "welcome": welcome,
}
