"""The one package that knows the Bot Framework SDK, the Microsoft 365 Agents SDK and Teams: two channels,
one per SDK (channel.py: botbuilder; agents.py: the Agents SDK), chosen by BOT_SDK, and what they share
(base.py, tokens.py, connector.py), the HTTP front door, the activity handler, the Conversation a dialog gets,
the messenger (the outbox for proactive messages), the app package builder and the terminal preview."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import Settings
    from .base import Channel


def make_channel(settings: Settings, **options: Any) -> Channel:
    """The channel BOT_SDK names (botbuilder or agents); only that SDK is imported."""
    if settings.bot_sdk == "agents":
        from .agents import AgentsChannel

        return AgentsChannel(settings, **options)
    from .channel import BotbuilderChannel

    return BotbuilderChannel(settings, **options)
