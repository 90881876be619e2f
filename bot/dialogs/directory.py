"""`admin install GROUP-ID` and what the admin report says about Microsoft Graph (bot/usecases/rollout.py,
bot/usecases/directory.py). For the Entra ids in ADMIN_IDS only; to anyone else the command does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

from ..content import Content
from ..conversation import Conversation
from ..usecases.directory import DirectoryStatus
from ..usecases.rollout import Rollouts
from .admin import shown
from .help import send_unknown
from .intent import Intent
from .registry import command


class DirectoryDialogs:
    def __init__(self, rollouts: Rollouts, status: DirectoryStatus | None, content: Callable[[], Content]):
        self._rollouts = rollouts
        self._status = status
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

    async def admin_lines(self, content: Content) -> list[str]:
        """For the admin report: Graph on or off, each missing permission (named exactly), each rollout's
        counts (a count under 10 is shown as words, as every admin figure is)."""
        m = content.messages.directory
        lines: list[str] = []
        if self._status is not None:
            lines.append(m.admin_on)
            for permission, when in sorted(self._status.missing.items()):
                lines.append(content.text("directory.admin_missing", permission=permission, when=when))
        few = content.text("admin.few", minimum="10")
        for rollout in await self._rollouts.all():
            lines.append(
                content.text(
                    "directory.rollout_line",
                    group=rollout.group,
                    state=m.rollout_states.get(rollout.status, rollout.status),
                    installed=shown(rollout.installed, few),
                    had=shown(rollout.had, few),
                    failed=shown(rollout.failed, few),
                )
            )
        return lines
