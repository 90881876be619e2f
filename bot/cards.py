"""Adaptive Card builders. Every word comes from content; cards stay within version 1.2 (Teams mobile)."""
from __future__ import annotations

import secrets
from typing import Any

from .content import Content

CARD_VERSION = "1.2"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


def card(body: list[dict], actions: list[dict], fallback: str) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "fallbackText": fallback,
        "body": body,
        "actions": actions,
    }


def text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def command_action(title: str, command_id: str) -> dict[str, Any]:
    """A button that runs a command, exactly as if its words were typed."""
    return {"type": "Action.Submit", "title": title, "data": {"command": command_id}}


def help_now_action(content: Content) -> dict[str, Any]:
    return command_action(content.messages.buttons.get_help_now, "help_now")


def hide_action(content: Content) -> dict[str, Any]:
    """'Hide' on anything personal shown on request: the card becomes a neutral line."""
    return action(content.messages.buttons.hide, "hide")


def help_card(content: Content) -> dict[str, Any]:
    """What the bot can do: generated from the same command table that routes typed words."""
    commands = content.help_commands
    body = [text_block(content.messages.help_intro)]
    body += [text_block(f"**{c.title}**: \"{c.words[0]}\". {c.help}") for c in commands]
    actions = [command_action(c.title, c.id) for c in commands if c.id != "help"]
    return card(body, actions, help_text(content))


def help_text(content: Content) -> str:
    """The help card as plain text, for clients that do not render cards."""
    lines = [content.messages.help_intro]
    lines += [f"- \"{c.words[0]}\": {c.help}" for c in content.help_commands]
    return "\n".join(lines)


HELP_NOW_KIND = "help_now"  # marks the help-now card itself, which needs no "Get help now" button


def help_now_card(content: Content, lead: str | None = None) -> dict[str, Any]:
    """The crisis and support contacts. Safe-messaging order: acknowledge, one hopeful line, people to
    talk to (what each costs, when it is open, where it covers), and that the bot is not a person."""
    m = content.messages
    body = [text_block(m.help_now_title, size="Large", weight="Bolder", style="heading"),
            text_block(lead or m.help_now_intro), text_block(m.help_now_hope)]
    for group in content.contacts.groups:
        body.append(text_block(group.title, weight="Bolder", spacing="Medium"))
        body += [text_block(contact_line(c)) for c in group.contacts]
    body.append(text_block(m.not_monitored, spacing="Medium"))
    result = card(body, [], help_now_text(content, lead))
    result["_kind"] = HELP_NOW_KIND
    return result


def help_now_text(content: Content, lead: str | None = None) -> str:
    m = content.messages
    lines = [m.help_now_title, lead or m.help_now_intro, m.help_now_hope]
    for group in content.contacts.groups:
        lines.append(group.title)
        lines += [f"- {contact_line(c, links=False)}" for c in group.contacts]
    lines.append(m.not_monitored)
    return "\n".join(lines)


def contact_line(contact, links: bool = True) -> str:
    """'**Samaritans**: Call 116 123. Free .... 24 hours a day, every day. UK and Ireland. ...'"""
    parts = [f"**{contact.name}**: {contact.how}."]
    parts += [f"{part}." for part in (contact.cost, contact.when, contact.where, contact.note) if part]
    if contact.url and links:
        parts.append(f"[Website]({contact.url})")
    text = " ".join(parts)
    return text if links else plain_text(text)


def plain_text(text: str) -> str:
    return text.replace("**", "")


def finish(card_: dict[str, Any], help_title: str) -> dict[str, Any]:
    """Every card the bot sends has "Get help now" as its first button (Teams shows the first six
    before an overflow menu), except the help-now card itself. Returns a new card."""
    out = {k: v for k, v in card_.items() if k != "_kind"}
    if card_.get("_kind") == HELP_NOW_KIND:
        return out
    actions = [a for a in out.get("actions") or [] if (a.get("data") or {}).get("command") != "help_now"]
    out["actions"] = [command_action(help_title, "help_now")] + actions
    return out


def topic_card(content: Content, text: str) -> dict[str, Any]:
    """Answer 2 of the crisis guard: one gentle line and a "Get help now" button, no wall of numbers."""
    return card([text_block(text)], [help_now_action(content)], text)


def unknown_card(content: Content) -> dict[str, Any]:
    """The warm answer to anything the bot did not understand: a few things it can do, help first."""
    m = content.messages
    actions = [help_now_action(content)] + [command_action(content.command(c).title, c)
                                            for c in ("check_in", "reflect", "help")]
    return card([text_block(m.unknown)], actions, m.unknown)


def welcome_card(content: Content, schedule: str) -> dict[str, Any]:
    """The first thing a worker sees: what this is, that it is private and not monitored, where help is."""
    welcome = content.text("welcome", bot_name=content.messages.bot_name, schedule=schedule)
    actions = [command_action(content.messages.buttons.help, "help"), help_now_action(content)]
    return card([text_block(welcome)], actions, welcome)


def checkin_card(content: Content, instrument_id: str, nonce: str, lead: str) -> dict[str, Any]:
    """One card with every question as a labelled choice, Save / Skip / Pause / Get help now."""
    instrument = content.instruments[instrument_id]
    m = content.messages.checkin
    body = [text_block(lead), text_block(instrument.intro, weight="Bolder", style="heading")]
    choices = [{"title": a.label, "value": str(a.value)} for a in instrument.answers]
    many = len(instrument.items) > 1
    for number, item in enumerate(instrument.items, 1):
        question = f"{number}. {item.text}" if many else item.text
        body.append(text_block(question, weight="Bolder", spacing="Medium"))
        # The TextBlock shows the question on Teams mobile (card 1.2); `label` names the input for
        # screen readers on newer clients.
        body.append({"type": "Input.ChoiceSet", "id": item.id, "style": "expanded", "choices": choices,
                     "label": f"{m.answer_label} ({number})" if many else m.answer_label, "isRequired": True})
    actions = [
        {"type": "Action.Submit", "title": m.save_button, "data": {"action": "checkin_submit", "nonce": nonce}},
        {"type": "Action.Submit", "title": m.skip_button, "data": {"action": "checkin_skip", "nonce": nonce},
         "associatedInputs": "none"},
        command_action(m.pause_button, "pause"),
        help_now_action(content),
    ]
    values = [a.value for a in instrument.answers]
    hint = content.text("checkin.typed_hint", count=str(len(instrument.items)), lowest=str(min(values)),
                        highest=str(max(values)))
    fallback = "\n".join([lead, instrument.intro] + [f"{n}. {i.text}" for n, i in enumerate(instrument.items, 1)]
                         + [f"{a.value} = {a.label}" for a in instrument.answers] + [hint])
    return card(body, actions, fallback)


def choice_input(input_id: str, label: str, options: list[tuple[str, str]], value: str) -> list[dict[str, Any]]:
    """A labelled drop-down: a visible TextBlock for card 1.2 plus the input's own label."""
    return [text_block(label, spacing="Medium"),
            {"type": "Input.ChoiceSet", "id": input_id, "label": label, "value": value, "style": "compact",
             "choices": [{"title": title, "value": v} for v, title in options]}]


def text_input(input_id: str, label: str, value: str) -> list[dict[str, Any]]:
    return [text_block(label, spacing="Medium"), {"type": "Input.Text", "id": input_id, "label": label, "value": value}]


def toggle_input(input_id: str, label: str, value: bool) -> list[dict[str, Any]]:
    return [{"type": "Input.Toggle", "id": input_id, "title": label, "label": label,
             "value": "true" if value else "false", "valueOn": "true", "valueOff": "false", "spacing": "Medium"}]


def form_card(intro: str, inputs: list[dict[str, Any]], actions: list[dict[str, Any]], fallback: str) -> dict[str, Any]:
    return card([text_block(intro)] + inputs, actions, fallback)


def action(title: str, name: str, **data: str) -> dict[str, Any]:
    """A button for a card action (handled by the router's action table), sending no card inputs."""
    return {"type": "Action.Submit", "title": title, "data": {"action": name, **data}, "associatedInputs": "none"}


def submit(title: str, name: str, **data: str) -> dict[str, Any]:
    """A button that sends the card's inputs with it."""
    return {"type": "Action.Submit", "title": title, "data": {"action": name, **data}}


def once() -> str:
    """A token for a card whose buttons must act only once (pass it as `once=` to `action`/`submit`)."""
    return secrets.token_urlsafe(9)


def open_url(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def multiline_input(input_id: str, label: str, value: str = "") -> list[dict[str, Any]]:
    return [text_block(label, spacing="Medium"),
            {"type": "Input.Text", "id": input_id, "label": label, "isMultiline": True, "value": value,
             "maxLength": 2000}]
