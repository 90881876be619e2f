"""Editing one content file at a time, as the content page does: the checker's problems for an edit in
the words `make check-content` uses, the go-live marks with their lines, the sign-off written into the
file's meta, and a diff.

`Checker.check` runs as an admin types: the folder with the edit in it is loaded whole by the same
loader `make check-content` uses (with the crisis guard's checks, whose results are kept per set of crisis
files, so an edit of any other file takes well under a second), so its problems are exactly those
`make check-content` lists, in its words and order.

`Checker.validate` is the check a save must pass: the same, plus the go-live gate on a live site. Every
method here is synchronous and CPU-bound: callers run them on a worker thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError

from .golive import placeholders
from .loader import ContentError
from .model import Content
from .problems import Problem
from .schema import FILES, INSTRUMENTS_DIR, ROUNDS_DIR

Gate = Callable[[Content], list[Problem]]
Loader = Callable[[Path], Content]  # load_content with what the code needs of the content (compose.content_loader)


def sha(text: str) -> str:
    """What identifies a version of a file's text (the content page's base for a save)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_files(folder: Path) -> list[str]:
    """Every content file of a folder, in the order `make check-content` reports them."""
    names = list(FILES)
    for sub in (INSTRUMENTS_DIR, ROUNDS_DIR):
        names += [f"{sub}/{p.name}" for p in sorted((folder / sub).glob("*.yaml"))]
    return names


def is_content_file(name: str, folder: Path) -> bool:
    """True for the name of one of the folder's content files, and nothing else (no paths of any other kind)."""
    return name in content_files(folder)


@dataclass(frozen=True)
class Mark:
    """Something the go-live gate still refuses, where it is: a <<placeholder>>, an example link, or a
    file not yet signed off. `message` is worded as `make check-content PRODUCTION=1` words it."""

    line: int | None
    text: str  # the placeholder, link or sign-off as written
    message: str


@dataclass(frozen=True)
class Checked:
    problems: list[Problem]  # as `make check-content` words them, every file's, in its order
    marks: list[Mark]  # the edited file's go-live marks (empty while there are problems)
    content: Content | None  # the whole content with the edit, when it has no problems


class Checker:
    """Checks edits of one content folder, one at a time (thread-safe)."""

    def __init__(self, folder: Path, load: Loader, *, gate: Gate | None = None, scratch: Path):
        self.folder = folder
        self.load = load
        self.gate = gate  # a live site: placeholders refuse a save
        self._scratch = scratch / "folder"  # a copy of the folder with an edit in it
        self._lock = threading.Lock()

    def check(self, name: str, text: str) -> Checked:
        """The problems `make check-content` would list for the folder with `name` replaced by `text`."""
        with self._lock:
            try:
                content = self.load(self._with(name, text, self.folder))
            except ContentError as exc:
                return Checked(exc.problems, [], None)
            content = dataclasses.replace(content, folder=self.folder)
            return Checked([], marks(name, text, content), content)

    def validate(self, name: str, text: str, source: Path | None = None) -> list[Problem]:
        """Every problem of the folder `source` (the one served) with `name` replaced by `text`, as a save
        must see it: the complete check, and the go-live gate on a live site. Empty when it may be served."""
        with self._lock:
            try:
                content = self.load(self._with(name, text, source or self.folder))
            except ContentError as exc:
                return exc.problems
            return self.gate(content) if self.gate else []

    def _with(self, name: str, text: str, source: Path) -> Path:
        """A copy of `source` with `name` replaced by `text`. Unchanged files keep their times, so the
        loader's caches still know them."""
        mirror(source, self._scratch)
        (self._scratch / name).write_text(text, encoding="utf-8")
        return self._scratch


def mirror(source: Path, target: Path) -> None:
    """Make `target` a copy of the content files in `source`, copying only what changed (times kept)."""
    wanted = set(content_files(source))
    target.mkdir(parents=True, exist_ok=True)
    for sub in (INSTRUMENTS_DIR, ROUNDS_DIR):
        (target / sub).mkdir(exist_ok=True)
        for stale in (target / sub).glob("*.yaml"):
            if f"{sub}/{stale.name}" not in wanted:
                stale.unlink()
    for name in wanted:
        src, dst = source / name, target / name
        try:
            s = src.stat()
        except FileNotFoundError:
            dst.unlink(missing_ok=True)
            continue
        try:
            d = dst.stat()
            if (d.st_mtime_ns, d.st_size) == (s.st_mtime_ns, s.st_size):
                continue
        except FileNotFoundError:
            pass
        shutil.copy2(src, dst)
    for name in FILES:
        if not (source / name).exists():
            (target / name).unlink(missing_ok=True)


# Go-live marks: what `make check-content PRODUCTION=1` lists for one file, with the line it is on.


def marks(name: str, text: str, content: Content) -> list[Mark]:
    """The go-live gate's problems for the file `name` of `content`, each with its line in `text`."""
    lines = text.splitlines()
    found: list[Mark] = []
    used: dict[str, int] = {}  # how many of each text were placed already, so repeats take later lines
    for problem in placeholders(content):
        if problem.file != name:
            continue
        quoted = re.search(r"placeholder: (<<[^<>]*>>)\. Replace it\.$", problem.message)
        link = re.search(r"links to an example address \((.*)\)\. Use the Trust's own page\.$", problem.message)
        if quoted:
            what = quoted.group(1)
        elif link:
            what = link.group(1)
        else:
            what = "approved_by"
        line = _line_of(lines, what, used.get(what, 0), meta=what == "approved_by")
        used[what] = used.get(what, 0) + 1
        found.append(Mark(line, what, str(problem)))
    return found


def _line_of(lines: list[str], what: str, skip: int, meta: bool = False) -> int | None:
    seen = 0
    for number, line in enumerate(lines, 1):
        hit = re.match(r"\s*approved_by\s*:", line) if meta else what in line
        if hit:
            if seen == skip:
                return number
            seen += 1
    return None


# Sign-off: who approved it and when, written into the file's meta, and the version moved on.

_NUMBER_AT_END = re.compile(r"(\d+)(\D*)$")


def bump(version: str) -> str:
    """The next version: the last number goes up by one ("1.1.0" -> "1.1.1", "3" -> "4"); a version
    without a number gets ".1"."""
    match = _NUMBER_AT_END.search(version)
    if match is None:
        return f"{version}.1"
    number = str(int(match.group(1)) + 1)
    return version[: match.start(1)] + number + match.group(2)


_TOP_META = re.compile(r"^meta:[ \t]*(#.*)?$")


def _meta(text: str) -> tuple[CommentedMap, int] | None:
    """The file's `meta` mapping and the row it starts on, or None when it cannot be read. Only the meta
    block is parsed when it is a block at the top level (as in every content file): a whole file can take
    a second to parse (the crisis exemplars), a few lines of meta a fraction of a millisecond."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if _TOP_META.match(line)), None)
    if start is not None:
        end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in ("", " ", "\t", "#")), len(lines))
        source, offset = "\n".join(lines[start:end]), start
    else:
        source, offset = text, 0
    try:
        tree = YAML(typ="rt").load(source)
    except (MarkedYAMLError, yaml.MarkedYAMLError, ValueError):
        return None
    meta = tree.get("meta") if isinstance(tree, CommentedMap) else None
    return (meta, offset) if isinstance(meta, CommentedMap) else None


def meta_of(text: str) -> dict[str, str]:
    """The file's meta as text (version, approved_by, approved_on), or {} when it cannot be read."""
    found = _meta(text)
    if found is None:
        return {}
    meta = found[0]
    return {k: str(meta[k]) for k in ("version", "approved_by", "approved_on") if k in meta}


def sign_off(text: str, approved_by: str, on: dt.date, current_version: str | None, *, restoring: bool = False) -> str:
    """`text` with meta.approved_by and meta.approved_on set, and meta.version moved on from the version
    now served (unless the admin already gave the file a new version of their own). Only those three
    lines change; a file whose meta cannot be found is returned as it is, for the checker to explain."""
    found = _meta(text)
    if found is None:
        return text
    meta, offset = found
    version = str(meta.get("version", ""))
    if restoring or current_version is None or version == current_version:
        version = bump(current_version or version)
    values = {"version": version, "approved_by": approved_by.strip(), "approved_on": on.isoformat()}
    places = sorted(((meta.lc.key(key), key) for key in values if key in meta), reverse=True)
    lines = text.split("\n")
    for (row, column), key in places:  # from the bottom up, so the rows above stay where they were
        row += offset
        end = _value_end(lines, row, column)
        rendered = values[key] if key == "approved_on" else _quoted(values[key])
        lines[row : end + 1] = [f"{lines[row][:column]}{key}: {rendered}{_comment(lines[end])}"]
    return "\n".join(lines)


def _value_end(lines: list[str], row: int, column: int) -> int:
    """The last line of the value that starts on `row` (a value may continue on deeper-indented lines)."""
    end = row
    for index in range(row + 1, len(lines)):
        line = lines[index]
        if line.strip() and len(line) - len(line.lstrip()) <= column:
            break
        if line.strip():
            end = index
    return end


def _comment(line: str) -> str:
    """A comment at the end of a plain value's line, kept (`  # your own numbering`)."""
    match = re.search(r"""\s+#[^"']*$""", line)
    return match.group(0) if match else ""


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Diffs, for people: what a save or a restore changes, and what another admin changed meanwhile.


def diff(before: str, after: str, context: int = 3) -> list[dict[str, Any]]:
    """A line diff as rows: {"kind": "hunk"|"same"|"removed"|"added", "text", "old", "new"} (line numbers
    in the old and new text, None where a line is not in that text)."""
    old_lines, new_lines = before.splitlines(), after.splitlines()
    rows: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        rows.append(
            {
                "kind": "hunk",
                "text": f"Lines {first[1] + 1} to {last[2]} before, {first[3] + 1} to {last[4]} after",
                "old": None,
                "new": None,
            }
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    {"kind": "same", "text": old_lines[i], "old": i + 1, "new": j1 + i - i1 + 1} for i in range(i1, i2)
                ]
                continue
            if tag in ("replace", "delete"):
                rows += [{"kind": "removed", "text": old_lines[i], "old": i + 1, "new": None} for i in range(i1, i2)]
            if tag in ("replace", "insert"):
                rows += [{"kind": "added", "text": new_lines[j], "old": None, "new": j + 1} for j in range(j1, j2)]
    return rows


def atomic_text(path: Path, text: str) -> None:
    """Replace a content file so that a crash leaves the old text or the new, never a mixture: written
    beside it, flushed to disk, renamed over it, and the folder flushed."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".saving")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # content files are readable, as they were
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
