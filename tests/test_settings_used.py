"""Every setting an admin can edit does something, and every message that takes placeholders has them
filled. A setting the validator accepts but the code ignores would promise something that never happens
(as `reconfirm_after_months` once did), and a placeholder sent unfilled shows a worker "{schedule}"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.content.schema import (
    MESSAGE_PLACEHOLDERS,
    ContactsFile,
    CrisisFile,
    GuideFile,
    InstrumentFile,
    MessagesFile,
    PrivacyNoticeFile,
    PromptsFile,
    RulesFile,
    SupervisionFile,
)

ROOT = Path(__file__).resolve().parent.parent
# The code that uses content: everything but the content package's own schema and checks.
SOURCE = "\n".join(
    p.read_text()
    for p in [*(ROOT / "bot").rglob("*.py"), ROOT / "app.py", ROOT / "scheduler.py"]
    if p.name not in ("schema.py", "checks.py", "problems.py")
)


def leaves(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str]]:
    """(dotted key, field name) of every field a content file can set, through nested groups."""
    out = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        inner = getattr(annotation, "__args__", (annotation,))
        nested = [t for t in inner if isinstance(t, type) and issubclass(t, BaseModel)]
        if nested and name != "meta":
            out += leaves(nested[0], f"{prefix}{name}.")
        elif name != "meta":
            out.append((prefix + name, name))
    return out


def used(dotted: str, name: str) -> bool:
    """Read by the code: as an attribute (`.name`), by name (`getattr(m, "name")`), or as a message key
    in `content.text("a.b")`, including keys built from a status (`f"sharing.status_{status}"`)."""
    prefix = dotted.rsplit("_", 1)[0] + "_{"
    return (
        bool(re.search(rf"\.{name}\b", SOURCE))
        or f'"{dotted}"' in SOURCE
        or f'"{name}"' in SOURCE
        or f'f"{prefix}' in SOURCE
    )


FILES = [
    RulesFile,
    MessagesFile,
    ContactsFile,
    GuideFile,
    SupervisionFile,
    PromptsFile,
    CrisisFile,
    InstrumentFile,
    PrivacyNoticeFile,
]


@pytest.mark.parametrize("model", FILES, ids=lambda m: m.__name__)
def test_every_setting_in_the_content_files_is_used(model):
    unused = [dotted for dotted, name in leaves(model) if not used(dotted, name)]
    assert not unused, f"{model.__name__}: these settings are accepted but never used: {unused}"


@pytest.mark.parametrize("key", sorted(MESSAGE_PLACEHOLDERS))
def test_every_message_with_placeholders_is_always_filled(key):
    """Filled means sent through `content.text(key, ...)`; reading it as an attribute would send the braces."""
    if key.endswith(".*"):
        return  # a table of messages (audit events), each formatted where it is shown
    parent, leaf = key.rsplit(".", 1) if "." in key else ("", key)
    dynamic = [f'"{parent}.{{', f'f"{parent}.{{'] + ([f'f"{key.rsplit("_", 1)[0]}_{{'] if "_" in leaf else [])
    assert f'"{key}"' in SOURCE or any(d in SOURCE for d in dynamic), f"{key} is never filled by content.text"
    if sum(name == leaf for _, name in leaves(MessagesFile)) > 1:
        return  # the same name in another group (checkin.saved has no placeholders): cannot tell them apart
    direct = re.findall(rf"\b(?:m|messages|content\.messages(?:\.\w+)?)\.{leaf}\b", SOURCE)
    assert not direct, f"{key} is read directly somewhere, so its placeholders would be sent unfilled"
