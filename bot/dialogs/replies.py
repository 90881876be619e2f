"""One-turn answers: welcome, help, get help now, about, and the kind reply to anything unknown."""
from __future__ import annotations

from typing import Callable

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from .. import cards
from ..content import Content

HELP_NOW_SHOWN = "wellbeing.help_now_shown"  # the contacts were shown in this turn: never twice


async def send_card(turn: TurnContext, card: dict) -> None:
    """Send one Adaptive Card."""
    await turn.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))


async def send_welcome(turn: TurnContext, content: Content, schedule: str) -> None:
    """Say what the bot is, that it is private and not monitored, when check-ins come, and where help is."""
    await send_card(turn, cards.welcome_card(content, schedule))


async def send_help(turn: TurnContext, content: Content) -> None:
    """List what the bot can do, from the content's command table."""
    await send_card(turn, cards.help_card(content))


async def send_help_now(turn: TurnContext, content: Content, lead: str | None = None) -> None:
    """Show the crisis and support contacts (once a turn)."""
    turn.turn_state[HELP_NOW_SHOWN] = True
    await send_card(turn, cards.help_now_card(content, lead))


def hide_handler(content: Callable[[], Content]):
    """The handler for 'Hide': the card the worker pressed it on becomes a neutral line."""
    async def hide(turn: TurnContext, intent) -> None:
        text = content().messages.hidden
        if turn.activity.reply_to_id:
            await turn.update_activity(Activity(type=ActivityTypes.message, id=turn.activity.reply_to_id, text=text))
        else:
            await turn.send_activity(text)
    return hide


async def send_about(turn: TurnContext, content: Content) -> None:
    """Say which content version is running and who approved it."""
    meta = content.messages.meta
    instruments = "\n\n".join(f"{i.name}: {i.attribution} {i.licence}" for i in content.instruments.values())
    await turn.send_activity(content.text(
        "about", bot_name=content.messages.bot_name, version=content.version,
        approved_by=meta.approved_by, approved_on=meta.approved_on.isoformat(), instruments=instruments))


async def send_unknown(turn: TurnContext, content: Content) -> None:
    """Answer anything not understood warmly: a few things the bot can do, "Get help now" first."""
    await send_card(turn, cards.unknown_card(content))


# Command id -> one-turn reply. Flows that take several turns register dialogs in the router instead.
ONE_TURN = {
    "help": send_help,
    "help_now": send_help_now,
    "about": send_about,
}
