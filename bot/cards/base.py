"""The building blocks of every card, and `finish`, which every card passes through before it is sent.

Cards declare Adaptive Card version 1.2 and use nothing newer: Teams desktop and web render up to 1.5,
Teams mobile up to 1.2, and a client older than a card's version shows only its fallback text. So every
worker sees the same card on any device. Inputs are labelled the 1.2 way, by the text just before them
(the `label` property is 1.3). tests/test_cards.py checks every card against the vendored schema.
"""

from __future__ import annotations

import secrets
from typing import Any

from ..content import Content
from .text import fold, plain

CARD_VERSION = "1.2"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
HELP_NOW_KIND = "help_now"  # marks the help-now card itself, which needs no "Get help now" button
Card = dict[str, Any]


def card(body: list[dict], actions: list[dict], fallback: str) -> Card:
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "fallbackText": plain(fallback),  # also the chat list's preview: no markdown
        "body": [part for element in body for part in _paragraphs(element)],
        "actions": actions,
    }


def _paragraphs(element: dict[str, Any]) -> list[dict[str, Any]]:
    """A text with paragraphs becomes one text block per paragraph, spaced apart (Teams shows a blank
    line in one block as a bare line break)."""
    if element.get("type") != "TextBlock" or "\n\n" not in element["text"]:
        return [element]
    first, *rest = element["text"].split("\n\n")
    return [{**element, "text": first}] + [{**element, "text": p, "spacing": "Medium"} for p in rest]


def text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": fold(text), "wrap": True, **extra}


def heading(text: str, size: str = "Medium") -> dict[str, Any]:
    """A card's title: larger and bold (the `heading` style is 1.5)."""
    return text_block(text, size=size, weight="Bolder")


def command_action(title: str, command_id: str) -> dict[str, Any]:
    """A button that runs a command, exactly as if its words were typed."""
    return {"type": "Action.Submit", "title": title, "data": {"command": command_id}}


def help_now_action(content: Content) -> dict[str, Any]:
    return command_action(content.messages.buttons.get_help_now, "help_now")


def action(title: str, name: str, **data: str) -> dict[str, Any]:
    """A button for a card action (handled by the router's action table)."""
    return {"type": "Action.Submit", "title": title, "data": {"action": name, **data}}


submit = action  # a button whose card has inputs sends them with it (in 1.2 every Action.Submit does)


def hide_action(content: Content) -> dict[str, Any]:
    """'Hide' on anything personal shown on request: the card becomes a neutral line."""
    return action(content.messages.buttons.hide, "hide")


def once() -> str:
    """A token for a card whose buttons must act only once (pass it as `once=` to `action`)."""
    return secrets.token_urlsafe(9)


def open_url(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def label(text: str) -> dict[str, Any]:
    """The visible label just before an input, which screen readers read with it."""
    return text_block(text, spacing="Medium")


def choice_input(
    input_id: str, caption: str, options: list[tuple[str, str]], value: str, expanded: bool = False
) -> list[dict[str, Any]]:
    """A labelled choice: a drop-down, or radio buttons when `expanded`."""
    return [
        label(caption),
        {
            "type": "Input.ChoiceSet",
            "id": input_id,
            "value": value,
            "style": "expanded" if expanded else "compact",
            "choices": [{"title": title, "value": v} for v, title in options],
        },
    ]


def text_input(input_id: str, caption: str, value: str = "") -> list[dict[str, Any]]:
    return [label(caption), {"type": "Input.Text", "id": input_id, "value": value}]


def multiline_input(input_id: str, caption: str, value: str = "") -> list[dict[str, Any]]:
    return [
        label(caption),
        {"type": "Input.Text", "id": input_id, "isMultiline": True, "value": value, "maxLength": 2000},
    ]


def date_input(input_id: str, caption: str, earliest: str) -> list[dict[str, Any]]:
    return [label(caption), {"type": "Input.Date", "id": input_id, "min": earliest}]


def toggle_input(input_id: str, caption: str, value: bool) -> list[dict[str, Any]]:
    """A switch; its own title is its label."""
    return [
        {
            "type": "Input.Toggle",
            "id": input_id,
            "title": caption,
            "value": "true" if value else "false",
            "valueOn": "true",
            "valueOff": "false",
            "spacing": "Medium",
            "wrap": True,
        }
    ]


def finish(card_: Card, help_title: str) -> Card:
    """Every card the bot sends has "Get help now" as its first button (Teams shows the first six
    before an overflow menu), except the help-now card itself. Returns a new card."""
    out = {k: v for k, v in card_.items() if k != "_kind"}
    if card_.get("_kind") == HELP_NOW_KIND:
        return out
    actions = [a for a in out.get("actions") or [] if (a.get("data") or {}).get("command") != "help_now"]
    out["actions"] = [command_action(help_title, "help_now")] + actions
    return out
