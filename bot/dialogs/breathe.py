"""Breathe: a short breathing exercise, any time."""

from __future__ import annotations

from collections.abc import Callable

from ..content import Content
from ..conversation import Conversation
from .registry import command


class BreatheDialogs:
    def __init__(self, content: Callable[[], Content]):
        self._content = content

    @command("breathe")
    async def breathe(self, chat: Conversation) -> None:
        """Four slow breaths, in words."""
        await chat.send_text(self._content().messages.breathe.steps)
