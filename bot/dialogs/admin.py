"""Admin commands, for the Entra ids in ADMIN_IDS only; to anyone else they do not exist."""

from __future__ import annotations

from ..cards.admin import report_card
from ..clock import Clock
from ..content import Content, stale_contacts
from ..content.golive import placeholders
from ..content.source import ContentSource
from ..conversation import Conversation
from ..usecases.admin_stats import MIN_GROUP, AdminStats
from ..usecases.directory import DirectoryStatus
from ..usecases.rollout import Rollouts
from .help import send_unknown
from .registry import command

SHOWN = 10  # problems listed in the chat; the rest are counted


def small(count: int) -> bool:
    """A count that could point at someone: 1 to MIN_GROUP - 1 people."""
    return 0 < count < MIN_GROUP


def shown(count: int, few: str) -> str:
    """A small count is replaced by words ("fewer than 10")."""
    return few if small(count) else str(count)


class AdminDialogs:
    def __init__(
        self,
        content: ContentSource,
        stats: AdminStats,
        clock: Clock,
        rollouts: Rollouts,
        directory: DirectoryStatus | None,
    ):
        self._source = content
        self._stats = stats
        self._clock = clock
        self._rollouts = rollouts  # `admin install GROUP-ID` (bot/dialogs/directory.py)
        self._directory = directory  # Microsoft Graph, when it is on: a permission found missing

    @command("admin")
    async def report(self, chat: Conversation) -> None:
        """Content version and reload status, contacts to re-check, delivery health, participation."""
        content = self._source.current
        if not chat.is_admin:
            await send_unknown(chat, content)
            return
        m = content.messages.admin
        error = self._source.last_error
        status = (
            content.fill(
                content.messages.admin.reload_rejected,
                count=str(len(error.problems)),
                when=self._source.last_error_at or "",
            )
            if error
            else m.reload_ok
        )
        now = self._clock.now()
        lines = [content.fill(content.messages.admin.content, version=content.version, status=status)]
        lines += stale_contacts(content, now.date()) or [m.contacts_ok]
        pending = placeholders(content)
        if pending:
            lines.append(content.fill(content.messages.admin.placeholders, count=str(len(pending))))
            lines += [f"- {p}" for p in pending[:SHOWN]]
        r = await self._stats.report(now)
        if r.set_aside:
            # A count of files, never whose: it is not a count of people, so no group minimum applies.
            lines.append(content.fill(content.messages.admin.set_aside, count=str(r.set_aside)))
        few = content.fill(content.messages.admin.few, minimum=str(MIN_GROUP))
        lines.append(
            content.fill(
                content.messages.admin.delivery,
                unreachable=shown(r.unreachable, few),
                uninstalled=shown(r.uninstalled, few),
                undelivered=shown(r.undelivered_30_days, few),
            )
        )
        too_few = content.fill(content.messages.admin.too_few, minimum=str(MIN_GROUP))
        # Neither the count nor what it leaves out may be a small group: "11 of 12" singles one person out.
        lines.append(
            content.fill(content.messages.admin.participation, on=str(r.checkins_on), total=str(r.total))
            if not (small(r.checkins_on) or small(r.total - r.checkins_on))
            else too_few
        )
        for month, checkins, people in r.months:
            lines.append(
                content.fill(content.messages.admin.month, month=month, checkins=str(checkins), people=str(people))
                if people >= MIN_GROUP
                else f"{month}: {too_few}"
            )
        lines += await self._graph_lines(content)
        await chat.send_card(report_card(m.title, lines))

    async def _graph_lines(self, content: Content) -> list[str]:
        """Microsoft Graph on (and each missing permission, named exactly), and each group rollout's counts
        (a count under 10 is shown as words, as every admin figure is)."""
        m = content.messages.directory
        lines: list[str] = []
        if self._directory is not None:
            lines.append(m.admin_on)
            for permission, when in sorted(self._directory.missing.items()):
                lines.append(content.fill(content.messages.directory.admin_missing, permission=permission, when=when))
        few = content.fill(content.messages.admin.few, minimum=str(MIN_GROUP))
        for rollout in await self._rollouts.all():
            lines.append(
                content.fill(
                    content.messages.directory.rollout_line,
                    group=rollout.group,
                    state=m.rollout_states.get(rollout.status, rollout.status),
                    installed=shown(rollout.installed, few),
                    had=shown(rollout.had, few),
                    failed=shown(rollout.failed, few),
                )
            )
        return lines

    @command("admin_reload")
    async def reload(self, chat: Conversation) -> None:
        """Check and load the content files now."""
        if not chat.is_admin:
            await send_unknown(chat, self._source.current)
            return
        ok = await self._source.reload()
        content = self._source.current
        if ok:
            await chat.send_text(content.fill(content.messages.admin.reloaded, version=content.version))
            return
        problems = self._source.last_error.problems if self._source.last_error else []
        # Each problem names its file and line and says how to fix it: an admin in Teams can act on it.
        lines = [content.fill(content.messages.admin.reload_failed, count=str(len(problems)))]
        lines += [f"- {p}" for p in problems[:SHOWN]]
        if len(problems) > SHOWN:
            lines.append(content.fill(content.messages.admin.reload_more, count=str(len(problems) - SHOWN)))
        await chat.send_text("\n\n".join(lines))
