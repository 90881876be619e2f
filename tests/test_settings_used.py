"""Every setting an admin can edit does something, and every message that takes placeholders has them
filled. A setting the validator accepts but the code ignores would promise something that never happens
(as `reconfirm_after_months` once did), and a placeholder sent unfilled shows a worker "{schedule}"."""

from __future__ import annotations

import ast
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
PATHS = [
    p
    for p in [*(ROOT / "bot").rglob("*.py"), ROOT / "app.py", ROOT / "scheduler.py"]
    if p.name not in ("schema.py", "checks.py", "problems.py")
]
SOURCE = "\n".join(p.read_text() for p in PATHS)


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
    """Read by the code: as an attribute (`.name`) or by name (`getattr(m, "name")`)."""
    return bool(re.search(rf"\.{name}\b", SOURCE)) or f'"{name}"' in SOURCE


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


def _words(owner: ast.expr) -> bool:
    """Whether an attribute's owner is messages.yaml's words: `...messages...`, or the short names the
    code gives a group of them (`m = content.messages.sharing`, `words = content.messages.schedule`)."""
    text = ast.unparse(owner)
    return ".messages" in text or text in ("m", "words", "messages")


def _reads_outside_fill(names: set[str]) -> list[str]:
    """Where a message in `names` is read other than as (part of) the words given to `content.fill`:
    such a read would send its placeholders unfilled."""
    found = []
    for path in PATHS:
        tree = ast.parse(path.read_text())
        filled: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "fill":
                if node.args:
                    filled |= {id(n) for n in ast.walk(node.args[0])}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in names and id(node) not in filled and _words(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    return found


def test_every_message_with_placeholders_is_read_only_to_be_filled():
    """A message whose field declares Fills is reached by its path and handed to `content.fill`; reading
    it as an attribute anywhere else would show a worker "{schedule}". Names shared with a message that
    takes no placeholders (checkin.saved and settings.saved) cannot be told apart here, so are left out."""
    with_fills = {key.rsplit(".", 1)[-1] for key in MESSAGE_PLACEHOLDERS if not key.endswith(".*")}
    plain = {name for key, name in leaves(MessagesFile) if key not in MESSAGE_PLACEHOLDERS}
    names = with_fills - plain
    assert len(names) > 60  # the check covers nearly all of them
    assert not _reads_outside_fill(names)


def test_every_message_with_placeholders_is_filled_somewhere():
    missing = [key for key in MESSAGE_PLACEHOLDERS if not key.endswith(".*") and not used(key, key.rsplit(".", 1)[-1])]
    assert not missing
