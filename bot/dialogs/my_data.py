"""'my data' and 'delete my data': see it, take it, erase it. Only ever for the worker themselves."""

from __future__ import annotations

from collections.abc import Callable

from ..cards.my_data import erase_card, export_card, held_card, trend_card
from ..content.views import Words
from ..conversation import Conversation
from ..usecases.checkins import Checkins
from ..usecases.data_rights import EXPORT_TTL, DataRights
from .intent import Intent
from .registry import card_action, command


class MyDataDialogs:
    def __init__(self, rights: DataRights, checkins: Checkins, content: Callable[[], Words], base_url: str):
        self._rights = rights
        self._checkins = checkins
        self._content = content
        self._base_url = base_url

    @command("my_data")
    async def show(self, chat: Conversation) -> None:
        """In plain words: what is held. Scores are never listed here; the trend only on request."""
        await chat.send_card(held_card(self._content(), await self._rights.held(chat.worker)))

    @card_action("data_trend")
    async def trend(self, chat: Conversation) -> None:
        content = self._content()
        points = await self._checkins.trend(chat.worker)
        if not points:
            await chat.send_text(content.messages.privacy.trend_empty)
            return
        await chat.send_card(trend_card(content, points))

    @card_action("data_export")
    async def export(self, chat: Conversation) -> None:
        """A one-time download link from the bot's own server, for this worker's data only."""
        token = await self._rights.export_link(chat.worker)
        minutes = int(EXPORT_TTL.total_seconds() // 60)
        await chat.send_card(export_card(self._content(), f"{self._base_url}/export/{token}", minutes))

    @command("delete_my_data")
    async def ask_to_delete(self, chat: Conversation) -> None:
        """Explain exactly what erasure does and cannot do, then ask once more."""
        await chat.send_card(erase_card(self._content(), await self._rights.ask_to_erase(chat.worker)))

    @card_action("erase_confirm")
    async def confirm_delete(self, chat: Conversation, intent: Intent) -> None:
        """Erase, if this is the worker's own, current confirmation; otherwise change nothing."""
        m = self._content().messages.privacy
        erasure = await self._rights.confirm_erase(chat.worker, intent.values.get("nonce"))
        if erasure is None:
            await chat.send_text(m.delete_refused)
            return
        await chat.send_text(m.deleted)
        await self._rights.tell_others(erasure)

    @card_action("erase_cancel")
    async def cancel_delete(self, chat: Conversation) -> None:
        await self._rights.cancel_erase(chat.worker)
        await chat.replace_card(self._content().messages.acted.erase_cancelled)
        await chat.send_text(self._content().messages.privacy.delete_cancelled)
