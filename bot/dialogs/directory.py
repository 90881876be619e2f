"""`admin install GROUP-ID`: install the app for every member of an Entra group (bot/usecases/rollout.py);
its counts are in the admin report (bot/dialogs/admin.py). For the Entra ids in ADMIN_IDS only; to anyone
else the command does not exist."""

from __future__ import annotations

from typing import assert_never

from ..content.source import ContentSource
from ..conversation import Conversation
from ..usecases.rollout import Rollouts
from .help import send_unknown
from .intent import Intent
from .registry import command


class DirectoryDialogs:
    def __init__(self, rollouts: Rollouts, content: ContentSource):
        self._rollouts = rollouts
        self._content = content

    @command("admin_install")
    async def install(self, chat: Conversation, intent: Intent) -> None:
        """Install the app for every member of an Entra group, paced; counts in `admin`."""
        content = self._content()
        if not chat.is_admin:
            await send_unknown(chat, content)
            return
        m = content.messages.directory
        outcome = await self._rollouts.start(chat.worker, intent.argument)
        status = outcome.status
        if status == "started":
            await chat.send_text(m.rollout_started)
        elif status == "running":
            await chat.send_text(m.rollout_running)
        elif status == "bad_group":
            await chat.send_text(m.rollout_bad_group)
        elif status == "off":
            await chat.send_text(m.rollout_off)
        else:
            assert_never(status)
