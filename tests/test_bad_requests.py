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
