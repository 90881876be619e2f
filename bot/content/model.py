"""Validated content, as the rest of the bot reads it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .schema import Command, ContactsFile, MessagesFile

_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\s\W_]+|[\s\W_]+$")


def normalise_command(text: str) -> str:
    """Lower-case, single-spaced, without surrounding punctuation: how typed commands are matched."""
    return _SPACES.sub(" ", _EDGE_PUNCT.sub("", text.lower())).strip()


@dataclass(frozen=True)
class Content:
    """One consistent, validated set of content files."""

    messages: MessagesFile
    contacts: ContactsFile
    folder: Path
    _words: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for command in self.messages.commands:
            for word in command.words:
                self._words.setdefault(normalise_command(word), command.id)

    def text(self, key: str, **params: str) -> str:
        """The message `key`, with its placeholders filled in."""
        return getattr(self.messages, key).format(**params)

    def command_for(self, typed: str) -> str | None:
        """The command id whose words exactly match what was typed, or None."""
        return self._words.get(normalise_command(typed))

    def command(self, command_id: str) -> Command:
        return next(c for c in self.messages.commands if c.id == command_id)

    @property
    def help_commands(self) -> list[Command]:
        return [c for c in self.messages.commands if c.show_in_help]

    @property
    def version(self) -> str:
        """A short label of what is running, e.g. 'messages 1.2, contacts 1.0'."""
        return ", ".join(f"{name} {meta.version}" for name, meta in self.metas.items())

    @property
    def metas(self) -> dict:
        return {"messages": self.messages.meta, "contacts": self.contacts.meta}
