"""Handlers declare what they answer, once: `@command("check_in")` for a command (its words and help
live in content), `@card_action("checkin_submit")` for a card button, `@typed` for free text they may
claim. A handler takes the turn's Conversation, and the Intent only if it reads it. The router is built
from these marks; tests/test_commands.py fails when content, the help card and the handlers disagree."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..conversation import Conversation
from .intent import Intent

Handler = Callable[[Conversation, Intent], Awaitable[None]]
TextHandler = Callable[[Conversation, Intent], Awaitable[bool]]
F = TypeVar("F", bound=Callable[..., Any])
_MARK = "_answers"


def command(*ids: str) -> Callable[[F], F]:
    """This method answers these commands (typed words or command buttons)."""
    return _mark(*(("command", i) for i in ids))


def card_action(*names: str) -> Callable[[F], F]:
    """This method answers presses of card buttons with these action names."""
    return _mark(*(("action", n) for n in names))


def typed(fn: F) -> F:
    """This method may claim free text (it returns True when it did)."""
    return _mark(("typed", fn.__name__))(fn)


def _mark(*marks: tuple[str, str]) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        setattr(fn, _MARK, getattr(fn, _MARK, ()) + marks)
        return fn

    return wrap


def declared(kind: str, *classes: type) -> frozenset[str]:
    """The ids of one kind ("command" or "action") that these dialog classes answer."""
    return frozenset(
        key
        for cls in classes
        for name in dir(cls)
        for mark_kind, key in getattr(getattr(cls, name), _MARK, ())
        if mark_kind == kind
    )


class Answers:
    """Every command, card action and free-text handler of a set of dialog objects."""

    def __init__(self, *dialogs: object):
        self.commands: dict[str, Handler] = {}
        self.actions: dict[str, Handler] = {}
        self.typed: list[TextHandler] = []
        for dialog in dialogs:
            for name in dir(type(dialog)):
                for kind, key in getattr(getattr(type(dialog), name), _MARK, ()):
                    self._add(kind, key, getattr(dialog, name))

    def _add(self, kind: str, key: str, method: Any) -> None:
        handler = _with_intent(method)
        if kind == "typed":
            self.typed.append(handler)
            return
        table = self.commands if kind == "command" else self.actions
        if key in table:
            raise ValueError(f"Two handlers answer the {kind} {key!r}.")
        table[key] = handler


def _with_intent(method: Any) -> Any:
    """Every handler is called with (chat, intent); one that takes only the chat is given only that."""
    if len(inspect.signature(method).parameters) >= 2:
        return method

    async def chat_only(chat: Conversation, _intent: Intent) -> Any:
        return await method(chat)

    return chat_only
