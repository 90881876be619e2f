"""The storage interface and the repositories on both engines: the embedded TinyDB files and PostgreSQL.

The use-cases do not know which engine runs, so every behaviour here must hold on both."""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import pytest

from bot.records import Records
from bot.records.checkins import CheckinRecord
from bot.records.prompts import PromptRecord
from bot.records.workers import WorkerContact
from bot.rules import new_schedule
from bot.storage import Cipher, DataFileError, KeyMismatch, StorageUnavailable, Store, TinyStore, all_rows, first
from bot.storage.postgres import PostgresStore

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 25, 10, tzinfo=UTC)
KEY = "a" * 43 + "="


@pytest.fixture(params=["tinydb", "postgresql"])
async def store(request, tmp_path):
    if request.param == "tinydb":
        opened: Store = TinyStore(tmp_path / "data")
    else:
        opened = PostgresStore(await request.getfixturevalue("postgres").new_database())
    await opened.open()
    yield opened
    await opened.close()


def contact(n: int, tenant: str = "t1") -> WorkerContact:
    return WorkerContact(
        user_id=f"29:user{n}",
        aad_object_id=f"aad-{n}",
        tenant_id=tenant,
        conversation_id=f"a:conv{n}",
        service_url="http://127.0.0.1:1/",
        name=f"Person {n}",
        reference=lambda: {"conversation": {"id": f"a:conv{n}"}, "serviceUrl": "http://127.0.0.1:1/"},
    )


# Documents ---------------------------------------------------------------------------------------------


async def test_a_document_is_written_read_listed_and_deleted(store):
    doc = store.shard("workers/ab/wab1")
    assert await doc.read(lambda data: data) == {}
    await doc.write(lambda data: data.setdefault("t", {}).update({"1": {"v": 1}}))
    await store.shard("workers/cd/wcd2").write(lambda data: data.update({"t": {"1": {"v": 2}}}))
    await store.shard("system/exports").write(lambda data: data.update({"tokens": {}}))
    assert await doc.read(lambda data: first(data, "t")) == {"v": 1}
    assert await store.list_shards("workers") == ["workers/ab/wab1", "workers/cd/wcd2"]
    assert len(await store.list_shards("")) == 3
    await doc.delete()
    assert await doc.read(lambda data: data) == {}
    assert await store.list_shards("workers") == ["workers/cd/wcd2"]
    await store.remove_folder("workers")
    assert await store.list_shards("") == ["system/exports"]


async def test_rows_read_are_copies_and_a_failed_change_changes_nothing(store):
    doc = store.shard("system/x")
    await doc.write(lambda data: data.update({"t": {"1": {"v": 1}}}))
    (row,) = await doc.read(lambda data: all_rows(data, "t"))
    row["v"] = 99

    def half_then_fail(data):
        data["t"]["1"]["v"] = 2
        raise ValueError("no")

    with pytest.raises(ValueError):
        await doc.write(half_then_fail)
    with pytest.raises(TypeError):
        await doc.write(lambda data: data.update({"t": {"1": {"v": object()}}}))  # not JSON
    assert await doc.read(lambda data: first(data, "t")) == {"v": 1}


async def test_concurrent_changes_to_one_document_lose_nothing(store):
    doc = store.shard("workers/ab/wab1")

    def add(n: int):
        return lambda data: data.setdefault("t", {}).update({str(n): {"n": n}})

    await asyncio.gather(*(doc.write(add(n)) for n in range(60)))
    assert len(await doc.read(lambda data: all_rows(data, "t"))) == 60


async def test_document_names_are_checked(store):
    for bad in ("../x", "Workers/a", "a//b", "", "a/b.json"):
        with pytest.raises(ValueError):
            store.shard(bad)


# Repositories -------------------------------------------------------------------------------------------


async def test_workers_are_remembered_found_and_updated(store):
    records = await Records.open(store)
    alex = await records.workers.remember(contact(1), NOW)
    await records.workers.remember(contact(2, tenant="t2"), NOW)
    await records.workers.set_email(alex.pid, "Alex@Trust.nhs.uk")
    assert [w.pid for w in await records.workers.find("t1", "alex@trust.nhs.uk")] == [alex.pid]
    assert [w.pid for w in await records.workers.find("t1", "person 1")] == [alex.pid]
    assert await records.workers.find("t1", "person 2") == []  # another tenant
    assert await records.workers.find("t1", "pers") == []  # never a partial match
    await records.workers.set_installed(alex.pid, False)
    assert (await records.workers.get(alex.pid)).installed is False
    assert sorted(await records.workers.all_pids()) == sorted([alex.pid, records.workers.pid_for(contact(2, "t2"))])


async def test_a_new_worker_arrives_with_their_email_in_one_write_and_teams_is_asked_until_it_answers(
    store, monkeypatch
):
    records = await Records.open(store)
    workers = records.workers
    saves, asked = [], []
    save = workers.put

    async def counted(worker, also=None):
        saves.append(worker.pid)
        await save(worker, also)

    monkeypatch.setattr(workers, "put", counted)

    def teams_says(answer):
        async def email_of():
            asked.append(answer)
            return answer

        return email_of

    first = await workers.arrive(contact(1), NOW, teams_says("Alex@Trust.nhs.uk"))
    assert (first.email, first.email_checked, len(saves)) == ("alex@trust.nhs.uk", True, 1)
    await workers.arrive(contact(1), NOW, teams_says("other@trust.nhs.uk"))
    assert asked == ["Alex@Trust.nhs.uk"] and len(saves) == 1  # asked once; nothing changed, nothing written
    # Teams could not answer: the worker is still remembered, and asked again next time.
    second = await workers.arrive(contact(2), NOW, teams_says(None))
    assert (second.email, second.email_checked) == ("", False)
    again = await workers.arrive(contact(2), NOW, teams_says(""))  # Teams has no email for them
    assert (again.email, again.email_checked, len(saves)) == ("", True, 3)


async def test_a_new_workers_arrival_is_written_once_by_saved_or_by_save_anyway(store):
    """A new worker's record waits for the turn (to go with their welcome); when the turn is cancelled,
    `save_anyway` still writes it."""
    records = await Records.open(store)
    workers = records.workers
    arrival = await workers.arrival(contact(1), NOW)
    assert not arrival.is_saved and await workers.get(arrival.worker.pid) is None
    task = arrival.save_anyway()
    assert task is not None and (await task).pid == arrival.worker.pid
    assert arrival.is_saved and arrival.save_anyway() is None
    stored = await workers.get(arrival.worker.pid)
    assert stored is not None and not stored.welcomed
    again = await workers.arrival(contact(1), NOW)
    assert again.is_saved and again.worker == stored  # known now: nothing waits


async def test_prompts_reserve_once_and_complete_with_the_check_in_in_one_write(store):
    records = await Records.open(store)
    pid = (await records.workers.remember(contact(1), NOW)).pid
    record = PromptRecord("2026-11-25", "n1", "who5", "sending", NOW.isoformat(), owner="me", attempted=False)
    assert await records.prompts.reserve(pid, record, NOW)
    assert not await records.prompts.reserve(pid, record, NOW)  # the slot is taken
    await records.prompts.update(pid, "n1", status="open", sent_at=NOW.isoformat())
    checkin = CheckinRecord(date="2026-11-25", instrument="who5", total=15)
    first_try = await records.prompts.complete(pid, "n1", "answered", NOW, checkin)
    second_try = await records.prompts.complete(pid, "n1", "answered", NOW, checkin)
    assert (first_try.outcome, second_try.outcome) == ("saved", "already_done")
    assert len(await records.checkins.list(pid)) == 1


async def test_a_reservation_is_given_back_only_while_it_never_reached_teams(store):
    records = await Records.open(store)
    pid = (await records.workers.remember(contact(1), NOW)).pid
    await records.prompts.reserve(pid, PromptRecord("s1", "n1", "who5", "sending", NOW.isoformat()), NOW)
    await records.prompts.reserve(
        pid, PromptRecord("s2", "n2", "who5", "sending", NOW.isoformat(), attempted=True), NOW
    )
    assert await records.prompts.release(pid, "n1")
    assert not await records.prompts.release(pid, "n2")
    assert [p.nonce for p in await records.prompts.all(pid)] == ["n2"]


async def test_schedules_plans_exports_and_erasure(store):
    records = await Records.open(store)
    pid = (await records.workers.remember(contact(1), NOW)).pid
    schedule = new_schedule(NOW, frequency="weekly", day=2, time="10:00", timezone="Europe/London")
    await records.schedules.save(pid, schedule)
    assert await records.schedules.get(pid) == schedule
    await records.notes.add(pid, "a hard visit", NOW.date())
    token = await records.exports.issue(pid, NOW, dt.timedelta(minutes=10))
    assert await records.exports.redeem(token, NOW) == pid
    assert await records.exports.redeem(token, NOW) is None  # single use
    everything = await records.files.everything(pid)
    assert {"profile", "schedule", "notes"} <= set(everything)
    await records.files.delete(pid)
    assert await records.files.everything(pid) == {}
    assert await records.workers.get(pid) is None


async def test_retention_removes_only_what_is_past_its_period(store):
    records = await Records.open(store)
    pid = (await records.workers.remember(contact(1), NOW)).pid
    for day in ("2024-01-01", "2026-11-20"):
        await records.checkins.add(pid, CheckinRecord(date=day, instrument="who5", total=12))
    assert await records.files.remove_expired(pid, "2025-11-25", "2020-01-01") == 1
    assert [c.date for c in await records.checkins.list(pid)] == ["2026-11-20"]
    assert await records.files.remove_expired(pid, "2025-11-25", "2020-01-01") == 0


# Coordination --------------------------------------------------------------------------------------------


async def test_due_index_and_activity_ids(store):
    await store.due.set("w1", NOW + dt.timedelta(minutes=5))
    await store.due.set("w2", NOW - dt.timedelta(minutes=5))
    await store.due.set("w3", NOW)
    assert await store.due.due(NOW) == ["w2", "w3"]
    await store.due.set("w2", None)
    assert await store.due.due(NOW) == ["w3"] and await store.due.count() == 2
    assert await store.first_time("conv|1") and not await store.first_time("conv|1")
    assert await store.first_time("conv|2")


async def test_the_pace_of_sends_spaces_a_tenant_and_a_conversation(store):
    waits = [await store.pacer.slot("t1", "c1", 0.05, 0.5) for _ in range(3)]
    assert waits[0] == pytest.approx(0, abs=0.05)
    assert waits[1] == pytest.approx(0.5, abs=0.1) and waits[2] == pytest.approx(1.0, abs=0.1)
    assert await store.pacer.slot("t2", "c2", 0.05, 0.5) < 0.05  # another tenant's chat does not wait


# PostgreSQL only: what several processes share -----------------------------------------------------------


@pytest.fixture
async def two(database_url):
    """Two processes' stores on one database."""
    stores = [PostgresStore(database_url), PostgresStore(database_url)]
    await asyncio.gather(*(s.open() for s in stores))  # migrations are applied once, whoever starts first
    yield stores
    for s in stores:
        await s.close()


async def test_migrations_are_applied_once_when_processes_start_together(two, database_url):
    conn = await asyncpg.connect(database_url)
    try:
        versions = [r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations ORDER BY 1")]
        assert versions == [1, 2, 3]
        await conn.execute("INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future')")
    finally:
        await conn.close()
    with pytest.raises(DataFileError, match="newer than this bot knows"):
        await PostgresStore(database_url).open()


async def test_two_processes_change_one_worker_at_once_and_lose_nothing(two):
    a, b = [await Records.open(s) for s in two]
    assert a.workers.pid_for(contact(1)) == b.workers.pid_for(contact(1))  # one pseudonym key for all
    pid = (await a.workers.remember(contact(1), NOW)).pid
    await asyncio.gather(*((a if n % 2 else b).notes.add(pid, f"note {n}", NOW.date()) for n in range(40)))
    assert sorted(e.text for e in await a.notes.all(pid)) == sorted(f"note {n}" for n in range(40))


async def test_a_chat_takes_turns_across_processes(two):
    order: list[str] = []

    async def turn(store: PostgresStore, name: str) -> None:
        async with store.hold("a:conv1"):
            order.append(f"{name} in")
            await asyncio.sleep(0.05)
            order.append(f"{name} out")

    await asyncio.gather(turn(two[0], "a"), turn(two[1], "b"), turn(two[0], "c"))
    assert all(order[i].split()[0] == order[i + 1].split()[0] for i in range(0, len(order), 2))


async def test_an_activity_is_handled_once_whichever_process_it_reaches(two):
    assert await two[0].first_time("a:conv1|act1")
    assert not await two[1].first_time("a:conv1|act1")


async def test_one_process_leads_and_another_takes_over_when_it_stops(two, database_url):
    a, b = two
    assert await a.lead() and not await b.lead()
    assert await b.alive(a.instance_id)
    await a.close()
    assert not await b.alive(a.instance_id)
    assert await b.lead()
    two[0] = PostgresStore(database_url)
    await two[0].open()
    assert not await two[0].lead()


async def test_the_pace_is_shared_between_processes(two):
    waits = [await s.pacer.slot("t1", "c1", 0.01, 0.5) for s in (two[0], two[1], two[0])]
    assert waits[1] == pytest.approx(0.5, abs=0.1) and waits[2] == pytest.approx(1.0, abs=0.1)
    await two[1].pacer.pause_all(5)
    assert await two[0].pacer.slot("t2", "c9", 0.01, 0.01) > 4


async def test_records_are_encrypted_with_data_keys_and_refused_without_them(database_url):
    plain = PostgresStore(database_url)
    await plain.open()
    await plain.shard("workers/ab/wab1").write(lambda data: data.update({"notes": {"1": {"text": "a hard visit"}}}))
    await plain.close()
    sealed = PostgresStore(database_url, cipher=Cipher((KEY,)))
    await sealed.open()  # DATA_KEYS just turned on: what was plain is encrypted now
    assert sealed.encrypted_now == 1
    assert await sealed.shard("workers/ab/wab1").read(lambda data: first(data, "notes")) == {"text": "a hard visit"}
    await sealed.close()
    conn = await asyncpg.connect(database_url)
    try:
        body, encrypted = await conn.fetchrow("SELECT body, encrypted FROM documents")
    finally:
        await conn.close()
    assert encrypted and bytes(body).startswith(b"gAAAAA") and b"hard visit" not in bytes(body)
    with pytest.raises(KeyMismatch, match="no DATA_KEYS"):
        await PostgresStore(database_url).open()
    with pytest.raises(KeyMismatch):
        await PostgresStore(database_url, cipher=Cipher(("b" * 43 + "=",))).open()


async def test_an_unreachable_database_is_reported_as_unavailable_not_as_a_crash(postgres):
    store = PostgresStore(postgres.url("no_such_db"), timeout=2)
    with pytest.raises((StorageUnavailable, asyncpg.InvalidCatalogNameError)):
        await store.open()
    gone = PostgresStore("postgresql://postgres@127.0.0.1:1/x", timeout=2)
    with pytest.raises(StorageUnavailable):
        await gone.open()
