"""Load a content folder, validate it whole, and report every problem with file, line and a fix."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from . import checks
from .golive import placeholders
from .model import Content
from .problems import Problem, line_of
from .schema import FILES, INSTRUMENTS_DIR, ROUNDS_DIR, CrisisRoundFile, InstrumentFile

DEFAULT_DIR = Path(__file__).parent
STALE_AFTER_DAYS = 90


class ContentError(Exception):
    """The content folder has problems; nothing from it was used."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# A check the code using content adds (the crisis guard's): the models and YAML trees by file name -> problems.
Check = Callable[[Mapping[str, Any], Mapping[str, Any]], list[Problem]]
_LOADED: dict[tuple, tuple[tuple, Content]] = {}
_LOADED_LOCK = threading.Lock()


def file_stamps(folder: Path) -> tuple:
    """(name, modified time, size) of every content file: when none changed, the content is the same."""
    names = list(FILES) + [
        f"{d}/{p.name}" for d in (INSTRUMENTS_DIR, ROUNDS_DIR) for p in sorted((folder / d).glob("*.yaml"))
    ]
    stamps: list[tuple[str, int | None, int | None]] = []
    for name in names:
        try:
            stat = (folder / name).stat()
            stamps.append((name, stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            stamps.append((name, None, None))
    return tuple(stamps)


def load_content(
    folder: Path | None = None,
    *,
    checks: Sequence[Check] = (),
    commands: Collection[str] | None = None,
    notices: Mapping[str, Collection[str]] | None = None,
) -> Content:
    """Read and validate every content file in `folder`; raise ContentError listing all problems.

    `checks` are further problems the code using the content finds (the crisis guard compiles its patterns
    and runs the evaluation sets: bot/crisis/from_content.py). `commands` are the command ids the code
    answers (bot/dialogs/catalogue.py): given, messages.yaml must have an entry for each and no other.
    `notices` are the messages the code starts itself, with the placeholders each fills (bot/usecases):
    given, messages.yaml must have words for each, using only those, and for no other.
    A folder whose files have not changed since the last load in this process is not read again
    (validated content never changes)."""
    folder = Path(folder or DEFAULT_DIR)
    known = frozenset(commands) if commands is not None else None
    sent = (
        tuple(sorted((name, tuple(sorted(fills))) for name, fills in notices.items())) if notices is not None else None
    )
    key, stamp = (str(folder.resolve()), tuple(checks), known, sent), file_stamps(folder)
    with _LOADED_LOCK:
        cached = _LOADED.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
    content = _load(folder, tuple(checks), known, notices)
    with _LOADED_LOCK:
        _LOADED[key] = (stamp, content)
    return content


def _load(
    folder: Path,
    extra: tuple[Check, ...],
    commands: frozenset[str] | None,
    notices: Mapping[str, Collection[str]] | None,
) -> Content:
    problems: list[Problem] = []
    models: dict[str, Any] = {}
    trees: dict[str, Any] = {}
    instrument_files = sorted((folder / INSTRUMENTS_DIR).glob("*.yaml"))
    if not instrument_files:
        problems.append(
            Problem(
                f"{INSTRUMENTS_DIR}/",
                None,
                "there are no check-in instruments. Copy instruments/who5.yaml from the shipped bot/content folder.",
            )
        )
    wanted = [(name, model) for name, model in FILES.items()]
    wanted += [(f"{INSTRUMENTS_DIR}/{p.name}", InstrumentFile) for p in instrument_files]
    wanted += [(f"{ROUNDS_DIR}/{p.name}", CrisisRoundFile) for p in sorted((folder / ROUNDS_DIR).glob("*.yaml"))]
    for name, model in wanted:
        tree = _read_yaml(folder / name, name, problems, fast=name in CORPUS_FILES or name.startswith(ROUNDS_DIR))
        if tree is None:
            continue
        trees[name] = tree
        try:
            models[name] = model.model_validate(_plain(tree))
        except ValidationError as exc:
            problems.extend(_explain(name, tree, err) for err in exc.errors())
    problems.extend(checks.cross_checks(models, trees))
    if commands is not None and "messages.yaml" in models:
        problems += checks.known_commands(models["messages.yaml"], trees["messages.yaml"], commands)
    if notices is not None and "messages.yaml" in models:
        problems += checks.known_notices(models["messages.yaml"], trees["messages.yaml"], notices)
    for check in extra:
        problems += check(models, trees)
    if problems:
        order = [name for name, _ in wanted]
        problems.sort(key=lambda p: (order.index(p.file) if p.file in order else len(order), p.line or 0))
        raise ContentError(problems)
    instruments = {m.id: m for name, m in models.items() if name.startswith(INSTRUMENTS_DIR + "/")}
    rounds = {name: m for name, m in models.items() if name.startswith(ROUNDS_DIR + "/")}
    return Content(
        messages=models["messages.yaml"],
        contacts=models["contacts.yaml"],
        guide=models["guide.yaml"],
        supervision=models["supervision.yaml"],
        prompts=models["reflective_prompts.yaml"],
        crisis=models["crisis.yaml"],
        crisis_eval=models["crisis_eval.yaml"],
        crisis_exemplars=models["crisis_exemplars.yaml"],
        crisis_rounds=rounds,
        rules=models["rules.yaml"],
        privacy_notice=models["privacy_notice.yaml"],
        instruments=instruments,
        folder=folder,
    )


def warnings(content: Content, today: dt.date) -> list[str]:
    """Things to fix before go-live or soon, that do not stop the content being used here."""
    return stale_contacts(content, today) + [str(p) for p in placeholders(content)]


def stale_contacts(content: Content, today: dt.date) -> list[str]:
    """Warnings for support contacts not verified in the last 90 days (placeholders have no date)."""
    return [
        f"contacts.yaml: '{c.name}' was last verified on {c.last_verified.isoformat()}, "
        f"over {STALE_AFTER_DAYS} days ago. Check the number and update last_verified."
        for g in content.contacts.groups
        for c in g.contacts
        if c.last_verified is not None and (today - c.last_verified).days > STALE_AFTER_DAYS
    ]


def _read_yaml(path: Path, name: str, problems: list[Problem], fast: bool = False) -> Any:
    if not path.exists():
        problems.append(Problem(name, None, "this file is missing. Copy it from the shipped bot/content folder."))
        return None
    try:
        text = path.read_text(encoding="utf-8")
        tree = _fast_tree(text) if fast else YAML(typ="rt").load(text)
    except (MarkedYAMLError, yaml.MarkedYAMLError) as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problems.append(
            Problem(
                name,
                line,
                f"this is not valid YAML ({exc.problem}). "
                "Check indentation, colons and quotes around text that contains ': '.",
            )
        )
        return None
    except (UnicodeDecodeError, ValueError) as exc:
        problems.append(Problem(name, None, f"cannot be read as UTF-8 text ({exc})."))
        return None
    if not isinstance(tree, CommentedMap):
        problems.append(Problem(name, 1, "the file must be a set of 'key: value' lines, starting with meta:."))
        return None
    return tree


# Long lists of sentences (thousands of lines): read with libyaml, about 30 times faster than the
# round-trip reader the hand-edited files need; lines are kept for problems all the same.
CORPUS_FILES = frozenset({"crisis_exemplars.yaml", "crisis_eval.yaml"})


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


def _fast_tree(text: str) -> Any:
    """The file as the round-trip reader would give it (maps and lists that know their lines)."""
    node = yaml.compose(text, Loader=_FAST_LOADER)
    _no_repeated_keys(node)
    return _commented(yaml.load(text, Loader=_FAST_LOADER), node)


def _no_repeated_keys(node: Any) -> None:
    """A key written twice is a mistake (the round-trip reader refuses it too): say where."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                raise yaml.MarkedYAMLError(problem=f'found duplicate key "{key.value}"', problem_mark=key.start_mark)
            seen.add(key.value)
            _no_repeated_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _no_repeated_keys(item)


def _commented(data: Any, node: Any) -> Any:
    if isinstance(data, dict):
        out = CommentedMap()
        for (key_node, value_node), (key, value) in zip(node.value, data.items(), strict=True):
            out[key] = _commented(value, value_node)
            out.lc.add_kv_line_col(key, [key_node.start_mark.line, key_node.start_mark.column, 0, 0])
        return out
    if isinstance(data, list):
        seq = CommentedSeq()
        for index, (item_node, item) in enumerate(zip(node.value, data, strict=True)):
            seq.append(_commented(item, item_node))
            seq.lc.add_kv_line_col(index, [item_node.start_mark.line, item_node.start_mark.column])
        return seq
    return data


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _describe(tree: Any, loc: tuple) -> str:
    """A readable path, using ids where the YAML has them: "topic 'boundaries'" beats "topics.3"."""
    parts: list[str] = []
    node = tree
    for part in loc:
        child = None
        if isinstance(node, CommentedMap) and part in node:
            child = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            child = node[part]
        if isinstance(part, int):
            # "topics", 3 reads better as "topic 'boundaries'" (or "topic 4" where there is no id).
            noun = parts.pop()[:-1] if parts and parts[-1].endswith("s") else "item"
            named = isinstance(child, CommentedMap) and "id" in child
            parts.append(f"{noun} '{child['id']}'" if named and child is not None else f"{noun} {part + 1}")
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
    "url_parsing": "'{field}' must be a web address starting with https://.",
    "url_scheme": "'{field}' must be a web address starting with https://.",
    "literal_error": "'{field}' must be one of {expected}.",
    "greater_than_equal": "'{field}' must be {ge} or more.",
    "less_than_equal": "'{field}' must be {le} or less.",
    "too_long": "'{field}' has too many entries (at most {max_length}).",
}


def _explain(file: str, tree: Any, err: Mapping[str, Any]) -> Problem:
    loc = tuple(err["loc"])
    field = str(loc[-1]) if loc and not isinstance(loc[-1], int) else "this entry"
    owner = _describe(tree, loc[:-1]) if len(loc) > 1 else "the file"
    fix = _FIXES.get(err["type"])
    text = fix.format(field=field, **(err.get("ctx") or {})) if fix else f"'{field}': {err['msg']}."
    if owner == "the file":
        return Problem(file, line_of(tree, loc), text)
    joiner = " " if text.startswith(("has no", "needs")) else ": "
    return Problem(file, line_of(tree, loc), f"{owner}{joiner}{text}")
