"""One-turn answers: help, get help now, about, hide, the welcome, and the kind reply to anything unknown."""

from __future__ import annotations

from collections.abc import Callable

from ..cards import help as help_cards
from ..content import Content
from ..content.views import SupportWords
from ..conversation import Conversation
from .registry import card_action, command

HELP_NOW_SHOWN = "help_now_shown"  # in the turn's notes: the contacts were shown in this turn, never twice


async def send_help_now(
    chat: Conversation, content: SupportWords, lead: str | None = None, first: str | None = None
) -> None:
    """Show the crisis and support contacts (once a turn)."""
    chat.notes[HELP_NOW_SHOWN] = True
    await chat.send_card(help_cards.help_now_card(content, lead, first))


async def send_unknown(chat: Conversation, content: SupportWords) -> None:
    """Answer anything not understood warmly: a few things the bot can do, "Get help now" first."""
    await chat.send_card(help_cards.unknown_card(content))


async def send_welcome(chat: Conversation, content: Content, schedule: str) -> None:
    """Say what the bot is, that it is private and not monitored, when check-ins come, and where help is."""
    await chat.send_card(help_cards.welcome_card(content, schedule))


class HelpDialogs:
    def __init__(self, content: Callable[[], Content]):
        self._content = content

    @command("help")
    async def help(self, chat: Conversation) -> None:
        """List what the bot can do, from the content's command table."""
        await chat.send_card(help_cards.help_card(self._content()))

    @command("help_now")
    async def help_now(self, chat: Conversation) -> None:
        await send_help_now(chat, self._content())

    @command("privacy")
    async def privacy(self, chat: Conversation) -> None:
        """The privacy notice (also linked from the welcome)."""
        await chat.send_card(help_cards.privacy_notice_card(self._content()))

    @command("about")
    async def about(self, chat: Conversation) -> None:
        """Which content version is running and who approved it."""
        await chat.send_text(help_cards.about_text(self._content()))

    @card_action("hide")
    async def hide(self, chat: Conversation) -> None:
        """'Hide': the card the worker pressed it on becomes a neutral line."""
        await chat.replace_card(self._content().messages.hidden)
