"""Narrow, typed views of the content: each feature names the part it uses, and mypy holds it to that.

`Content` (model.py) satisfies every view, so the composition root hands out one object and the running
bot still sees an edit everywhere at once; what a feature may read is its view's few members, not all
eleven files. Add a member to a view only when its feature needs it."""

from __future__ import annotations

from typing import Protocol

from .schema import (
    Command,
    ContactsFile,
    GuideFile,
    InstrumentFile,
    MessagesFile,
    PromptsFile,
    RulesFile,
    SupervisionFile,
    Topic,
)


class Rules(Protocol):
    """rules.yaml: the numbers and thresholds the use-cases apply."""

    @property
    def rules(self) -> RulesFile: ...


class Scoring(Rules, Protocol):
    """What scoring a check-in needs: the rules and the instruments."""

    @property
    def instruments(self) -> dict[str, InstrumentFile]: ...


class Words(Protocol):
    """messages.yaml: what the bot says, reached by path and filled through `fill`."""

    @property
    def messages(self) -> MessagesFile: ...

    def fill(self, words: str, /, **params: str) -> str: ...

    def command(self, command_id: str) -> Command: ...

    def topic(self, topic_id: str) -> Topic: ...

    @property
    def help_commands(self) -> list[Command]: ...


class SupportWords(Words, Protocol):
    """Words with the support contacts: "Get help now", the crisis guard's cards, the key numbers."""

    @property
    def contacts(self) -> ContactsFile: ...


class WordsAndRules(Words, Rules, Protocol):
    """Words that state a rule (when a request can go, what settings allow)."""


class GuideWords(Words, Protocol):
    """The Good Practice Guide's topics, with the words around them."""

    @property
    def guide(self) -> GuideFile: ...


class SupervisionWords(Words, Protocol):
    @property
    def supervision(self) -> SupervisionFile: ...


class ReflectWords(Words, Protocol):
    @property
    def prompts(self) -> PromptsFile: ...


class CheckinWords(WordsAndRules, ReflectWords, GuideWords, SupportWords, Scoring, Protocol):
    """A check-in: its instrument, the words around it, the rules on what follows, and what it offers
    after (reflective prompts, a guide topic, the support contacts)."""
