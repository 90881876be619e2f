"""Bad requests get a 4xx, a log line without personal data, and the bot keeps serving."""

from __future__ import annotations

import json
import logging

import pytest

from tests.teams import message


async def _still_serving(bot, worker):
    sent = await bot.say(worker, "help")
    assert "See everything I can do" in sent[-1].words


@pytest.mark.parametrize(
    "data,headers,status,reason",
    [
        (b"{not json", {"Content-Type": "application/json"}, 400, "malformed_json"),
        (b"[1, 2]", {"Content-Type": "application/json"}, 400, "not_an_activity"),
        (b'{"type": "message"}', {"Content-Type": "application/json"}, 400, "missing_fields"),
        (b"\xff\xfe", {"Content-Type": "application/json"}, 400, "malformed_json"),
        (b"type=message", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "content_type_not_json"),
        (b"{}", {"Content-Type": "text/plain"}, 415, "content_type_not_json"),
    ],
)
async def test_rejected_with_4xx(bot, worker, caplog, data, headers, status, reason):
    caplog.set_level(logging.WARNING, logger="bot.http")
    response = await bot.client.post("/api/messages", data=data, headers=headers)
    assert response.status == status
    assert any(reason in r.getMessage() for r in caplog.records)
    await _still_serving(bot, worker)


async def test_missing_content_type_is_415_not_404(bot, worker):
    response = await bot.client.post("/api/messages", data=b"{}", skip_auto_headers=["Content-Type"])
    assert response.status == 415
    await _still_serving(bot, worker)


async def test_oversized_body_is_413(bot, worker):
    body = message(worker, bot.connector.url, "x" * (bot.settings.max_body_bytes + 10))
    response = await bot.client.post(
        "/api/messages", data=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status == 413
    await _still_serving(bot, worker)


@pytest.mark.parametrize("field", ["from", "conversation", "recipient", "serviceUrl", "channelId", "type"])
async def test_activity_missing_a_required_field_is_400_and_sends_nothing(bot, worker, field, caplog):
    caplog.set_level(logging.WARNING, logger="bot.http")
    body = message(worker, bot.connector.url, "help with my secret")
    del body[field]
    response = await bot.post(body)
    assert response.status == 400
    assert bot.connector.calls == []
    assert not any("secret" in r.getMessage() for r in caplog.records)
    await _still_serving(bot, worker)


async def test_wrong_field_types_are_400(bot, worker):
    body = message(worker, bot.connector.url, "help")
    body["from"] = "someone"
    assert (await bot.post(body)).status == 400
    body = message(worker, bot.connector.url, "help")
    body["serviceUrl"] = "file:///etc/passwd"
    assert (await bot.post(body)).status == 400
    await _still_serving(bot, worker)


def _with(body: dict, path: str, value) -> dict:
    """The activity with one field (a dotted path) set to `value`."""
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[key]
    node[last] = value
    return body


# Shapes found by fuzzing the endpoint that were once accepted and then failed inside the turn, and their
# neighbours: ids, conversation, from, serviceUrl and value types.
MALFORMED = [
    ("id", {"x": 1}),
    ("id", 5),
    ("replyToId", ["a"]),
    ("replyToId", "has spaces in it"),
    ("text", {"a": 1}),
    ("text", 5),
    ("locale", 5),
    ("textFormat", ["plain"]),
    ("channelId", 5),
    ("timestamp", 5),
    ("from.name", {"first": "Alex"}),
    ("from.role", 5),
    ("from.aadObjectId", 5),
    ("recipient.name", [1]),
    ("conversation.conversationType", 5),
    ("conversation.tenantId", {"id": "x"}),
    ("conversation.isGroup", "no"),
    ("channelData", [1, 2]),
    ("channelData", "tenant"),
    ("channelData.tenant", "x"),
    ("channelData.tenant", {"id": {"nested": True}}),
    ("serviceUrl", "http://"),
    ("serviceUrl", "https://"),
    ("serviceUrl", "http://exa mple.com/"),
    ("serviceUrl", "http://[::1"),
    ("serviceUrl", "http://127.0.0.1:99999/"),
    ("serviceUrl", "http://user:secret@127.0.0.1/"),
    ("serviceUrl", "http://bad_host!.example/"),
    ("serviceUrl", 5),
    ("value", [1, 2]),
    ("value", "a string"),
    ("value", {"action": "checkin_submit", "nonce": ["a"]}),
    ("value", {"action": "erase_confirm", "nonce": {"a": 1}}),
    ("value", {"action": "pause_set", "weeks": 3}),
    ("value", {"command": ["help"]}),
    ("value", {"action": 5}),
    ("entities", "x"),
    ("entities", [1, 2]),
    ("entities", [{"type": 5}]),
    ("entities", [{}]),
    ("entities", [{"type": "mention", "mentioned": "x", "text": 5}]),
    ("entities", [{"type": "mention", "mentioned": {"id": "28:bot"}, "text": ["@bot"]}]),
    ("attachments", "x"),
    ("attachments", [1]),
    ("membersAdded", "x"),
    ("membersAdded", [1]),
    ("membersAdded", [{"name": "no id"}]),
    ("membersAdded", [{"id": 5}]),
    ("membersRemoved", {"id": "x"}),
    ("reactionsAdded", "x"),
    ("action", {"add": True}),
    ("deliveryMode", "expectReplies"),
    ("deliveryMode", "stream"),
    ("deliveryMode", 5),
]


@pytest.mark.parametrize("path,value", MALFORMED, ids=[f"{p}={v!r}"[:60] for p, v in MALFORMED])
async def test_a_malformed_activity_is_400_before_the_turn_with_no_error_logged(bot, worker, caplog, path, value):
    caplog.set_level(logging.INFO)
    await bot.say(worker, "hi")
    before = len(bot.connector.calls)
    body = _with(message(worker, bot.connector.url, "help with my secret"), path, value)
    response = await bot.post(body)
    assert response.status == 400
    assert bot.connector.calls[before:] == []  # no turn ran: nothing was sent, so nothing was stored either
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in caplog.records if "request_rejected" in r.getMessage()]
    assert not any("secret" in r.getMessage() for r in caplog.records)
    await _still_serving(bot, worker)


async def test_a_service_url_that_never_answers_costs_a_local_turn_seconds_and_logs_no_error(bot, worker, caplog):
    """Local mode, a well-formed serviceUrl on loopback whose connections are never accepted (a full
    backlog): the turn gives up within a second or two per call, logs a warning, and everyone else is
    served meanwhile."""
    import asyncio
    import socket
    import time

    caplog.set_level(logging.INFO)
    await bot.say(worker, "hi")
    with socket.socket() as stuck:
        stuck.bind(("127.0.0.1", 0))
        stuck.listen(0)
        queued = socket.create_connection(stuck.getsockname())  # fills the backlog: the next connect waits
        try:
            stranger = message(worker, f"http://127.0.0.1:{stuck.getsockname()[1]}/", "help")
            started = time.monotonic()
            slow = asyncio.create_task(bot.post(stranger))
            await _still_serving(bot, worker)  # served while the other turn waits on its connections
            response = await slow
            elapsed = time.monotonic() - started
        finally:
            queued.close()
    assert response.status == 201
    assert elapsed < 5, f"a turn waited {elapsed:.1f}s on a Bot Connector that never answers"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("turn_reply_failed" in r.getMessage() for r in caplog.records)
    assert any("outcome=connector_unreachable" in r.getMessage() for r in caplog.records)


async def test_get_on_messages_is_405(bot):
    response = await bot.client.get("/api/messages")
    assert response.status == 405


async def test_health_and_readiness(bot):
    assert (await bot.client.get("/healthz")).status == 200
    ready = await bot.client.get("/readyz")
    assert ready.status == 200
    body = await ready.json()
    assert body["checks"] == {"storage": True, "scheduler": True} and body["storage_engine"] == "tinydb"
    assert body["content_version"]  # e.g. "messages 1.2, contacts 1.0"


async def test_readiness_fails_when_storage_is_not_writable(bot):
    from bot.teams.web import SERVICES

    root = bot.app[SERVICES].store.root
    aside = root.with_name("aside")
    root.rename(aside)
    root.write_text("not a folder")  # even root cannot create files inside a regular file
    try:
        ready = await bot.client.get("/readyz")
        assert ready.status == 503
        assert (await ready.json())["checks"]["storage"] is False
    finally:
        root.unlink()
        aside.rename(root)
    assert (await bot.client.get("/readyz")).status == 200


async def test_readiness_fails_when_the_scheduler_stops(bot):
    from bot.teams.web import SERVICES

    bot.app[SERVICES].scheduler.pause()
    bot.app[SERVICES].scheduler.shutdown(wait=False)
    ready = await bot.client.get("/readyz")
    assert ready.status == 503 and (await ready.json())["checks"]["scheduler"] is False


async def test_an_activity_the_sdk_cannot_read_is_400_on_both_channels(bot, worker, caplog):
    """Shapes the front door lets through but one SDK's model refuses (an empty invoke name, a sub-channel
    that contradicts the product entity): a 400, nothing sent, no error logged, and never a 5xx."""
    caplog.set_level(logging.INFO)
    await bot.say(worker, "hi")
    before = len(bot.connector.calls)
    odd = message(worker, bot.connector.url, "help with my secret")
    odd.update({"channelId": "msteams:one", "entities": [{"type": "ProductInfo", "id": "two"}], "name": ""})
    response = await bot.post(odd)
    assert response.status in (201, 400)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not any("secret" in r.getMessage() for r in caplog.records)
    if response.status == 400:
        assert bot.connector.calls[before:] == []
    await _still_serving(bot, worker)
