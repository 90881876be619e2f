"""The shape of every content file, as pydantic models (unknown keys are errors)."""
from __future__ import annotations

import datetime as dt
import string
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]

# Commands the bot's code knows how to handle. Content gives each one its words and help text.
KNOWN_COMMANDS = ("help", "help_now", "about")

# Placeholders each message may use, filled in by the bot's code. Any other {name} is an error.
MESSAGE_PLACEHOLDERS: dict[str, set[str]] = {
    "error": {"ref"},
    "about": {"version", "approved_by", "approved_on", "bot_name"},
    "welcome": {"bot_name"},
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meta(Strict):
    """Sign-off recorded in every file."""

    version: Text
    approved_by: Text
    approved_on: dt.date


class Command(Strict):
    id: Ident
    words: list[Text] = Field(min_length=1)
    title: Text
    help: Text
    show_in_help: bool = True

    @field_validator("words")
    @classmethod
    def _normalise(cls, words: list[str]) -> list[str]:
        return [" ".join(w.lower().split()) for w in words]


class Buttons(Strict):
    get_help_now: Text
    help: Text


class MessagesFile(Strict):
    meta: Meta
    bot_name: Text
    welcome: Text
    help_intro: Text
    unknown: Text
    personal_only: Text
    error: Text
    about: Text
    help_now_title: Text
    help_now_intro: Text
    not_monitored: Text
    buttons: Buttons
    commands: list[Command] = Field(min_length=1)


class Contact(Strict):
    id: Ident
    name: Text
    how: Text
    when: str = ""
    url: str = ""
    last_verified: dt.date


class ContactGroup(Strict):
    id: Ident
    title: Text
    contacts: list[Contact] = Field(min_length=1)


class ContactsFile(Strict):
    meta: Meta
    groups: list[ContactGroup] = Field(min_length=1)


# File name -> model. Every file listed here must exist in a content folder.
FILES: dict[str, type[Strict]] = {
    "messages.yaml": MessagesFile,
    "contacts.yaml": ContactsFile,
}


def placeholders(text: str) -> set[str]:
    """The {names} used in a message."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
