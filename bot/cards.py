"""Adaptive Card builders. Every word comes from content; cards stay within version 1.2 (Teams mobile)."""
from __future__ import annotations

from typing import Any

from .content import Content

CARD_VERSION = "1.2"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


def _card(body: list[dict], actions: list[dict], fallback: str) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "fallbackText": fallback,
        "body": body,
        "actions": actions,
    }


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def command_action(title: str, command_id: str) -> dict[str, Any]:
    """A button that runs a command, exactly as if its words were typed."""
    return {"type": "Action.Submit", "title": title, "data": {"command": command_id}}


def help_now_action(content: Content) -> dict[str, Any]:
    return command_action(content.messages.buttons.get_help_now, "help_now")


def help_card(content: Content) -> dict[str, Any]:
    """What the bot can do: generated from the same command table that routes typed words."""
    commands = content.help_commands
    body = [_text(content.messages.help_intro)]
    body += [_text(f"**{c.title}**: \"{c.words[0]}\". {c.help}") for c in commands]
    actions = [command_action(c.title, c.id) for c in commands if c.id != "help"]
    return _card(body, actions, help_text(content))


def help_text(content: Content) -> str:
    """The help card as plain text, for clients that do not render cards."""
    lines = [content.messages.help_intro]
    lines += [f"- \"{c.words[0]}\": {c.help}" for c in content.help_commands]
    return "\n".join(lines)


def help_now_card(content: Content) -> dict[str, Any]:
    """The crisis and support contacts, with the statement that nobody monitors the bot."""
    m = content.messages
    body = [_text(m.help_now_title, size="Large", weight="Bolder", style="heading"), _text(m.help_now_intro)]
    for group in content.contacts.groups:
        body.append(_text(group.title, weight="Bolder", spacing="Medium"))
        body += [_text(_contact_line(c)) for c in group.contacts]
    body.append(_text(m.not_monitored, spacing="Medium"))
    return _card(body, [], help_now_text(content))


def help_now_text(content: Content) -> str:
    m = content.messages
    lines = [m.help_now_title, m.help_now_intro]
    for group in content.contacts.groups:
        lines.append(group.title)
        lines += [f"- {_contact_line(c)}" for c in group.contacts]
    lines.append(m.not_monitored)
    return "\n".join(lines)


def _contact_line(contact) -> str:
    parts = [f"**{contact.name}**: {contact.how}."]
    if contact.when:
        parts.append(f"{contact.when}.")
    if contact.url:
        parts.append(f"[Website]({contact.url})")
    return " ".join(parts)


def welcome_card(content: Content) -> dict[str, Any]:
    """The first thing a worker sees: what this is, that it is private and not monitored, where help is."""
    welcome = content.text("welcome", bot_name=content.messages.bot_name)
    actions = [command_action(content.messages.buttons.help, "help"), help_now_action(content)]
    return _card([_text(welcome)], actions, welcome)
