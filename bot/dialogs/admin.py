"""Admin commands, for the Entra ids in ADMIN_IDS only; to anyone else they do not exist."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..cards.admin import report_card
from ..clock import Clock
from ..content import Content, stale_contacts
from ..content.golive import placeholders
from ..content.source import ContentSource
from ..conversation import Conversation
from ..usecases.admin_stats import MIN_GROUP, AdminStats
from .help import send_unknown
from .intent import Intent
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
        source: ContentSource,
        stats: AdminStats,
        clock: Clock,
        extra: Callable[[Content], Awaitable[list[str]]] | None = None,
    ):
        self._source = source
        self._stats = stats
        self._clock = clock
        self._extra = extra  # more lines from other features (Microsoft Graph: bot/dialogs/directory.py)

    @command("admin")
    async def report(self, chat: Conversation, intent: Intent) -> None:
        """Content version and reload status, contacts to re-check, delivery health, participation."""
        content = self._source.current
        if not chat.is_admin:
            await send_unknown(chat, content)
            return
        m = content.messages.admin
        error = self._source.last_error
        status = (
            content.text("admin.reload_rejected", count=str(len(error.problems)), when=self._source.last_error_at or "")
            if error
            else m.reload_ok
        )
        now = self._clock.now()
        lines = [content.text("admin.content", version=content.version, status=status)]
        lines += stale_contacts(content, now.date()) or [m.contacts_ok]
        pending = placeholders(content)
        if pending:
            lines.append(content.text("admin.placeholders", count=str(len(pending))))
            lines += [f"- {p}" for p in pending[:SHOWN]]
        r = await self._stats.report(now)
        if r.set_aside:
            # A count of files, never whose: it is not a count of people, so no group minimum applies.
            lines.append(content.text("admin.set_aside", count=str(r.set_aside)))
        few = content.text("admin.few", minimum=str(MIN_GROUP))
        lines.append(
            content.text(
                "admin.delivery",
                unreachable=shown(r.unreachable, few),
                uninstalled=shown(r.uninstalled, few),
                undelivered=shown(r.undelivered_30_days, few),
            )
        )
        too_few = content.text("admin.too_few", minimum=str(MIN_GROUP))
        # Neither the count nor what it leaves out may be a small group: "11 of 12" singles one person out.
        lines.append(
            content.text("admin.participation", on=str(r.checkins_on), total=str(r.total))
            if not (small(r.checkins_on) or small(r.total - r.checkins_on))
            else too_few
        )
        for month, checkins, people in r.months:
            lines.append(
                content.text("admin.month", month=month, checkins=str(checkins), people=str(people))
                if people >= MIN_GROUP
                else f"{month}: {too_few}"
            )
        if self._extra is not None:
            lines += await self._extra(content)
        await chat.send_card(report_card(m.title, lines))

    @command("admin_reload")
    async def reload(self, chat: Conversation, intent: Intent) -> None:
        """Check and load the content files now."""
        if not chat.is_admin:
            await send_unknown(chat, self._source.current)
            return
        ok = await self._source.reload()
        content = self._source.current
        if ok:
            await chat.send_text(content.text("admin.reloaded", version=content.version))
            return
        problems = self._source.last_error.problems if self._source.last_error else []
        # Each problem names its file and line and says how to fix it: an admin in Teams can act on it.
        lines = [content.text("admin.reload_failed", count=str(len(problems)))]
        lines += [f"- {p}" for p in problems[:SHOWN]]
        if len(problems) > SHOWN:
            lines.append(content.text("admin.reload_more", count=str(len(problems) - SHOWN)))
        await chat.send_text("\n\n".join(lines))
