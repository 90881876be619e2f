"""One message, one slow chat or one stranger never freezes the bot: through the real endpoint, with a
fake Bot Connector that can hang chats and drop connections."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import aiohttp
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from app import OPTIONS
from bot.records.files import worker_shard
from bot.teams.messenger import SendLimits
from tests.conftest import ROOT, BotHarness, replace_settings
from tests.teams import Person, activity, card_submit, message
from tests.test_checkins_e2e import card_of, pid_of, services

FAST = SendLimits(per_tenant_per_second=1000, per_conversation_per_second=1000, in_turn_wait=0.3)


@pytest.fixture
async def h(settings, connector):
    harness = await BotHarness(
        settings,
        connector,
        run_scheduler=False,
        send_limits=FAST,
        send_timeout=aiohttp.ClientTimeout(total=5),
        server_kwargs={"keepalive_timeout": 1.0},
    ).start()
    yield harness
    await harness.stop()


async def timed(coroutine) -> tuple[float, object]:
    started = time.perf_counter()
    result = await coroutine
    return time.perf_counter() - started, result


# One typed message -------------------------------------------------------------------------------


async def test_a_pathological_message_gets_the_kind_answer_for_a_long_message(h):
    """What such a message costs its sender is measured in bench/long_messages.py (ratios, not timings)."""
    worker = Person.make("Alex Worker")
    await h.say(worker, "hi")
    for text in ("hi" + " " * 28_000 + "x", "3" + " ," * 20_000 + "x", "word " * 12_000):
        (reply,) = await h.say(worker, text)
        assert "long message" in reply.words


async def test_healthz_answers_while_a_long_message_is_read(h):
    """Both of the crisis guard's readers read every word in slices with the event loop free between them:
    /healthz answers before the long message's turn is over (how long it waits: bench/long_messages.py)."""
    worker = Person.make("Alex Worker")
    await h.say(worker, "hi")
    turn = asyncio.create_task(h.say(worker, "I had a long day. " * 12_000))
    await asyncio.sleep(0.01)
    response = await h.client.get("/healthz")
    assert response.status == 200 and not turn.done()
    await turn


# Slow and stuck chats ----------------------------------------------------------------------------------


async def test_a_workers_reply_goes_out_while_fifty_other_chats_hang(h):
    stuck = [Person.make(f"Stuck {i}") for i in range(50)]
    for person in stuck:
        await h.say(person, "hi")
        h.connector.hang(person.conversation_id)
    hanging = [asyncio.create_task(h.post(message(p, h.connector.url, "help"))) for p in stuck]
    await asyncio.sleep(0.2)
    worker = Person.make("Alex Worker")
    took, sent = await timed(h.say(worker, "help now"))
    assert took < 1.0 and any("116 123" in c.words for c in sent)
    h.connector.release()
    await asyncio.gather(*hanging, return_exceptions=True)


async def test_a_send_inside_a_turn_never_holds_the_turn_while_retrying(h):
    worker, supervisor = Person.make("Alex Worker"), Person.make("Sam Supervisor")
    await h.say(supervisor, "hi")
    await h.say(worker, "hi")
    h.connector.hang(supervisor.conversation_id)
    (form,) = await h.say(worker, "supervisor")
    ask = next(a for a in card_of(form)["actions"] if a["title"] == "Ask them")["data"]
    took, sent = await timed(h.send(card_submit(worker, h.connector.url, {**ask, "query": "Sam Supervisor"})))
    reply = next(c for c in sent if c.conversation_id == worker.conversation_id)
    assert took < 1.0 and "I've asked Sam Supervisor" in reply.words
    h.connector.release()
    await services(h).messenger.idle()
    nominations = [
        c for c in h.connector.sent if c.conversation_id == supervisor.conversation_id and "named you" in c.words
    ]
    assert len(nominations) == 1  # delivered once, later, by the messenger


async def test_a_request_that_finally_fails_is_reported_to_the_worker(h):
    worker, supervisor = Person.make("Alex Worker"), Person.make("Sam Supervisor")
    await h.say(supervisor, "hi")
    await h.say(worker, "hi")
    (form,) = await h.say(worker, "supervisor")
    h.connector.fail_conversation(supervisor.conversation_id, 503, times=6)
    ask = next(a for a in card_of(form)["actions"] if a["title"] == "Ask them")["data"]
    await h.send(card_submit(worker, h.connector.url, {**ask, "query": "Sam Supervisor"}))
    await services(h).messenger.idle()
    told = [c for c in h.connector.sent if c.conversation_id == worker.conversation_id]
    assert "couldn't get your request to Sam Supervisor through" in told[-1].words
    link = await services(h).bot.records.sharing.link(await pid_of(h, worker))
    assert link.status == "ended"


async def test_a_dropped_connection_after_teams_took_the_card_sends_it_once(h):
    worker, supervisor = Person.make("Alex Worker"), Person.make("Sam Supervisor")
    await h.say(supervisor, "hi")
    await h.say(worker, "hi")
    (form,) = await h.say(worker, "supervisor")
    ask = next(a for a in card_of(form)["actions"] if a["title"] == "Ask them")["data"]
    h.connector.drops = 1
    await h.send(card_submit(worker, h.connector.url, {**ask, "query": "Sam Supervisor"}))
    await services(h).messenger.idle()
    nominations = [
        c for c in h.connector.sent if c.conversation_id == supervisor.conversation_id and "named you" in c.words
    ]
    assert len(nominations) == 1


# Strangers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 5000 + "]" * 5000,
        json.dumps({"type": "message", "value": json.loads("[" * 100 + "]" * 100)}),
    ],
)
async def test_deeply_nested_json_is_a_400_without_credentials_too(h, body):
    response = await h.client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await h.client.get("/healthz")).status == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "adaptiveCard/action", "value": {"action": {"type": "Action.Execute", "verb": "x"}}},
        {"name": "adaptiveCard/action", "value": "a string"},
        {"name": "task/fetch", "value": {"data": {}}},
        {"name": "composeExtension/query", "value": [1, 2, 3]},
        {"value": None},
        {"name": 42},
    ],
)
async def test_every_invoke_gets_a_4xx_whatever_its_shape(h, fields):
    worker = Person.make("Alex Worker")
    response = await h.post(activity(worker, h.connector.url, "invoke", **fields))
    assert response.status == 400
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.error"


@pytest.mark.parametrize("token", ["%C3%A9" * 30, "é" * 43, "a" * 500, "short", "..%2F..%2Fetc%2Fpasswd", "x" * 43])
async def test_odd_export_tokens_are_refused_and_change_nothing(h, token, caplog):
    exports = h.settings.data_dir / "system" / "exports.json"
    before = exports.read_bytes() if exports.exists() else None
    caplog.set_level(logging.INFO)
    response = await h.client.get(f"/export/{token}")
    assert response.status in (404, 410)
    assert (exports.read_bytes() if exports.exists() else None) == before
    assert [r.getMessage() for r in caplog.records if r.name == "bot.http"] == ["export_refused"]


async def test_a_head_request_never_spends_a_download_link(h):
    worker = Person.make("Alex Worker")
    await h.say(worker, "hi")
    (summary,) = await h.say(worker, "my data")
    download = next(a for a in card_of(summary)["actions"] if a["title"] == "Download all my data")["data"]
    (link_card,) = await h.send(card_submit(worker, h.connector.url, download))
    url = next(a["url"] for a in card_of(link_card)["actions"] if a["type"] == "Action.OpenUrl")
    path = url.split("127.0.0.1:3978")[1]
    assert (await h.client.head(path)).status == 405
    assert (await h.client.get(path)).status == 200


async def test_a_name_with_a_lone_surrogate_does_not_break_later_turns(h):
    worker = Person.make("Alex Worker")
    hostile = activity(worker, h.connector.url, "message", text="hi")
    hostile["from"]["name"] = "Alex \ud800\u0007 Worker" + "x" * 5000
    assert (await h.post(hostile)).status == 201
    for text in ("help", "my data", "check in"):
        assert (await h.post(message(worker, h.connector.url, text))).status == 201
    stored = await services(h).bot.records.workers.get(await pid_of(h, worker))
    assert len(stored.name) <= 128 and "\u0007" not in stored.name


@pytest.mark.parametrize("field, value", [("id", "29:" + "x" * 5000), ("id", "29:a\nb")])
async def test_absurd_ids_are_refused(h, field, value):
    worker = Person.make("Alex Worker")
    hostile = activity(worker, h.connector.url, "message", text="hi")
    hostile["from"][field] = value
    assert (await h.post(hostile)).status == 400


async def test_a_time_zone_never_becomes_a_file_name(h):
    worker = Person.make("Alex Worker")
    await h.say(worker, "hi")
    (form,) = await h.say(worker, "settings")
    values = {b["id"]: b.get("value") for b in card_of(form)["body"] if b.get("id")}
    for zone in ("Europe/" + "x" * 5000, "../../../etc/passwd", "Europe/London\x00"):
        sent = await h.send(
            card_submit(worker, h.connector.url, {"action": "settings_save", **values, "timezone": zone})
        )
        assert "Nothing was changed" in sent[0].words


# Duplicates and leftovers -----------------------------------------------------------------------------------


async def test_a_replayed_activity_changes_nothing_twice(h):
    worker = Person.make("Alex Worker")
    await h.say(worker, "hi")
    submit = card_submit(worker, h.connector.url, {"action": "agenda_add", "item": "boundaries with Sam"})
    assert (await h.post(submit)).status == 201
    assert (await h.post(submit)).status == 201  # Teams retried the same activity
    (listing,) = await h.say(worker, "agenda")
    assert listing.words.count("boundaries with Sam") == 1


async def test_a_double_click_acts_once_but_new_words_from_the_same_card_still_count(h):
    worker = Person.make("Alex Worker")
    await h.say(worker, "hi")
    (card,) = await h.say(worker, "reflect")
    save = next(a for a in card_of(card)["actions"] if a["title"] == "Save to my private notes")["data"]
    for _ in range(2):
        await h.send(card_submit(worker, h.connector.url, {**save, "thoughts": "a hard visit today"}))
    (card,) = await h.say(worker, "agenda")
    add = next(a for a in card_of(card)["actions"] if a["title"] == "Add")["data"]
    for item in ("first thing", "first thing", "second thing"):
        await h.send(card_submit(worker, h.connector.url, {**add, "item": item}))
    (notes,) = await h.say(worker, "notes")
    (listing,) = await h.say(worker, "agenda")
    assert notes.words.count("a hard visit today") == 1
    assert listing.words.count("first thing") == 1 and "second thing" in listing.words


@pytest.mark.parametrize("written_by", ["this version", "an older version"])
async def test_a_check_in_that_may_have_gone_is_settled_at_the_next_start_whatever_its_age(h, written_by):
    from bot.records.prompts import PromptRecord

    worker = Person.make("Alex Worker")
    await h.say(worker, "hi")
    pid = await pid_of(h, worker)
    now = h.app[OPTIONS].clock.now()
    record = PromptRecord("2026-11-25", "n1", "who5", "sending", now.isoformat(), owner="gone", attempted=True)
    doc = asdict(record)
    if written_by == "an older version":  # no owner and no "attempted": it may have gone
        del doc["owner"], doc["attempted"]
    await (
        services(h)
        .bot.records.documents.shard(worker_shard(pid))
        .write(lambda data: data.setdefault("prompts", {}).update({"1": doc}))
    )
    await h.restart()
    (prompt,) = await services(h).bot.records.prompts.all(pid)
    assert prompt.status == "undelivered"  # never repeated: it may have arrived
    await services(h).messenger.idle()
    told = [c for c in h.connector.sent if c.conversation_id == worker.conversation_id]
    assert "may not have reached you" in told[-1].words


# Slow clients ---------------------------------------------------------------------------------------------


async def test_slow_headers_are_cut_off_and_real_requests_still_served(h):
    host, port = h.client.server.host, h.client.server.port
    slow = []
    for _ in range(30):
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(b"POST /api/messages HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
        await writer.drain()
        slow.append((reader, writer))
    assert (await h.client.get("/healthz")).status == 200
    closed = await asyncio.gather(*(asyncio.wait_for(r.read(), 5) for r, _ in slow))
    assert all(data == b"" for data in closed)  # the server hung up on every one


async def test_a_slow_body_gets_a_408(settings, connector):
    quick = replace_settings(settings, request_timeout=0.5)
    harness = await BotHarness(quick, connector, run_scheduler=False).start()
    try:
        reader, writer = await asyncio.open_connection(harness.client.server.host, harness.client.server.port)
        writer.write(
            b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(200), 5)
        assert answer.startswith(b"HTTP/1.1 408")
        writer.close()
    finally:
        await harness.stop()


# Logs --------------------------------------------------------------------------------------------------------


def test_no_teams_ids_reach_the_logs_from_any_library(caplog):
    from bot.log_privacy import RedactingFilter

    url = (
        "https://smba.trafficmanager.net/uk/v3/conversations/a:1TvTh6kHhH7pJ_0pWqJ8Ez0aXkGz2/activities/"
        "f:8212b4e1-1cde-4ab9-b8b8-7ec3c6c59fe4"
    )
    record = logging.LogRecord("msrest.http_logger", logging.WARNING, __file__, 1, "Request URL: %r", (url,), None)
    RedactingFilter().filter(record)
    text = record.getMessage()
    assert "a:1TvTh6" not in text and "8212b4e1" not in text and "/v3/conversations/<conversation>" in text
    for raw in ("user 29:1abcDEFghiJKLmno", "tenant 72f988bf-86f1-41af-91ab-2d7cd011db47", "19:abc123def@thread.tacv2"):
        record = logging.LogRecord("x", logging.DEBUG, __file__, 1, raw, None, None)
        RedactingFilter().filter(record)
        assert raw.split()[-1] not in record.getMessage()


def test_the_installed_filter_covers_records_from_the_sdk(capsys):
    import app

    root = logging.getLogger()
    saved = list(root.handlers)
    try:
        root.handlers = [logging.StreamHandler(sys.stderr)]
        app.configure_logging("DEBUG")
        logging.getLogger("msrest.http_logger").warning("POST /v3/conversations/a:1TvTh6kHhH7pJ_0pW/activities/x1")
        assert "a:1TvTh6kHhH7pJ_0pW" not in capsys.readouterr().err
    finally:
        root.handlers = saved


# Fuzzing the front door -----------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
field_values = {
    "type": st.sampled_from(["message", "invoke", "conversationUpdate", "installationUpdate", "event", "x"]),
    "text": st.text(max_size=200),
    "value": json_values,
    "channelData": json_values,
    "name": st.text(max_size=40),
    "action": st.text(max_size=10),
    "attachments": json_values,
    "entities": json_values,
    "membersAdded": json_values,
    "replyToId": st.text(max_size=20),
}


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.fixed_dictionaries({}, optional=field_values), drop=st.sampled_from([None, "from", "conversation", "id"])
)
async def test_no_activity_shape_ever_gets_a_5xx_or_an_error_logged(h, changes, drop, caplog):
    caplog.set_level(logging.WARNING)
    caplog.clear()
    body = activity(Person.make("Fuzz"), h.connector.url, "message", text="hi")
    body.update(changes)
    if drop:
        body.pop(drop, None)
    response = await h.post(body)
    assert response.status < 500, await response.text()
    # Anything malformed is refused at the door; only a genuine fault of ours may reach the error handler.
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors


# Killed mid-send ----------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _start_bot(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATA_DIR": str(data_dir), "PORT": str(port), "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    async with aiohttp.ClientSession() as session:
        for _ in range(1200):  # start-up trains the crisis guard's learned reader: a few seconds on a busy machine
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("the bot did not start")


async def test_kill_9_mid_send_then_immediate_restart_settles_the_send_and_tells_the_worker(tmp_path, connector):
    port = _free_port()
    data = tmp_path / "data"
    worker, supervisor = Person.make("Alex Worker"), Person.make("Sam Supervisor")
    process = await _start_bot(data, port)
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/api/messages"
            for person in (supervisor, worker):
                await session.post(url, json=message(person, connector.url, "hi"))
            connector.hang(supervisor.conversation_id)
            submit = card_submit(
                worker,
                connector.url,
                {"action": "supervisor_find", "query": "Sam Supervisor", "role": "peer_supervisor"},
            )
            async with session.post(url, json=submit) as response:
                assert response.status == 201  # the worker was answered while the card still hangs
            for _ in range(100):
                if any(c.conversation_id == supervisor.conversation_id for c in connector.calls):
                    break
                await asyncio.sleep(0.02)
            process.kill()  # kill -9 while the nomination card is in flight
            process.wait()
            connector.release()
            before = len(connector.sent)
            process = await _start_bot(data, port)
            for _ in range(100):
                told = [c for c in connector.sent[before:] if c.conversation_id == worker.conversation_id]
                if told:
                    break
                await asyncio.sleep(0.05)
            assert told and "couldn't get your request to Sam Supervisor through" in told[0].words
    finally:
        process.kill()
        process.wait()
