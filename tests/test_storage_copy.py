"""Moving a site between the embedded files and PostgreSQL with `python -m bot storage copy`, and the
key commands on PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import asyncpg
import pytest
from cryptography.fernet import Fernet

from bot.config import Settings
from tests.conftest import ROOT, BotHarness
from tests.teams import Person
from tests.test_checkins_e2e import services


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", **env}
    )


async def a_site(settings: Settings, connector) -> dict:
    """Run the bot on `settings` with two workers and some records; returns each one's export."""
    h = await BotHarness(settings, connector, watch_content=False, run_scheduler=False).start()
    people = [Person.make("Alex Worker"), Person.make("Sam Supervisor")]
    try:
        for person in people:
            await h.say(person, "hi")
            await h.say(person, "checkin")
        records = services(h).bot.records
        return {pid: await records.files.everything(pid) for pid in await records.workers.all_pids()}
    finally:
        await h.stop()


async def everything(settings: Settings, connector) -> dict:
    h = await BotHarness(settings, connector, watch_content=False, run_scheduler=False).start()
    try:
        records = services(h).bot.records
        return {pid: await records.files.everything(pid) for pid in await records.workers.all_pids()}
    finally:
        await h.stop()


async def test_a_site_moves_to_postgresql_and_back_with_every_record(tmp_path, database_url, connector):
    key = Fernet.generate_key().decode()
    folder = Settings(data_dir=tmp_path / "data", data_keys=(key,))
    before = await a_site(folder, connector)
    moved = await asyncio.to_thread(
        run, "bot.storage", "copy", "--from", str(folder.data_dir), "--to", database_url, DATA_KEYS=key
    )
    assert moved.returncode == 0, moved.stderr
    assert "Every record verified" in moved.stdout and "2 workers' files" in moved.stdout
    on_postgres = Settings(data_dir=tmp_path / "unused", database_url=database_url, data_keys=(key,))
    assert await everything(on_postgres, connector) == before  # same pseudonyms, same records
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT bool_and(encrypted) FROM documents")
    finally:
        await conn.close()
    again = await asyncio.to_thread(
        run, "bot.storage", "copy", "--from", str(folder.data_dir), "--to", database_url, DATA_KEYS=key
    )
    assert again.returncode == 2 and "already holds" in again.stderr  # never over a site by accident
    back = tmp_path / "back"
    returned = await asyncio.to_thread(
        run, "bot.storage", "copy", "--from", database_url, "--to", str(back), DATA_KEYS=key
    )
    assert returned.returncode == 0, returned.stderr
    assert await everything(Settings(data_dir=back, data_keys=(key,)), connector) == before


async def test_copy_refuses_while_a_bot_uses_the_source(tmp_path, database_url, connector):
    settings = Settings(data_dir=tmp_path / "unused", database_url=database_url)
    h = await BotHarness(settings, connector, watch_content=False, run_scheduler=False).start()
    try:
        refused = await asyncio.to_thread(
            run, "bot.storage", "copy", "--from", database_url, "--to", str(tmp_path / "x")
        )
    finally:
        await h.stop()
    assert refused.returncode == 2 and "stop them first" in refused.stderr


async def test_keys_rotate_and_decrypt_on_postgresql(tmp_path, database_url, connector):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = await a_site(Settings(data_dir=tmp_path / "u", database_url=database_url, data_keys=(old,)), connector)
    rotated = await asyncio.to_thread(run, "bot", "keys", "rotate", DATABASE_URL=database_url, DATA_KEYS=f"{new},{old}")
    assert rotated.returncode == 0, rotated.stderr
    only_new = Settings(data_dir=tmp_path / "u", database_url=database_url, data_keys=(new,))
    assert await everything(only_new, connector) == before
    plain = await asyncio.to_thread(run, "bot", "keys", "decrypt", DATABASE_URL=database_url, DATA_KEYS=new)
    assert plain.returncode == 0, plain.stderr
    assert await everything(Settings(data_dir=tmp_path / "u", database_url=database_url), connector) == before


@pytest.mark.parametrize("bad", [["copy", "--from", "x"], ["move"]])
def test_copy_explains_its_use(bad):
    result = run("bot.storage", *bad)
    assert result.returncode == 2 and "usage" in result.stderr


async def test_copy_refuses_a_source_with_workers_data_set_aside(tmp_path, connector):
    source = tmp_path / "data"
    await a_site(Settings(data_dir=source), connector)
    damaged = next((source / "workers").rglob("*.json"))
    damaged.write_bytes(b"")
    refused = await asyncio.to_thread(run, "bot.storage", "copy", "--from", str(source), "--to", str(tmp_path / "x"))
    assert refused.returncode == 2 and "set aside" in refused.stderr and "quarantine list" in refused.stderr
    assert not (tmp_path / "x" / "workers").exists()
