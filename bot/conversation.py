"""The narrow view of a conversation turn that dialogs use. It knows nothing of any SDK: the Teams
layer (bot/teams/) implements it, and so could any other channel."""

from __future__ import annotations

from typing import Any, Protocol


class Conversation(Protocol):
    """One turn with one person: who they are, and the ways to answer them."""

    @property
    def worker(self) -> str:
        """The pseudonymous id of the person writing."""

    @property
    def tenant(self) -> str:
        """Their organisation (Entra tenant id)."""

    @property
    def is_admin(self) -> bool:
        """Whether they are one of the bot's admins (ADMIN_IDS)."""

    @property
    def notes(self) -> dict[str, Any]:
        """Notes for the rest of this turn only (help already shown this turn)."""

    async def send_text(self, text: str) -> None:
        """Answer with plain text."""

    async def send_card(self, card: dict[str, Any]) -> None:
        """Answer with an Adaptive Card (a dict)."""

    async def replace_card(self, text: str) -> None:
        """Replace the card that was pressed with `text` (or send `text` when there is none)."""
