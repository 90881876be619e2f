"""Use-cases: what the bot does, joining the rules (pure decisions), the records (durable state) and
the notices port (messages the bot starts itself). Nothing here knows Teams or builds a card."""

from __future__ import annotations

import importlib
import pkgutil

from .ports import Notice


def declared_notices() -> dict[str, Notice]:
    """Every message the bot starts itself, as the use-case modules declare them (module-level Notices):
    the content check needs words for each, with only its placeholders, and for no other."""
    found: dict[str, Notice] = {}
    for module in pkgutil.iter_modules(__path__):
        names = vars(importlib.import_module(f"{__name__}.{module.name}"))
        for notice in (v for v in names.values() if isinstance(v, Notice)):
            if found.setdefault(notice.name, notice) != notice:
                raise ValueError(f"Two notices are named {notice.name!r}.")
    return found
