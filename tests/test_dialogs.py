"""The activity handler and router through the SDK's TestAdapter, on the real crash-safe store."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot import compose
from bot.clock import FixedClock
from bot.config import Settings
from bot.storage import TinyStore
from bot.teams.channel import KIT
from bot.teams.handler import WellbeingBot

TENANT = "11111111-2222-3333-4444-555555555555"


def teams_template() -> Activity:
    return Activity(
        channel_id="msteams",
        service_url="https://smba.trafficmanager.net/uk/",
        from_property=ChannelAccount(
            id="29:user", name="Sam Sample", aad_object_id="aaaaaaaa-0000-0000-0000-000000000001"
        ),
        recipient=ChannelAccount(id="28:bot", name="Peer Wellbeing"),
        conversation=ConversationAccount(id="a:conv", conversation_type="personal", tenant_id=TENANT),
    )


async def local_bot(store: TinyStore, at: datetime | None = None, **parts) -> WellbeingBot:
    """The real bot on `store` without a channel (nothing can be sent proactively); `parts` replace pieces."""
    clock = FixedClock(at or datetime(2026, 11, 25, 10, tzinfo=UTC))
    bot = await compose.bot(Settings(data_dir=store.root), await compose.open_content(None), store, clock)
    return WellbeingBot(dataclasses.replace(bot, **parts), clock, kit=KIT)


def words(activity: Activity) -> str:
    parts = [activity.text or ""]
    for attachment in activity.attachments or []:
        parts += [b.get("text") or b.get("label") or "" for b in attachment.content.get("body", [])]
        parts += [a.get("title", "") for a in attachment.content.get("actions", [])]
    return "\n".join(parts)


def expect(*fragments: str):
    async def check(activity, description=None):
        text = words(activity)
        for fragment in fragments:
            assert fragment in text, f"{fragment!r} not in {text!r}"

    return check


@pytest.fixture
async def store(tmp_path):
    store = TinyStore(tmp_path / "data")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def adapter(store):
    bot = await local_bot(store)
    adapter = TestAdapter(bot.on_turn, teams_template())
    adapter.on_turn_error = bot.on_turn_error
    return adapter


async def test_first_message_is_welcomed_then_help_works(adapter):
    flow = await adapter.send("hello")
    flow = await flow.assert_reply(expect("private", "not a crisis service"))
    flow = await flow.send("help")
    await flow.assert_reply(expect("See everything I can do", "help now"))


async def test_help_now_shows_contacts_and_that_nobody_monitors(adapter):
    flow = await adapter.send("hi")
    flow = await flow.assert_reply(expect("private"))
    flow = await flow.send("Help now!")
    await flow.assert_reply(expect("Samaritans", "116 123", "SHOUT", "999", "Nobody reads this chat as you write"))


async def test_about_names_the_content_version(adapter):
    flow = await (await adapter.send("hi")).assert_reply(expect("private"))
    flow = await flow.send("about")
    await flow.assert_reply(expect("content version messages 1.2.0"))


async def test_error_in_a_turn_gets_an_apology_with_a_reference(store):
    bot = await local_bot(store)

    async def broken(chat, intent):
        raise RuntimeError("boom with private words")

    bot.bot.router.route = broken  # type: ignore[method-assign]
    adapter = TestAdapter(bot.on_turn, teams_template())
    adapter.on_turn_error = bot.on_turn_error
    flow = await (await adapter.send("hi")).assert_reply(expect("private"))
    flow = await flow.send("help")
    await flow.assert_reply(expect("something went wrong", "Reference:"))
