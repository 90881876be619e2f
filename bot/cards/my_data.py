"""'my data': what is held, the trend on request, the export link, and the erasure question."""

from __future__ import annotations

from ..content.views import Words
from ..usecases.data_rights import Held
from .base import Card, action, card, command_action, heading, hide_action, open_url, text_block
from .words import day_words, describe


def number_words(content: Words, n: int) -> str:
    """0 to 100 in words (from content), so a number is never only a number or only a bar."""
    m = content.messages.privacy
    if n >= 100:
        return m.number_hundred
    if n < 20:
        return m.number_ones[n]
    tens, ones = divmod(n, 10)
    return m.number_tens[tens - 2] + (f"-{m.number_ones[ones]}" if ones else "")


def held_card(content: Words, held: Held) -> Card:
    """In plain words: what is held. Scores are never listed here; the trend only on request."""
    m = content.messages.privacy
    lines = [content.fill(content.messages.privacy.summary_schedule, schedule=describe(content, held.schedule))]
    dates = [day_words(content, d) for d in held.checkin_dates[-12:]]
    count = str(len(held.checkin_dates))
    lines.append(
        content.fill(content.messages.privacy.summary_checkins, count=count, dates="; ".join(dates))
        if dates
        else m.summary_no_checkins
    )
    link = held.link
    if link and link.status in ("pending", "active"):
        status = content.messages.sharing.status_words[link.status]
        lines.append(content.fill(content.messages.privacy.summary_link, name=link.supervisor_name, status=status))
    else:
        lines.append(m.summary_no_link)
    lines.append(m.summary_consent_on if held.consent.on else m.summary_consent_off)
    lines.append(content.fill(content.messages.privacy.summary_requests, count=str(held.requests_sent)))
    plan = m.plan_written if held.plan_written else m.plan_empty
    lines.append(
        content.fill(
            content.messages.privacy.summary_private, notes=str(held.notes), agenda=str(held.agenda), plan=plan
        )
    )
    lines.append(m.summary_chat)
    actions = [
        action(m.trend_button, "data_trend"),
        action(m.export_button, "data_export"),
        command_action(m.delete_button, "delete_my_data"),
        hide_action(content),
    ]
    body = [heading(m.summary_title)] + [text_block(line) for line in lines]
    return card(body, actions, "\n".join([m.summary_title, *lines]))


def trend_card(content: Words, points: list[tuple[str, int]]) -> Card:
    """Recent totals as a text chart with the numbers in words too; never meaning by colour."""
    m = content.messages.privacy
    lines = [m.trend_title]
    for date, total in points:
        bar = "█" * round(total / 10) + "░" * (10 - round(total / 10))
        words = number_words(content, total)
        day = day_words(content, date)
        lines.append(
            content.fill(content.messages.privacy.trend_line, date=day, bar=bar, total=str(total), words=words)
        )
    lines.append(m.trend_note)
    body = [text_block(lines[0], weight="Bolder")] + [text_block(line) for line in lines[1:]]
    return card(body, [hide_action(content)], "\n".join(lines))


def export_card(content: Words, url: str, minutes: int) -> Card:
    m = content.messages.privacy
    text = content.fill(content.messages.privacy.export_ready, minutes=str(minutes))
    return card([text_block(text)], [open_url(m.export_link_button, url)], text)


def erase_card(content: Words, nonce: str) -> Card:
    """Exactly what erasure does and cannot do, asked once more."""
    m = content.messages.privacy
    actions = [action(m.delete_yes, "erase_confirm", nonce=nonce), action(m.delete_cancel, "erase_cancel")]
    return card([text_block(m.delete_confirm)], actions, m.delete_confirm)
