"""Handler and router through the SDK's TestAdapter, with dialog state on the real crash-safe store."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from botbuilder.core import ConversationState, MessageFactory, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from app import build_bot
from bot.clock import FixedClock
from bot.content.source import ContentSource
from bot.dialogs.intent import Intent
from bot.dialogs.router import Router
from bot.state import StoreBotStorage
from bot.storage import Store

TENANT = "11111111-2222-3333-4444-555555555555"


def teams_template() -> Activity:
    return Activity(
        channel_id="msteams", service_url="https://smba.trafficmanager.net/uk/",
        from_property=ChannelAccount(id="29:user", name="Sam Sample", aad_object_id="aaaaaaaa-0000-0000-0000-000000000001"),
        recipient=ChannelAccount(id="28:bot", name="Peer Wellbeing"),
        conversation=ConversationAccount(id="a:conv", conversation_type="personal", tenant_id=TENANT),
    )


def words(activity: Activity) -> str:
    parts = [activity.text or ""]
    for attachment in activity.attachments or []:
        parts += [b.get("text", "") for b in attachment.content.get("body", [])]
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
    store = Store(tmp_path / "data")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def adapter(store):
    content = await ContentSource.open()
    bot = await build_bot(store, content, FixedClock(datetime(2026, 11, 25, 10, tzinfo=timezone.utc)))
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
    await flow.assert_reply(expect("content version messages 1.0.0"))


async def test_error_in_a_turn_gets_an_apology_with_a_reference(store):
    content = await ContentSource.open()
    bot = await build_bot(store, content, FixedClock(datetime(2026, 11, 25, tzinfo=timezone.utc)))

    async def broken(turn, intent):
        raise RuntimeError("boom with private words")

    bot._router.route = broken
    adapter = TestAdapter(bot.on_turn, teams_template())
    adapter.on_turn_error = bot.on_turn_error
    flow = await (await adapter.send("hi")).assert_reply(expect("private"))
    flow = await flow.send("help")
    await flow.assert_reply(expect("something went wrong", "Reference:"))


# A small two-step flow stands in for the real multi-turn dialogs, to test routing around them.
def name_flow() -> WaterfallDialog:
    async def ask_step(step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt("text", PromptOptions(prompt=MessageFactory.text("What colour?")))

    async def save_step(step: WaterfallStepContext) -> DialogTurnResult:
        await step.context.send_activity(f"Saved {step.result}")
        return await step.end_dialog()

    return WaterfallDialog("colour", [ask_step, save_step])


def flow_router(state: ConversationState, content) -> Router:
    router = Router(state.create_property("DialogState"), content, flows={"colour": name_flow()})
    router._dialogs.add(TextPrompt("text"))
    return router


async def _router_adapter(store, intents):
    content = await ContentSource.open()
    state = ConversationState(StoreBotStorage(store))
    router = flow_router(state, content)

    async def logic(turn: TurnContext):
        if turn.activity.type == ActivityTypes.message:
            await router.route(turn, intents(turn.activity.text, content.current))
            await state.save_changes(turn)

    return TestAdapter(logic, teams_template())


def _intents(text, content):
    return Intent(command="colour" if text == "start" else content.command_for(text), text=text)


async def test_help_now_interrupts_a_flow_then_the_flow_asks_again(store):
    adapter = await _router_adapter(store, _intents)
    flow = await (await adapter.send("start")).assert_reply("What colour?")
    flow = await (await flow.send("help now")).assert_reply(expect("Samaritans"))
    flow = await flow.assert_reply("What colour?")
    await (await flow.send("green")).assert_reply("Saved green")


async def test_unknown_words_inside_a_flow_are_the_flow_answer(store):
    adapter = await _router_adapter(store, _intents)
    flow = await (await adapter.send("start")).assert_reply("What colour?")
    await (await flow.send("helpful blue")).assert_reply("Saved helpful blue")


async def test_dialog_state_survives_a_restart(tmp_path):
    first = Store(tmp_path / "d")
    await first.open()
    adapter = await _router_adapter(first, _intents)
    await (await adapter.send("start")).assert_reply("What colour?")
    await first.close()

    second = Store(tmp_path / "d")
    await second.open()
    adapter = await _router_adapter(second, _intents)
    await (await adapter.send("red")).assert_reply("Saved red")
    await second.close()


async def test_crisis_words_mid_flow_are_answered_by_the_flow_and_help_follows(store):
    content = await ContentSource.open()
    bot = await build_bot(store, content, FixedClock(datetime(2026, 11, 25, 10, tzinfo=timezone.utc)))
    bot._router = flow_router(bot._state, content)
    original_route = bot._router.route

    async def route(turn, intent):
        if intent.text == "start":
            intent = Intent(command="colour", text="start")
        return await original_route(turn, intent)

    bot._router.route = route
    adapter = TestAdapter(bot.on_turn, teams_template())
    flow = await (await adapter.send("hi")).assert_reply(expect("private"))
    flow = await (await flow.send("start")).assert_reply("What colour?")
    flow = await (await flow.send("i want to end it all")).assert_reply("Saved i want to end it all")
    await flow.assert_reply(expect("Samaritans", "Nobody reads this chat as you write"))