"""Every Adaptive Card the bot sends, built here from content words: a module per feature, on the
blocks in base.py. Cards are plain dicts; the Teams layer sends them."""

from .base import CARD_CONTENT_TYPE, CARD_VERSION, Card, finish

__all__ = ["CARD_CONTENT_TYPE", "CARD_VERSION", "Card", "finish"]
