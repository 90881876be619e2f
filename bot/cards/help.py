"""Help, "Get help now", the welcome, and the gentle answers of the crisis guard and to the unknown."""

from __future__ import annotations

from ..content import Content
from ..content.golive import has_placeholder
from ..content.schema import Contact
from ..content.views import SupportWords
from .base import HELP_NOW_KIND, Card, card, command_action, heading, help_now_action, open_url, text_block

# Content files are frozen models, replaced whole on a reload: what one contacts file shows is worked out
# once (the placeholder check walks every field, and the welcome and every help card ask).
_SHOWN: dict[int, tuple[object, tuple[tuple[str, tuple[Contact, ...]], ...]]] = {}


def shown_contacts(content: SupportWords) -> tuple[tuple[str, tuple[Contact, ...]], ...]:
    """The contact groups as workers see them: a contact still holding a <<placeholder>> is left out."""
    contacts_file = content.contacts
    known = _SHOWN.get(id(contacts_file))
    if known is not None and known[0] is contacts_file:
        return known[1]
    groups = [(g.title, tuple(c for c in g.contacts if not has_placeholder(c))) for g in contacts_file.groups]
    shown = tuple((title, contacts) for title, contacts in groups if contacts)
    if len(_SHOWN) >= 8:  # a few files at once at most (a preview beside the live content)
        _SHOWN.clear()
    _SHOWN[id(contacts_file)] = (contacts_file, shown)
    return shown


def key_contacts(content: SupportWords) -> str:
    """The contacts marked `key`, in one line: they also go where they survive an outage of the bot."""
    lines = [
        f"{c.name} ({c.how[:1].lower()}{c.how[1:]})"
        for _, contacts in shown_contacts(content)
        for c in contacts
        if c.key
    ]
    return ", ".join(lines)


def help_card(content: SupportWords) -> Card:
    """What the bot can do: generated from the same command table that routes typed words. Every
    command is listed; the few in `help_buttons` are buttons too (Teams shows six, help first)."""
    commands = content.help_commands
    body = [text_block(content.messages.help_intro)]
    body += [text_block(f'**{c.title}**: "{c.words[0]}". {c.help}') for c in commands]
    body.append(text_block(content.messages.help_footer, isSubtle=True, spacing="Medium"))
    actions = [command_action(content.command(c).title, c) for c in content.messages.help_buttons]
    return card(body, actions, help_text(content))


def options_card(content: SupportWords, text: str) -> Card:
    """A short answer with a few things to do next ("Get help now" comes first on every card)."""
    actions = [command_action(content.command(c).title, c) for c in ("check_in", "reflect", "guide")]
    return card([text_block(text)], actions, text)


def help_text(content: SupportWords) -> str:
    """The help card as plain text, for clients that do not render cards."""
    lines = [content.messages.help_intro]
    lines += [f'- "{c.words[0]}": {c.help}' for c in content.help_commands]
    lines.append(content.messages.help_footer)
    return "\n".join(lines)


def help_now_card(content: SupportWords, lead: str | None = None, first: str | None = None) -> Card:
    """The crisis and support contacts. Safe-messaging order: acknowledge, one hopeful line, people to
    talk to (what each costs, when it is open, where it covers), and that the bot is not a person.
    `first` is a line that must come before everything else (taken too much: 999 or A&E now)."""
    m = content.messages
    top = [text_block(first, weight="Bolder")] if first else []
    body = [heading(m.help_now_title, "Large"), *top, *contact_blocks(content, lead)]
    result = card(body, [], "\n".join(filter(None, [first, help_now_text(content, lead)])))
    result["_kind"] = HELP_NOW_KIND
    return result


def situation_contacts(content: SupportWords, situation: str) -> list[Contact]:
    """The contacts a situation names (contacts.yaml, situations), in order, placeholders left out."""
    shown = {c.id: c for _, contacts in shown_contacts(content) for c in contacts}
    ids = getattr(content.contacts.situations, situation)
    return [shown[i] for i in ids if i in shown]


def offer_card(content: SupportWords, situation: str = "offer") -> Card:
    """When the guard is unsure: one calm line, the key numbers written out so nobody has to press
    anything to see them, and "Get help now" for the rest. It asks nothing and assesses nothing.
    For a possible overdose, 999 or A&E comes first, before any other line."""
    m = content.messages.crisis
    contacts = situation_contacts(content, situation)
    lines = ([m.overdose_lead] if situation == "overdose" else []) + [m.offer_line]
    body = [text_block(line) for line in lines] + [text_block(short_contact_line(c)) for c in contacts]
    body.append(text_block(m.offer_more, isSubtle=True))
    fallback = "\n".join([*lines, *(f"- {short_contact_line(c, links=False)}" for c in contacts)])
    return card(body, [help_now_action(content)], fallback)


def unsafe_card(content: SupportWords) -> Card:
    """Being harmed, threatened or afraid to go home: 999 if in danger now, the domestic abuse lines and
    the Trust's own contacts (contacts.yaml, situations: unsafe), then "Get help now" for the rest."""
    m = content.messages
    contacts = situation_contacts(content, "unsafe")
    body = [heading(m.crisis.unsafe_title, "Large"), text_block(m.crisis.unsafe_lead)]
    body += [text_block(contact_line(c)) for c in contacts]
    body.append(text_block(m.not_monitored, spacing="Medium"))
    lines = [m.crisis.unsafe_title, m.crisis.unsafe_lead, *(f"- {contact_line(c, links=False)}" for c in contacts)]
    return card(body, [help_now_action(content)], "\n".join([*lines, m.not_monitored]))


def short_contact_line(contact: Contact, links: bool = True) -> str:
    """'**Samaritans**: Call 116 123. Free .... 24 hours a day, every day.' (no nations or notes)."""
    parts = [f"**{contact.name}**: {contact.how}."] + [f"{p}." for p in (contact.cost, contact.when) if p]
    text = " ".join(parts)
    return text if links else text.replace("**", "")


def contact_blocks(content: SupportWords, lead: str | None = None) -> list[dict]:
    """The help-now words and contacts, to stand alone or to follow another line in one card."""
    m = content.messages
    body = [text_block(lead or m.help_now_intro), text_block(m.help_now_hope)]
    for title, contacts in shown_contacts(content):
        body.append(text_block(title, weight="Bolder", spacing="Medium"))
        body += [text_block(contact_line(c)) for c in contacts]
    body.append(text_block(m.not_monitored, spacing="Medium"))
    return body


def help_now_text(content: SupportWords, lead: str | None = None) -> str:
    m = content.messages
    lines = [m.help_now_title, lead or m.help_now_intro, m.help_now_hope]
    for title, contacts in shown_contacts(content):
        lines.append(title)
        lines += [f"- {contact_line(c, links=False)}" for c in contacts]
    lines.append(m.not_monitored)
    return "\n".join(lines)


def contact_line(contact, links: bool = True) -> str:
    """'**Samaritans**: Call 116 123. Free .... 24 hours a day, every day. UK and Ireland. ...'"""
    parts = [f"**{contact.name}**: {contact.how}."]
    parts += [f"{part}." for part in (contact.cost, contact.when, contact.where, contact.note) if part]
    if contact.url and links:
        parts.append(f"[Website]({contact.url})")
    text = " ".join(parts)
    return text if links else text.replace("**", "")


def crisis_topic_card(content: SupportWords) -> Card:
    """The crisis guard's answer to crisis topics (not about the writer): one gentle line and a "Get
    help now" button, no wall of numbers."""
    text = content.messages.crisis.topic_line
    return card([text_block(text)], [help_now_action(content)], text)


def work_talk_card(content: SupportWords) -> Card:
    """For an everyday saying typed on its own ("this rota is killing me"): a gentle offer."""
    m = content.messages.crisis
    actions = [
        command_action(m.check_in_button, "check_in"),
        command_action(m.reflect_button, "reflect"),
        help_now_action(content),
    ]
    return card([text_block(m.work_talk_offer)], actions, m.work_talk_offer)


def unknown_card(content: SupportWords) -> Card:
    """The warm answer to anything the bot did not understand: a few things it can do, help first."""
    m = content.messages
    actions = [help_now_action(content)] + [
        command_action(content.command(c).title, c) for c in ("check_in", "reflect", "help")
    ]
    return card([text_block(m.unknown)], actions, m.unknown)


def welcome_card(content: Content, schedule: str) -> Card:
    """The first thing a worker sees: what this is, that it is private and not monitored, where help is."""
    welcome = content.fill(
        content.messages.welcome,
        bot_name=content.messages.bot_name,
        schedule=schedule,
        key_contacts=key_contacts(content),
    )
    actions = [
        command_action(content.messages.buttons.help, "help"),
        command_action(content.command("privacy").title, "privacy"),
        help_now_action(content),
    ]
    return card([text_block(welcome)], actions, welcome)


def privacy_notice_card(content: Content) -> Card:
    """The short privacy notice, with the Trust's full notice behind a link."""
    notice = content.privacy_notice
    body = [heading(notice.title)]
    for section in notice.sections:
        body += [text_block(section.heading, weight="Bolder", spacing="Medium"), text_block(section.text)]
    fallback = "\n".join([notice.title] + [f"{s.heading}: {s.text}" for s in notice.sections])
    actions = [open_url(content.messages.privacy.full_notice_button, str(notice.full_notice_url))]
    return card(body, actions, fallback)


def about_text(content: Content) -> str:
    """Which content version is running, who approved it, and the instruments' attribution."""
    meta = content.messages.meta
    instruments = "\n\n".join(
        " ".join(filter(None, [f"{i.name}: {i.attribution}", i.licence, _adapted(i)]))
        for i in content.instruments.values()
    )
    return content.fill(
        content.messages.about,
        bot_name=content.messages.bot_name,
        version=content.version,
        approved_by=meta.approved_by,
        approved_on=meta.approved_on.isoformat(),
        instruments=instruments,
    )


def _adapted(instrument) -> str:
    """How an instrument's instruction differs from the published one, in its own words, with the original."""
    if not instrument.adaptation:
        return ""
    return f'{instrument.adaptation} The published instruction: "{instrument.published_instruction}"'
