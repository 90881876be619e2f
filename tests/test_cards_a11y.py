"""Every card the bot sends (every builder in bot/cards, rendered with the shipped content as in
tests/test_cards.py), drawn by the Adaptive Cards JavaScript renderer in headless Chromium and checked by
axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules: no violations; and its "Get help now" pressed.
tests/card_browser.py installs what this needs when it is missing, and fails rather than skips when it
cannot."""

from __future__ import annotations

import pytest

from bot.cards import base
from tests import card_browser
from tests.test_cards import CARDS

# A card the check must fail, so a harness that draws or checks nothing cannot pass: a text just before an
# input does not name it for a screen reader.
UNNAMED = base.card([base.text_block("Your note"), {"type": "Input.Text", "id": "note"}], [], "Your note")


@pytest.fixture(scope="module")
def drawn() -> dict:
    cards = {name: base.finish(card, "Get help now") for name, card in CARDS.items()}  # as Teams gets them
    return card_browser.axe({**cards, "unnamed input": UNNAMED})


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_card_meets_wcag_a_and_aa_as_drawn(drawn, name):
    result = drawn["results"][name]
    assert result["renderer"] == [], f"the renderer did not take the card whole: {result['renderer']}"
    found = [f"{v['id']} ({v['impact']}): {v['help']}: {n['target']}" for v in result["violations"] for n in v["nodes"]]
    assert not found, f"axe-core {drawn['versions']['axe-core']} on {name}:\n" + "\n".join(found)


def test_the_check_finds_an_unnamed_input(drawn):
    assert [v["id"] for v in drawn["results"]["unnamed input"]["violations"]] == ["label"]
    assert drawn["results"]["checkin"]["inputs"] == 30  # five questions of six answers, all drawn


@pytest.mark.parametrize("name", sorted(n for n, card in CARDS.items() if card.get("_kind") != base.HELP_NOW_KIND))
def test_get_help_now_is_sent_whatever_is_typed_on_the_card(drawn, name):
    """Even with a date before the earliest allowed, which holds back the card's other buttons."""
    assert drawn["results"][name]["first_button_sent"] == "Get help now"
