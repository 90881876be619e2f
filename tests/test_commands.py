"""Commands are declared once: words and help in messages.yaml, a handler marked @command in a dialog.
These fail when content, the help card and routing disagree."""

from __future__ import annotations

from bot.cards.help import help_card
from bot.content import load_content
from bot.dialogs.catalogue import ACTION_NAMES, COMMAND_IDS, DIALOGS
from bot.dialogs.registry import declared
from tests.test_cards import CARDS


def test_every_command_in_content_has_a_handler_and_every_handler_has_words():
    content = load_content()
    assert {c.id for c in content.messages.commands} == COMMAND_IDS


def test_every_commands_words_route_to_it():
    content = load_content()
    for command in content.messages.commands:
        for word in command.words:
            assert content.parse_command(word) == (command.id, ""), word


def test_the_help_card_lists_what_help_promises_and_each_button_routes():
    content = load_content()
    card = help_card(content)
    shown = {c.id for c in content.messages.commands if c.show_in_help}
    buttons = [a["data"]["command"] for a in card["actions"]]
    assert buttons == content.messages.help_buttons and set(buttons) <= shown and len(buttons) <= 5
    text = " ".join(b["text"] for b in card["body"])
    assert all(f'"{content.command(c).words[0]}"' in text for c in shown)


def test_every_button_on_every_card_is_answered():
    for name, card in CARDS.items():
        for action in card.get("actions", []):
            data = action.get("data") or {}
            if "command" in data:
                assert data["command"] in COMMAND_IDS, (name, data)
            elif action["type"] == "Action.Submit":
                assert data.get("action") in ACTION_NAMES, (name, data)


def test_no_two_handlers_answer_the_same_command():
    per_dialog = [declared("command", d) for d in DIALOGS]
    assert sum(len(c) for c in per_dialog) == len(COMMAND_IDS)
