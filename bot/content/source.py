"""The content the bot serves now, and safe reloading: a new set is used only once it validates."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .loader import ContentError, file_stamps, load_content
from .model import Content
from .problems import Problem

Gate = Callable[[Content], list[Problem]]
Loader = Callable[[Path | None], Content]  # load_content, with what the code needs of the content

log = logging.getLogger("bot.content")


class ContentSource:
    """Holds the last good content; reloads when files change, keeping the old set on a bad edit."""

    def __init__(self, content: Content, load: Loader = load_content, gate: Gate | None = None):
        self._content = content
        self._load = load  # with what the code needs of the content (commands, notices, the guard's checks)
        self._gate = gate  # further problems that refuse a reload (a live site: no placeholders)
        self._stamp = file_stamps(content.folder)
        self.last_error: ContentError | None = None
        self.last_error_at: str | None = None

    @classmethod
    async def open(
        cls, folder: Path | None = None, load: Loader = load_content, gate: Gate | None = None
    ) -> ContentSource:
        """Load and validate content at start-up; raises ContentError so start-up fails loudly. `gate`:
        further problems that refuse the content (a live site refuses placeholders)."""
        content = await asyncio.to_thread(load, folder)
        gated = gate(content) if gate else []
        if gated:
            raise ContentError(gated)
        return cls(content, load, gate)

    @property
    def current(self) -> Content:
        return self._content

    def __call__(self) -> Content:
        return self._content

    async def reload(self) -> bool:
        """Validate the folder again; switch to it only if it is valid. True when the new set is live."""
        folder = self._content.folder
        stamp = await asyncio.to_thread(file_stamps, folder)
        try:
            fresh = await asyncio.to_thread(self._load, folder)
            gated = self._gate(fresh) if self._gate else []
            if gated:
                raise ContentError(gated)
        except ContentError as exc:
            self._stamp, self.last_error = stamp, exc
            self.last_error_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            log.error(
                "content_reload_rejected problems=%d; still serving version %s:\n%s",
                len(exc.problems),
                self._content.version,
                exc,
            )
            return False
        self._content, self._stamp, self.last_error, self.last_error_at = fresh, stamp, None, None
        log.info("content_reloaded version=%s", fresh.version)
        return True

    async def reload_if_changed(self) -> bool | None:
        """Reload when any content file changed since the last look; None when nothing changed."""
        stamp = await asyncio.to_thread(file_stamps, self._content.folder)
        if stamp == self._stamp:
            return None
        return await self.reload()

    async def watch(self, interval: float = 2.0) -> None:
        """Poll the content folder for edits until cancelled."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.reload_if_changed()
            except Exception:
                log.exception("content_watch_failed")
