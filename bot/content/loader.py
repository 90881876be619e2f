"""Load a content folder, validate it whole, and report every problem with file, line and a fix."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from .schema import FILES, KNOWN_COMMANDS, MESSAGE_PLACEHOLDERS, placeholders
from .model import Content

DEFAULT_DIR = Path(__file__).parent
STALE_AFTER_DAYS = 90


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class ContentError(Exception):
    """The content folder has problems; nothing from it was used."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_content(folder: Path | None = None) -> Content:
    """Read and validate every content file in `folder`; raise ContentError listing all problems."""
    folder = Path(folder or DEFAULT_DIR)
    problems: list[Problem] = []
    models: dict[str, Any] = {}
    trees: dict[str, Any] = {}
    for name, model in FILES.items():
        tree = _read_yaml(folder / name, problems)
        if tree is None:
            continue
        trees[name] = tree
        try:
            models[name] = model.model_validate(_plain(tree))
        except ValidationError as exc:
            problems.extend(_explain(name, tree, err) for err in exc.errors())
    problems.extend(_cross_checks(models, trees))
    if problems:
        order = list(FILES)
        problems.sort(key=lambda p: (order.index(p.file) if p.file in order else len(order), p.line or 0))
        raise ContentError(problems)
    return Content(messages=models["messages.yaml"], contacts=models["contacts.yaml"], folder=folder)


def stale_contacts(content: Content, today: dt.date) -> list[str]:
    """Warnings for support contacts not verified in the last 90 days."""
    return [
        f"contacts.yaml: '{c.name}' was last verified on {c.last_verified.isoformat()}, "
        f"over {STALE_AFTER_DAYS} days ago. Check the number and update last_verified."
        for g in content.contacts.groups
        for c in g.contacts
        if (today - c.last_verified).days > STALE_AFTER_DAYS
    ]


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    if not path.exists():
        problems.append(Problem(path.name, None, "this file is missing. Copy it from the shipped bot/content folder."))
        return None
    try:
        tree = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problems.append(Problem(path.name, line, f"this is not valid YAML ({exc.problem}). "
                                "Check indentation, colons and quotes around text that contains ': '."))
        return None
    except (UnicodeDecodeError, ValueError) as exc:
        problems.append(Problem(path.name, None, f"cannot be read as UTF-8 text ({exc})."))
        return None
    if not isinstance(tree, CommentedMap):
        problems.append(Problem(path.name, 1, "the file must be a set of 'key: value' lines, starting with meta:."))
        return None
    return tree


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _line_of(tree: Any, loc: tuple) -> int | None:
    """The 1-based line of the deepest part of `loc` that exists in the YAML tree."""
    node, line = tree, 1
    for part in loc:
        try:
            if isinstance(node, CommentedMap) and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return line


def _describe(tree: Any, loc: tuple) -> str:
    """A readable path, using ids where the YAML has them: "topic 'boundaries'" beats "topics.3"."""
    parts, node = [], tree
    for part in loc:
        child = None
        if isinstance(node, CommentedMap) and part in node:
            child = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            child = node[part]
        if isinstance(part, int) and isinstance(child, CommentedMap) and "id" in child:
            parts.append(f"'{child['id']}'")
        elif isinstance(part, int):
            parts.append(f"item {part + 1}")
        else:
            parts.append(str(part))
        node = child
    return " > ".join(parts) or "the file"


_FIXES = {
    "missing": "has no '{field}'. Add it.",
    "extra_forbidden": "'{field}' is not a setting this file knows. Check the spelling or remove it.",
    "string_too_short": "'{field}' is empty. Write the text.",
    "too_short": "'{field}' needs at least one entry.",
    "date_from_datetime_parsing": "'{field}' must be a date like 2026-11-25.",
    "date_parsing": "'{field}' must be a date like 2026-11-25.",
    "date_type": "'{field}' must be a date like 2026-11-25.",
    "string_type": "'{field}' must be text.",
    "string_pattern_mismatch": "'{field}' must be lower-case letters, digits and _ (like 'role_clarity').",
    "bool_type": "'{field}' must be true or false.",
    "int_parsing": "'{field}' must be a whole number.",
    "list_type": "'{field}' must be a list (lines starting with '- ').",
    "model_type": "'{field}' must be a group of 'key: value' lines.",
}


def _explain(file: str, tree: Any, err: dict) -> Problem:
    loc = tuple(err["loc"])
    field = str(loc[-1]) if loc and not isinstance(loc[-1], int) else "this entry"
    owner = _describe(tree, loc[:-1]) if len(loc) > 1 else "the file"
    fix = _FIXES.get(err["type"])
    text = fix.format(field=field) if fix else f"'{field}': {err['msg']}."
    if owner == "the file":
        return Problem(file, _line_of(tree, loc), text)
    joiner = " " if text.startswith(("has no", "needs")) else ": "
    return Problem(file, _line_of(tree, loc), f"{owner}{joiner}{text}")


def _cross_checks(models: dict[str, Any], trees: dict[str, Any]) -> list[Problem]:
    """Checks across entries and files; each runs when the files it needs passed their schema."""
    problems: list[Problem] = []
    if "messages.yaml" in models:
        messages, tree = models["messages.yaml"], trees["messages.yaml"]
        problems += _check_unique(trees, "messages.yaml", ("commands",), [c.id for c in messages.commands], "command")
        problems += _check_commands(messages, tree)
        problems += _check_placeholders(messages, tree)
    if "contacts.yaml" in models:
        contacts = models["contacts.yaml"]
        problems += _check_unique(trees, "contacts.yaml", ("groups",), [g.id for g in contacts.groups], "group")
    return problems


def _check_unique(trees, file: str, loc: tuple, ids: list[str], what: str) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, ident in enumerate(ids):
        if ident in seen:
            problems.append(Problem(file, _line_of(trees[file], loc + (index,)),
                                    f"{what} id '{ident}' is used twice. Each {what} needs its own id."))
        seen.add(ident)
    return problems


def _check_commands(messages, tree) -> list[Problem]:
    problems = []
    ids = [c.id for c in messages.commands]
    for index, command in enumerate(messages.commands):
        if command.id not in KNOWN_COMMANDS:
            problems.append(Problem("messages.yaml", _line_of(tree, ("commands", index)),
                                    f"command '{command.id}' is not one the bot can do. "
                                    f"Known commands: {', '.join(KNOWN_COMMANDS)}."))
    for missing in sorted(set(KNOWN_COMMANDS) - set(ids)):
        problems.append(Problem("messages.yaml", _line_of(tree, ("commands",)),
                                f"command '{missing}' has no entry, so it would have no words or help text. Add it."))
    owner: dict[str, str] = {}
    for index, command in enumerate(messages.commands):
        for word in command.words:
            if word in owner and owner[word] != command.id:
                problems.append(Problem("messages.yaml", _line_of(tree, ("commands", index, "words")),
                                        f"the words '{word}' are used by both '{owner[word]}' and '{command.id}'."))
            owner.setdefault(word, command.id)
    return problems


def _check_placeholders(messages, tree) -> list[Problem]:
    problems = []
    for key in type(messages).model_fields:
        value = getattr(messages, key)
        if not isinstance(value, str):
            continue
        try:
            used = placeholders(value)
        except ValueError:
            problems.append(Problem("messages.yaml", _line_of(tree, (key,)),
                                    f"'{key}' has an unmatched {{ or }}. Use {{{{ and }}}} for literal braces."))
            continue
        allowed = MESSAGE_PLACEHOLDERS.get(key, set())
        for name in sorted(used - allowed):
            hint = f"Available here: {', '.join('{' + a + '}' for a in sorted(allowed))}." if allowed else "This message takes no placeholders."
            problems.append(Problem("messages.yaml", _line_of(tree, (key,)),
                                    f"'{key}' uses the placeholder {{{name}}}, which does not exist. {hint}"))
    return problems
