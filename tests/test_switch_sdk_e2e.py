"""A site can switch BOT_SDK either way without losing anyone: the worker file and conversation reference one
channel wrote are used by the other, for a scheduled check-in, its answer, and the worker's next message."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app import TICKER
from bot.config import Settings
from tests.conftest import replace_settings, started
from tests.test_checkins_e2e import answers, card_of, stored, submit

WEDNESDAY_10 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # the default slot


def proactive(h):
    return [c for c in h.connector.sent if not c.path.rsplit("/", 1)[1].startswith("f:")]


@pytest.mark.parametrize("first,then", [("botbuilder", "agents"), ("agents", "botbuilder")])
async def test_a_worker_file_written_by_one_channel_gets_its_check_in_through_the_other(
    tmp_path: Path, connector, worker, first, then
):
    settings = Settings(data_dir=tmp_path / "data", bot_sdk=first)
    h = await started(settings, connector)
    try:
        welcome = await h.say(worker, "hi")
        assert welcome, "the first channel welcomed the worker"
    finally:
        await h.stop()
    (shard,) = (tmp_path / "data").rglob("workers/*/*.json")
    reference = next(iter(json.loads(shard.read_text())["profile"].values()))["conversation_reference"]
    assert reference["conversation"]["id"] == worker.conversation_id

    h = await started(replace_settings(settings, bot_sdk=then), connector)
    try:
        h.clock._now = WEDNESDAY_10
        await h.app[TICKER].tick()
        (call,) = proactive(h)
        assert call.conversation_id == worker.conversation_id
        assert call.body["recipient"]["id"] == worker.user_id
        assert "Here's your check-in" in call.words
        await submit(h, worker, call, answers(card_of(call), [4, 4, 4, 4, 4]))
        assert (await stored(h, worker))[0].total == 80
        assert h.connector.updated[-1].path.endswith(call.response_id)  # the card replaced, through `then`
        replies = await h.say(worker, "help")
        assert replies and "See everything I can do" in replies[-1].words
        assert "Welcome" not in "".join(r.words for r in replies)  # the same worker, not someone new
    finally:
        await h.stop()
    assert len(list((tmp_path / "data").rglob("workers/*/*.json"))) == 1
