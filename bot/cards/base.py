"""The building blocks of every card, and `finish`, which every card passes through before it is sent.

Cards declare Adaptive Card version 1.5, the version Microsoft documents Teams as rendering for cards a
bot sends (desktop, web and mobile; docs/architecture.md has the sources). Every input carries its own
`label` (1.3), so screen readers name it on every client. tests/test_cards.py checks every card against
the vendored schema and for inputs without a label; tests/test_cards_a11y.py runs axe-core on every card
as the Adaptive Cards JavaScript renderer draws it in Chromium.
"""

from __future__ import annotations

import secrets
from typing import Any

from ..content.views import Words
from .text import fold, plain

CARD_VERSION = "1.5"
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


def help_now_action(content: Words) -> dict[str, Any]:
    return _get_help_now(content.messages.buttons.get_help_now)


def _get_help_now(title: str) -> dict[str, Any]:
    """The "Get help now" button, which sends none of the card's inputs."""
    # A button checks the inputs it sends first: a date typed before the earliest allowed held it back.
    return {**command_action(title, "help_now"), "associatedInputs": "none"}


def action(title: str, name: str, **data: str) -> dict[str, Any]:
    """A button for a card action (handled by the router's action table)."""
    return {"type": "Action.Submit", "title": title, "data": {"action": name, **data}}


submit = action  # a button whose card has inputs sends them with it (every Action.Submit does by default)


def hide_action(content: Words) -> dict[str, Any]:
    """'Hide' on anything personal shown on request: the card becomes a neutral line."""
    return action(content.messages.buttons.hide, "hide")


def once() -> str:
    """A token for a card whose buttons must act only once (pass it as `once=` to `action`)."""
    return secrets.token_urlsafe(9)


def open_url(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def _input(kind: str, input_id: str, caption: str, **props: Any) -> list[dict[str, Any]]:
    """An input named by its own `label`, which every client shows with it and screen readers read."""
    return [{"type": kind, "id": input_id, "label": caption, **props, "spacing": "Medium"}]


def choice_input(
    input_id: str, caption: str, options: list[tuple[str, str]], value: str, expanded: bool = False
) -> list[dict[str, Any]]:
    """A labelled choice: a drop-down, or radio buttons when `expanded`."""
    choices = [{"title": title, "value": v} for v, title in options]
    style = "expanded" if expanded else "compact"
    return _input("Input.ChoiceSet", input_id, caption, value=value, style=style, choices=choices)


def text_input(input_id: str, caption: str, value: str = "") -> list[dict[str, Any]]:
    return _input("Input.Text", input_id, caption, value=value)


def multiline_input(input_id: str, caption: str, value: str = "") -> list[dict[str, Any]]:
    return _input("Input.Text", input_id, caption, isMultiline=True, value=value, maxLength=2000)


def date_input(input_id: str, caption: str, earliest: str) -> list[dict[str, Any]]:
    return _input("Input.Date", input_id, caption, min=earliest)


def toggle_input(input_id: str, caption: str, value: bool) -> list[dict[str, Any]]:
    """A switch; its own title, beside it, is its label."""
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
    out["actions"] = [_get_help_now(help_title)] + actions
    return out
