"""One damaged worker file never stops the bot for everyone: it is set aside exactly as found, the worker
is told kindly once and may carry on as someone new, /readyz and `admin` report a count (never who), and
the operator restores it from a backup copy or accepts the loss with `python -m bot storage quarantine`."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sys
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from cryptography.fernet import Fernet

from bot.cards.help import key_contacts
from bot.cards.text import fold
from bot.config import Settings
from bot.content import load_content
from bot.records.files import worker_shard
from bot.storage import Cipher
from tests.conftest import ROOT, BotHarness, replace_settings
from tests.instances import listening
from tests.teams import Person, message
from tests.test_checkins_e2e import pid_of, services
from tests.test_sharing_e2e import conversation, low_checkin

TORN = b'{"profile": {"1": {"name": "Sam'  # a write cut short by a disk fault


def kind_words() -> str:
    content = load_content()
    return fold(content.fill(content.messages.data_set_aside, key_contacts=key_contacts(content)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_bot(data: Path, port: int) -> asyncio.subprocess.Process:
    """`app.py` on a data folder, as an operator starts it; returns once it listens."""
    env = {**os.environ, "DATA_DIR": str(data), "PORT": str(port), "LOG_LEVEL": "WARNING"}
    return await listening(str(ROOT / "app.py"), env=env)


async def stop_bot(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)


async def operator(*args: str, env: dict[str, str] | None = None) -> tuple[int | None, str, str]:
    """`python -m bot storage quarantine ...`, as an operator runs it."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.storage",
        "quarantine",
        *args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode(), err.decode()


class Remote:
    """A bot process's endpoint, talking to the fake connector."""

    def __init__(self, session: aiohttp.ClientSession, port: int, connector):
        self.session, self.base, self.connector = session, f"http://127.0.0.1:{port}", connector

    async def say(self, person: Person, text: str) -> list:
        before = len(self.connector.sent)
        async with self.session.post(f"{self.base}/api/messages", json=message(person, self.connector.url, text)) as r:
            assert r.status == 201, await r.text()
        return [c for c in self.connector.sent[before:] if c.conversation_id == person.conversation_id]

    async def ready(self) -> tuple[int, dict, str]:
        async with self.session.get(f"{self.base}/readyz") as r:
            text = await r.text()
            return r.status, json.loads(text), text


async def test_a_damaged_worker_file_at_start_up_is_set_aside_everyone_is_served_and_the_operator_restores_it(
    tmp_path, connector, sdk
):
    data = tmp_path / "data"
    alex, sam = Person.make("Alex Worker"), Person.make("Sam Worker")
    h = await BotHarness(Settings(data_dir=data, bot_sdk=sdk), connector, run_scheduler=False).start()
    await h.say(alex, "hi")
    await h.say(sam, "hi")
    await low_checkin(h, sam)
    sam_pid = await pid_of(h, sam)
    await h.stop()
    sam_file = data / f"{worker_shard(sam_pid)}.json"
    backup = tmp_path / "backup" / sam_file.name
    backup.parent.mkdir()
    shutil.copy(sam_file, backup)  # last night's backup of Sam's file
    sam_file.write_bytes(TORN)

    port = free_port()
    proc = await start_bot(data, port)  # starts: one damaged file no longer stops everyone
    try:
        async with aiohttp.ClientSession() as session:
            bot = Remote(session, port, connector)
            status, ready, raw = await bot.ready()
            assert status == 200 and ready["status"] == "degraded" and ready["set_aside"] == 1
            assert sam_pid not in raw and "workers/" not in raw  # a count, never who
            assert "See everything I can do" in (await bot.say(alex, "help"))[-1].words
            told = await bot.say(sam, "check in")
            assert [c.text for c in told] == [kind_words()]  # kindly, once, and nothing else happens
            assert "See everything I can do" in (await bot.say(alex, "help"))[-1].words
            again = await bot.say(sam, "hi")  # Sam chooses to carry on: welcomed as someone new
            assert "Hello, I'm Peer Wellbeing" in again[0].words and kind_words() not in again[0].words
    finally:
        await stop_bot(proc)
    (kept,) = (data / "quarantine").glob("*.data")
    assert kept.read_bytes() == TORN  # never deleted, never changed

    code, out, _ = await operator("list", "--at", str(data))
    assert code == 0 and "1 set aside" in out and "unreadable" in out and "worker told" in out
    entry = out.split("\n")[1].split()[0]
    code, out, _ = await operator("inspect", entry, "--at", str(data))
    assert code == 0 and "cannot be read: it is not valid JSON" in out and "Sam" not in out
    code, _, err = await operator("restore", entry, "--from", str(backup), "--at", str(data))
    assert code == 2 and "carried on since" in err and "Nothing changed" in err
    code, out, _ = await operator("restore", entry, "--from", str(backup), "--replace", "--at", str(data))
    assert code == 0 and "Restored" in out and "checkins 1" in out
    code, out, _ = await operator("list", "--at", str(data))
    assert "1 set aside" in out and "replaced_by_restore" in out  # what Sam did since is kept, too
    newer = out.split("\n")[1].split()[0]

    proc = await start_bot(data, port)
    try:
        async with aiohttp.ClientSession() as session:
            bot = Remote(session, port, connector)
            (summary,) = await bot.say(sam, "my data")
            assert "1 completed check-in" in summary.words  # Sam's data is back
    finally:
        await stop_bot(proc)
    code, out, _ = await operator("accept-loss", newer, "--at", str(data))
    assert code == 0 and "Closed" in out
    code, out, _ = await operator("list", "--at", str(data))
    assert out.strip() == "Nothing is set aside."


async def _damage(h, pid: str) -> None:
    """Damage a worker's stored record underneath the running bot."""
    store = services(h).store
    name = worker_shard(pid)
    if store.kind == "tinydb":
        store.shard(name).path.write_bytes(TORN)
        # As after a failed write (a disk fault): the copy in memory is dropped and the next read is from disk.
        store.shard(name)._storage.drop_cache()
        return
    async with store.pool.acquire() as conn:
        await conn.execute("UPDATE documents SET body = $2, encrypted = false WHERE name = $1", name, TORN)


async def test_a_worker_file_damaged_while_running_is_set_aside_and_everyone_else_is_served(engine_settings, connector):
    admin = Person.make("Ada Admin")
    settings = replace_settings(engine_settings, admin_ids=frozenset({admin.aad_object_id}))
    h = await BotHarness(settings, connector, watch_content=False).start()
    try:
        alex, sam = Person.make("Alex Worker"), Person.make("Sam Worker")
        for person in (admin, alex, sam):
            await h.say(person, "hi")
        await low_checkin(h, sam)
        sam_pid = await pid_of(h, sam)
        await _damage(h, sam_pid)

        others = asyncio.gather(*(h.say(alex, "help") for _ in range(3)))
        told = await h.say(sam, "check in")
        assert [c.text for c in told if c.conversation_id == sam.conversation_id] == [kind_words()]
        for sent in await others:  # each turn's slice may hold the others' replies too: look at Alex's own
            assert any("See everything I can do" in c.words for c in sent if c.conversation_id == alex.conversation_id)

        ready = await h.client.get("/readyz")
        body = await ready.text()
        assert ready.status == 200 and json.loads(body)["status"] == "degraded" and json.loads(body)["set_aside"] == 1
        assert sam_pid not in body
        (report,) = await h.say(admin, "admin")
        assert "Damaged data set aside: 1 worker's file could not be read" in report.words
        assert sam.name not in report.words and sam_pid not in report.words

        welcome = await h.say(sam, "hi")  # carries on as someone new
        assert "Hello, I'm Peer Wellbeing" in welcome[0].words
        (entry,) = await services(h).store.quarantine.entries()
        assert entry.told and entry.reason == "unreadable"
        assert await services(h).store.quarantine.raw(entry.id) == TORN
        assert len([c for c in conversation(h, sam) if c.text == kind_words()]) == 1
    finally:
        await h.stop()


async def test_on_postgresql_a_record_that_fails_to_decrypt_is_set_aside_and_restored_while_bots_run(
    database_url, tmp_path, connector, sdk
):
    key = Fernet.generate_key().decode()
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, data_keys=(key,), bot_sdk=sdk)
    h = await BotHarness(settings, connector).start()
    try:
        alex, sam = Person.make("Alex Worker"), Person.make("Sam Worker")
        await h.say(alex, "hi")
        await h.say(sam, "hi")
        await low_checkin(h, sam)
        name = worker_shard(await pid_of(h, sam))
        backup = tmp_path / "sam.json"
        backup.write_text(json.dumps(await services(h).store.shard(name).read(lambda d: d)))
        stranger = Cipher((Fernet.generate_key().decode(),)).encrypt(b'{"profile": {}}')
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute("UPDATE documents SET body = $2 WHERE name = $1", name, stranger)
        finally:
            await conn.close()

        assert [c.text for c in await h.say(sam, "check in")] == [kind_words()]
        assert "See everything I can do" in (await h.say(alex, "help"))[-1].words
        (entry,) = await services(h).store.quarantine.entries()
        assert entry.reason == "undecryptable"

        env = {"DATA_KEYS": key}
        code, out, _ = await operator("inspect", entry.id, "--at", database_url, env=env)
        assert "opens with no key in DATA_KEYS" in out
        code, out, err = await operator("restore", entry.id, "--from", str(backup), "--at", database_url, env=env)
        assert code == 0, err
        (summary,) = await h.say(sam, "my data")  # restored under the bot while it runs
        assert "1 completed check-in" in summary.words
        assert await services(h).store.quarantine.count() == 0
        assert json.loads(await (await h.client.get("/readyz")).text())["status"] == "ready"
    finally:
        await h.stop()


@pytest.mark.parametrize("which", ["one", "all"])
async def test_one_file_that_fails_to_decrypt_is_set_aside_but_a_wrong_key_still_stops_start_up(tmp_path, which):
    from bot.storage import KeyMismatch, TinyStore, put_single

    key, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    store = TinyStore(tmp_path, cipher=Cipher((key,)))
    await store.open()
    for name in ("system/instance", "workers/ab/wab1", "workers/cd/wcd2"):
        await store.shard(name).write(lambda d: put_single(d, "t", {"v": 1}))
    await store.close()
    bad = tmp_path / "workers" / "ab" / "wab1.json"
    bad.write_bytes(Cipher((other,)).encrypt(b'{"t": {}}'))
    if which == "one":
        store = TinyStore(tmp_path, cipher=Cipher((key,)))
        await store.open()
        (entry,) = await store.quarantine.entries()
        assert entry.reason == "undecryptable" and not bad.exists()
        await store.close()
    else:
        with pytest.raises(KeyMismatch, match="did not start"):
            await TinyStore(tmp_path, cipher=Cipher((other,))).open()  # its own files do not open: the key is wrong
        assert bad.exists()
