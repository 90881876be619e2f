"""Crash-safe storage: atomic replace, in-memory reads, refusal to start on damaged files."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
from pathlib import Path

import pytest

from bot.storage import DataFileError, FolderInUse, TinyStore, all_rows, first, put_single
from bot.storage import tiny as storage_tiny
from tests.conftest import BotHarness
from tests.teams import Person

WRITER = Path(__file__).with_name("crash_writer.py")


async def _acked_then_killed(root: Path, start: int, rng: random.Random) -> list[int]:
    """Run the writer, kill -9 it at a random moment, return the numbers it acknowledged."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(WRITER), str(root), str(start), stdout=asyncio.subprocess.PIPE
    )
    acked: list[int] = []
    target = rng.randint(1, 40)
    while len(acked) < target:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
        assert line, "writer died on its own"
        acked.append(int(line))
    # Land the kill at a random point inside a later write, not just between writes.
    await asyncio.sleep(rng.random() * 0.004)
    proc.send_signal(signal.SIGKILL)
    rest, _ = await proc.communicate()
    acked += [int(x) for x in rest.split()]  # anything printed before death was acknowledged too
    return acked


async def test_kill_during_writes_never_corrupts_or_loses_an_acknowledged_write(tmp_path):
    rng = random.Random(20261125)
    root = tmp_path / "data"
    acknowledged: set[int] = set()
    start = 0
    for _round in range(25):
        acked = await _acked_then_killed(root, start, rng)
        acknowledged.update(acked)
        start = max(acked) + 1000  # fresh numbers each round so every record is identifiable
        store = TinyStore(root)
        await store.open()  # refuses to start if any file is unreadable
        stored = set()
        for n in range(3):
            docs = await store.shard(f"workers/{n:02d}/w{n}").read(lambda data: all_rows(data, "records"))
            stored.update(d["i"] for d in docs)
        await store.close()
        assert acknowledged <= stored, f"lost acknowledged writes: {sorted(acknowledged - stored)[:5]}"
    assert not list(root.rglob("*.tmp")), "stray temp files are cleaned up at start"


async def test_reads_are_served_from_memory_after_first_load(tmp_path):
    store = TinyStore(tmp_path)
    await store.open()
    shard = store.shard("system/example")
    await shard.write(lambda data: put_single(data, "t", {"v": 1}))
    shard.path.write_text('{"t": {"1": {"v": 99}}}')  # an outside change is not re-read
    assert (await shard.read(lambda data: first(data, "t")))["v"] == 1
    await store.close()


async def test_a_document_not_on_disk_at_start_up_is_read_without_a_trip_to_the_disk(tmp_path, monkeypatch):
    """The folder is this process's alone, so a new worker's first read (on every first message) needs
    no thread-pool hop; what was on disk at start-up, or written since, is still read and kept."""
    known = tmp_path / "workers" / "cd" / "wcd34.json"
    known.parent.mkdir(parents=True)
    known.write_text('{"profile": {"1": {"name": "x"}}}')
    store = TinyStore(tmp_path)
    await store.open()
    loads: list[Path] = []
    real_load = storage_tiny.load_json_file
    monkeypatch.setattr(
        storage_tiny, "load_json_file", lambda path, cipher=None: loads.append(path) or real_load(path, cipher)
    )
    try:
        assert await store.shard("workers/ab/wab12").read(dict) == {}
        assert loads == []
        assert await store.shard("workers/cd/wcd34").read(lambda d: first(d, "profile")) == {"name": "x"}
        assert loads == [known]
        await store.shard("workers/ab/wab12").write(lambda data: put_single(data, "profile", {"name": "y"}))
    finally:
        await store.close()
    again = TinyStore(tmp_path)
    await again.open()
    try:
        assert await again.shard("workers/ab/wab12").read(lambda d: first(d, "profile")) == {"name": "y"}
    finally:
        await again.close()


async def test_a_folder_the_start_up_walk_cannot_see_into_is_read_from_disk_as_before(tmp_path):
    """A symbolic link to the workers' folder (os.walk does not follow it) must not make their files look
    new: the next write would replace a worker's file."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "cd").mkdir(parents=True)
    (elsewhere / "cd" / "wcd34.json").write_text('{"profile": {"1": {"name": "x"}}}')
    root = tmp_path / "data"
    root.mkdir()
    (root / "workers").symlink_to(elsewhere, target_is_directory=True)
    store = TinyStore(root)
    await store.open()
    try:
        assert await store.shard("workers/cd/wcd34").read(lambda d: first(d, "profile")) == {"name": "x"}
    finally:
        await store.close()


async def test_returned_documents_are_copies(tmp_path):
    store = TinyStore(tmp_path)
    await store.open()
    shard = store.shard("system/example")
    await shard.write(lambda data: put_single(data, "t", {"nested": {"v": 1}}))
    doc = await shard.read(lambda data: first(data, "t"))
    doc["nested"]["v"] = 2
    assert (await shard.read(lambda data: first(data, "t")))["nested"]["v"] == 1
    await store.close()


async def test_failed_write_leaves_old_content_and_memory_consistent(tmp_path):
    store = TinyStore(tmp_path)
    await store.open()
    shard = store.shard("system/example")
    await shard.write(lambda data: put_single(data, "t", {"v": 1}))
    with pytest.raises(TypeError):
        await shard.write(lambda data: put_single(data, "t", {"v": object()}))  # not JSON: fails before disk
    assert json.loads(shard.path.read_text())["t"]["1"]["v"] == 1
    assert (await shard.read(lambda data: first(data, "t")))["v"] == 1
    await store.close()


DAMAGE = [b"", b"   \n", b'{"t": {"1": {"v": 1}', b"[]", b"\x00\x00"]


@pytest.mark.parametrize("content", DAMAGE)
async def test_damage_to_the_bots_own_files_stops_start_up_with_restore_advice(tmp_path, content):
    (tmp_path / "system").mkdir(parents=True)
    bad = tmp_path / "system" / "exports.json"
    bad.write_bytes(content)
    with pytest.raises(DataFileError) as err:
        await TinyStore(tmp_path).open()
    message = str(err.value)
    assert str(bad) in message and "backup" in message and "docs/operations.md" in message
    assert bad.read_bytes() == content, "a damaged file is left for the operator, never overwritten"


@pytest.mark.parametrize("content", DAMAGE)
async def test_a_damaged_worker_file_is_set_aside_exactly_as_found_and_the_rest_opens(tmp_path, content):
    (tmp_path / "workers" / "ab").mkdir(parents=True)
    bad = tmp_path / "workers" / "ab" / "wab12.json"
    bad.write_bytes(content)
    good = tmp_path / "workers" / "cd" / "wcd34.json"
    good.parent.mkdir()
    good.write_text('{"profile": {"1": {"name": "x"}}}')
    store = TinyStore(tmp_path)
    await store.open()
    try:
        assert not bad.exists()
        (entry,) = await store.quarantine.entries()
        assert (entry.name, entry.reason, entry.told) == ("workers/ab/wab12", "unreadable", False)
        assert await store.quarantine.raw(entry.id) == content  # kept byte for byte, never deleted
        assert await store.shard("workers/ab/wab12").read(dict) == {}  # as for someone new
        assert await store.shard("workers/cd/wcd34").read(lambda d: first(d, "profile")) == {"name": "x"}
        assert await store.list_shards("") == ["workers/cd/wcd34"]  # the quarantine is not a document
    finally:
        await store.close()


async def test_stray_temp_files_are_removed_at_start(tmp_path):
    (tmp_path / "workers").mkdir()
    stray = tmp_path / "workers" / f".wab.json.{'0' * 32}.tmp"
    stray.write_text('{"half": ')
    store = TinyStore(tmp_path)
    await store.open()
    assert not stray.exists()
    await store.close()


async def test_write_is_atomic_rename_with_private_permissions(tmp_path):
    store = TinyStore(tmp_path)
    await store.open()
    shard = store.shard("workers/ab/wab")
    await shard.write(lambda data: data.setdefault("x", {}).update({"1": {"a": 1}}))
    assert oct(os.stat(shard.path).st_mode & 0o777) == "0o600"
    assert [p.name for p in shard.path.parent.iterdir()] == ["wab.json"]
    await store.close()


async def start_app(data: Path, port: int) -> tuple[int | None, bytes]:
    """Run `python app.py` on a data folder, as an operator would; returns its exit code and stderr."""
    env = {**os.environ, "DATA_DIR": str(data), "PORT": str(port)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "app.py",
        env=env,
        cwd=Path(__file__).parent.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, err


async def test_app_refuses_to_start_on_a_corrupt_file_of_its_own(tmp_path):
    """The real start-up path: main() prints the advice and exits non-zero (a worker's file would be set
    aside instead: tests/test_quarantine_e2e.py)."""
    data = tmp_path / "data"
    (data / "system").mkdir(parents=True)
    (data / "system" / "erasures.json").write_text("")
    code, err = await start_app(data, 39781)
    assert code == 3
    assert b"did not start" in err and b"backup" in err


async def test_a_data_folder_belongs_to_one_store_at_a_time(tmp_path):
    """Two stores on one folder would each keep their own copy in memory and overwrite each other."""
    first = TinyStore(tmp_path / "data")
    await first.open()
    second = TinyStore(tmp_path / "data")
    with pytest.raises(FolderInUse, match="in use by another bot process"):
        await second.open()
    await first.close()
    await second.open()  # once the first lets go, the folder can be taken
    await second.close()


async def test_a_second_bot_process_on_the_same_folder_refuses_to_start(tmp_path, settings, connector):
    """The real start-up path: while one bot runs, another on its data folder exits with a clear message."""
    running = await BotHarness(settings, connector, run_scheduler=False).start()
    try:
        code, err = await start_app(settings.data_dir, 39782)
        assert code == 3
        assert b"did not start" in err and b"in use by another bot process" in err
        assert f"(pid {os.getpid()})".encode() in err
        (reply,) = await running.say(Person.make("Alex Example"), "hi")  # the first one carries on
        assert reply.cards
    finally:
        await running.stop()


@pytest.mark.parametrize("name", ["../escape", "Upper", "a b", "/abs"])
def test_shard_names_cannot_escape_the_data_folder(tmp_path, name):
    with pytest.raises(ValueError):
        TinyStore(tmp_path).shard(name)
