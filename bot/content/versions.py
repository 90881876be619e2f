"""Every saved version of every content file, who saved it, and the folder the bot serves content from.

Two ways to keep content, one interface:

- **Files** (no DATABASE_URL): the files in CONTENT_DIR are the content, readable in git. A save checks
  that the file on disk is still the one the admin started from, then replaces it atomically; the
  running bot reloads it at once. Every version saved from the content page (and the file as it was
  before the first save) is also kept in the data store, with who saved it, so any can be restored.
- **Database** (DATABASE_URL): saved versions live in the database, and the shipped files in CONTENT_DIR
  stay the defaults for every file nobody has saved. Each instance serves a folder of its own (a copy of
  the defaults with the newest saved versions written over them) and brings it up to date every couple
  of seconds (`sync`), so every instance serves the newest version within seconds. `python -m
  bot.content export DIR` writes that folder back to files.

A save is checked whole (`validate`: the complete checker, and the go-live gate on a live site) against
exactly the content it will join: on the database, if any file changed in between, the check runs again
on the new content before anything is written. An invalid version is never stored, so no instance ever
serves one. Two admins saving the same file from the same starting version: the second is refused with
`Conflict`, never written over the first.

The versions are documents of the bot's store (`content/index`: one row per version, without its text;
`content/texts/<id>`: each text), so they are backed up, encrypted and copied with every other record.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .editing import atomic_text, content_files, meta_of, mirror, sha
from .loader import file_stamps
from .problems import Problem

T = TypeVar("T")
Tables = dict[str, dict[str, Any]]
Validate = Callable[[str, str, Path], Awaitable[list[Problem]]]

log = logging.getLogger("bot.content")
INDEX = "content/index"
TEXTS = "content/texts"
ATTEMPTS = 3  # checks run again when another instance changed the content meanwhile


class Doc(Protocol):
    async def read(self, fn: Callable[[Tables], T]) -> T: ...

    async def write(self, fn: Callable[[Tables], T]) -> T: ...

    async def delete(self) -> None: ...


class Documents(Protocol):
    """What this needs of the bot's store (bot/storage): named documents, each written atomically."""

    def shard(self, name: str) -> Doc: ...


def admin_handle(object_id: str) -> str:
    """A short, stable name for an admin in logs: never their name, and not their Entra id either (the
    content page's history shows both beside it, so an operator can match a log line to a person)."""
    return hashlib.sha256(f"peer-wellbeing-admin:{object_id.lower()}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Author:
    """Who saves: the name and Entra object id from their Teams sign-in ("local" in local mode)."""

    name: str
    object_id: str

    @property
    def handle(self) -> str:
        return admin_handle(self.object_id)


@dataclass(frozen=True)
class Version:
    file: str
    number: int  # 1, 2, 3 ... per file
    sha: str
    saved_by: str  # the admin's name ("" for the file as it was found)
    admin_id: str  # their Entra object id ("local" in local mode, "" for the file as it was found)
    admin: str  # admin_handle(admin_id): what logs name them by
    saved_at: str  # UTC, ISO 8601
    approved_by: str
    approved_on: str
    meta_version: str
    action: str  # "saved", "restored", or "found": the file as it was before the first save from the page
    restored_from: int | None
    text_id: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> Version:
        return cls(**{k: row.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Current:
    """A file as the bot serves it now, and which saved version it is (None: the shipped file, or in files
    mode a file changed outside the content page since its last save)."""

    file: str
    text: str
    sha: str
    version: Version | None


class Conflict(Exception):
    """The file changed since the admin opened it (another admin saved it, or someone edited the file)."""

    def __init__(self, current: Current):
        super().__init__("the file changed since it was opened")
        self.current = current


class Refused(Exception):
    """The content with this version would have problems: nothing was saved."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class Busy(Exception):
    """Other saves kept changing the content while this one was checked: nothing was saved; try again."""


class _Moved(Exception):
    """The content changed (another instance saved) between the check and the write."""


@dataclass(frozen=True)
class Meta:
    """What a save records beside the text."""

    approved_by: str
    approved_on: str
    meta_version: str
    action: str = "saved"
    restored_from: int | None = None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ContentVersions:
    """Versions of the content files, and the folder the bot serves (see the module's docstring)."""

    def __init__(
        self,
        documents: Documents,
        defaults: Path,
        *,
        shared: bool,
        now: Callable[[], dt.datetime] = _utc_now,
    ):
        self._docs = documents
        self.defaults = defaults  # CONTENT_DIR (or the shipped bot/content)
        self.shared = shared
        self._now = now
        self._lock = asyncio.Lock()  # one save at a time in this process
        self._overlay: Path | None = None
        self._served: dict[str, str] = {}  # file -> sha of what the overlay holds (shared mode)
        self._generation = -1

    @property
    def folder(self) -> Path:
        """The folder the bot serves content from."""
        return self._overlay if self._overlay is not None else self.defaults

    async def open(self) -> Path:
        """Prepare the folder to serve (in shared mode, the defaults with the newest versions over them)."""
        if self.shared:
            self._overlay = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="peer-wellbeing-content-"))
            await asyncio.to_thread(mirror, self.defaults, self._overlay)
            await self.sync()
        return self.folder

    async def close(self) -> None:
        if self._overlay is not None:
            await asyncio.to_thread(shutil.rmtree, self._overlay, True)
            self._overlay = None

    # Reading.

    async def history(self, name: str) -> list[Version]:
        """Every stored version of a file, newest first."""
        rows = await self._docs.shard(INDEX).read(lambda data: list(data.get("versions", {}).values()))
        return sorted((Version.of(r) for r in rows if r["file"] == name), key=lambda v: v.number, reverse=True)

    async def text(self, name: str, number: int) -> str | None:
        """The text of version `number` of a file, or None when there is no such version."""
        found = next((v for v in await self.history(name) if v.number == number), None)
        return await self._text(found.text_id) if found else None

    async def current(self, name: str) -> Current:
        """The file as served now (in shared mode, after catching up with the database)."""
        if self.shared:
            await self.sync()
        text = await asyncio.to_thread((self.folder / name).read_text, encoding="utf-8")
        digest = sha(text)
        latest = next(iter(await self.history(name)), None)
        return Current(name, text, digest, latest if latest is not None and latest.sha == digest else None)

    # Saving.

    async def save(self, name: str, text: str, base: str, author: Author, meta: Meta, validate: Validate) -> Version:
        """Store `text` as the newest version of `name`, if the file is still the version `base` (a sha)
        and the content with it passes `validate`. Raises Conflict, Refused or Busy, and then nothing
        was written."""
        async with self._lock:
            for _attempt in range(ATTEMPTS):
                current = await self.current(name)
                if current.sha != base:
                    raise Conflict(current)
                generation = self._generation
                problems = await validate(name, text, self.folder)
                if problems:
                    raise Refused(problems)
                try:
                    return await self._commit(name, text, current, generation, author, meta)
                except _Moved:
                    continue
            raise Busy()

    async def _commit(
        self, name: str, text: str, current: Current, generation: int, author: Author, meta: Meta
    ) -> Version:
        texts: list[str] = []
        found_id = None
        if current.version is None:
            # The file as it was before this save (shipped, or edited outside the page): kept, so it can be restored.
            found_id = await self._put_text(name, current.text)
            texts.append(found_id)
        text_id = await self._put_text(name, text)
        texts.append(text_id)
        at = self._now().astimezone(dt.UTC).isoformat(timespec="seconds")
        digest = sha(text)

        def append(data: Tables) -> Version:
            rows = data.setdefault("versions", {})
            head = data.setdefault("head", {}).setdefault("1", {"generation": 0})
            if self.shared and head["generation"] != generation:
                raise _Moved()  # another instance saved since this save was checked: check it again
            number = max((r["number"] for r in rows.values() if r["file"] == name), default=0) + 1
            if found_id is not None:
                rows[str(len(rows) + 1)] = _row(name, number, current.sha, found_id, at, current.text, None)
                number += 1
            row = {
                **_row(name, number, digest, text_id, at, text, author),
                "approved_by": meta.approved_by,
                "approved_on": meta.approved_on,
                "meta_version": meta.meta_version,
                "action": meta.action,
                "restored_from": meta.restored_from,
            }
            rows[str(len(rows) + 1)] = row
            head["generation"] += 1
            return Version.of(row)

        try:
            if not self.shared:
                await asyncio.to_thread(atomic_text, self.defaults / name, text)
            version = await self._docs.shard(INDEX).write(append)
        except _Moved:
            for orphan in texts:
                await self._docs.shard(f"{TEXTS}/{orphan}").delete()
            raise
        if self.shared:
            await self._serve(name, text, digest)
            self._generation = generation + 1
        return version

    async def _put_text(self, name: str, text: str) -> str:
        text_id = uuid.uuid4().hex

        def put(data: Tables) -> None:
            data["text"] = {"1": {"file": name, "text": text}}

        await self._docs.shard(f"{TEXTS}/{text_id}").write(put)
        return text_id

    async def _text(self, text_id: str) -> str | None:
        def get(data: Tables) -> str | None:
            row = data.get("text", {}).get("1")
            return row["text"] if row else None

        return await self._docs.shard(f"{TEXTS}/{text_id}").read(get)

    # Following the database (shared mode).

    async def sync(self) -> bool:
        """Bring the served folder up to the newest saved versions (and to the defaults for files never
        saved). True when any file changed."""
        if not self.shared:
            return False

        def latest(data: Tables) -> tuple[int, dict[str, dict[str, Any]]]:
            newest: dict[str, dict[str, Any]] = {}
            for row in data.get("versions", {}).values():
                if row["file"] not in newest or row["number"] > newest[row["file"]]["number"]:
                    newest[row["file"]] = row
            return int(data.get("head", {}).get("1", {}).get("generation", 0)), newest

        generation, newest = await self._docs.shard(INDEX).read(latest)
        changed = False
        defaults = await asyncio.to_thread(_default_shas, self.defaults)
        for name in content_files(self.defaults):
            row = newest.get(name)
            wanted = row["sha"] if row else defaults.get(name)
            if wanted is None or self._served.get(name) == wanted:
                continue
            text = await self._text(row["text_id"]) if row else None
            if text is None:
                text = await asyncio.to_thread((self.defaults / name).read_text, encoding="utf-8")
            await self._serve(name, text, sha(text))
            changed = True
        self._generation = generation
        return changed

    async def _serve(self, name: str, text: str, digest: str) -> None:
        assert self._overlay is not None
        await asyncio.to_thread(atomic_text, self._overlay / name, text)
        self._served[name] = digest

    async def follow(self, reload: Callable[[], Awaitable[object]], interval: float = 2.0) -> None:
        """Shared mode: every `interval` seconds, catch up with the database and reload the content when a
        file changed (until cancelled)."""
        while True:
            await asyncio.sleep(interval)
            try:
                if await self.sync():
                    await reload()
            except Exception as exc:  # noqa: BLE001 - a database outage: the next round tries again
                log.warning("content_sync_failed error=%s", type(exc).__name__)

    async def export(self, target: Path) -> None:
        """Write the content as served (the newest saved versions, and the defaults for the rest) to files."""
        if self.shared:
            await self.sync()
        await asyncio.to_thread(mirror, self.folder, target)


def _row(name: str, number: int, digest: str, text_id: str, at: str, text: str, author: Author | None) -> dict:
    meta = meta_of(text)
    return asdict(
        Version(
            file=name,
            number=number,
            sha=digest,
            saved_by=author.name if author else "",
            admin_id=author.object_id if author else "",
            admin=author.handle if author else "",
            saved_at=at,
            approved_by=meta.get("approved_by", ""),
            approved_on=meta.get("approved_on", ""),
            meta_version=meta.get("version", ""),
            action="found" if author is None else "saved",
            restored_from=None,
            text_id=text_id,
        )
    )


_DEFAULT_SHAS: dict[str, tuple[tuple, dict[str, str]]] = {}


def _default_shas(folder: Path) -> dict[str, str]:
    """The sha of each default file, read again only when a file changed on disk."""
    key = str(folder.resolve())
    stamps = file_stamps(folder)
    cached = _DEFAULT_SHAS.get(key)
    if cached and cached[0] == stamps:
        return cached[1]
    shas = {name: sha((folder / name).read_text(encoding="utf-8")) for name in content_files(folder)}
    _DEFAULT_SHAS[key] = (stamps, shas)
    return shas
