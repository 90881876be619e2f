"""The check-in card, and what comes after one is saved."""

from __future__ import annotations

from ..content.views import CheckinWords
from .base import HELP_NOW_KIND, Card, action, card, choice_input, command_action, help_now_action, text_block
from .help import contact_blocks, help_now_text


def checkin_card(content: CheckinWords, instrument_id: str, nonce: str, lead: str) -> Card:
    """One card with every question as the label of its choices, Save / Skip / Pause / Get help now."""
    instrument = content.instruments[instrument_id]
    m = content.messages.checkin
    body = [text_block(lead), text_block(instrument.intro, weight="Bolder", size="Medium")]
    answers = [(str(a.value), a.label) for a in instrument.answers]
    many = len(instrument.items) > 1
    for number, item in enumerate(instrument.items, 1):
        question = f"{number}. {item.text}" if many else item.text
        body += choice_input(item.id, question, answers, "", expanded=True)  # nothing chosen for them
    actions = [
        action(m.save_button, "checkin_submit", nonce=nonce),
        action(m.skip_button, "checkin_skip", nonce=nonce),
        command_action(m.pause_button, "pause"),
        help_now_action(content),
    ]
    values = [a.value for a in instrument.answers]
    hint = content.fill(
        content.messages.checkin.typed_hint,
        count=str(len(instrument.items)),
        lowest=str(min(values)),
        highest=str(max(values)),
    )
    fallback = "\n".join(
        [lead, instrument.intro]
        + [f"{n}. {i.text}" for n, i in enumerate(instrument.items, 1)]
        + [f"{a.value} = {a.label}" for a in instrument.answers]
        + [hint]
    )
    return card(body, actions, fallback)


def thanks_card(content: CheckinWords, once: str, contacts: bool = False) -> Card:
    """The same thank-you whatever the score (Teams keeps chat history), with support behind buttons.
    With `contacts` (a very low check-in) the help-now contacts follow in the same card: one message."""
    m = content.messages.checkin
    actions = [
        action(m.prompt_button, "checkin_prompt"),
        action(m.guide_button, "checkin_guide"),
        command_action(content.command("my_plan").title, "my_plan"),
        action(content.messages.agenda.take_button, "agenda_add_checkin", once=once),
    ]
    if not contacts:
        return card([text_block(m.thanks)], actions, m.thanks)
    result = card([text_block(m.thanks), *contact_blocks(content)], actions, f"{m.thanks}\n{help_now_text(content)}")
    result["_kind"] = HELP_NOW_KIND  # the contacts are on it: no separate "Get help now" button
    return result


def question_card(content: CheckinWords, question: str) -> Card:
    """'A question to reflect on', opened on request after a check-in."""
    text = f"{content.messages.checkin.something_to_think_about}\n\n{question}"
    return card([text_block(text)], [command_action(content.command("reflect").title, "reflect")], text)
