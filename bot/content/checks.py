"""Checks across entries and files: unique ids, links that exist, thresholds that fit their instrument.

Each check runs when the files it needs passed their own schema, so one broken file does not hide
the problems in another.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from .problems import Problem, line_of
from .schema import ADMIN_COMMANDS, BUTTON_MAX, INSTRUMENTS_DIR, MESSAGE_PLACEHOLDERS, normalise_command, placeholders

TOPIC_LINK = re.compile(r"\[\[([^\]]*)\]\]")
PLACEHOLDER = re.compile(r"<<[^<>]*>>")  # text the Trust must fill in before go-live (see golive.py)
MENU_MAX = 10


def cross_checks(models: dict[str, Any], trees: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    guide = models.get("guide.yaml")
    topic_ids = {t.id for t in guide.topics} if guide else None
    instruments = {name: m for name, m in models.items() if name.startswith(INSTRUMENTS_DIR + "/")}
    if "messages.yaml" in models:
        problems += _messages(models["messages.yaml"], trees["messages.yaml"], topic_ids)
    if "contacts.yaml" in models:
        contacts, tree = models["contacts.yaml"], trees["contacts.yaml"]
        problems += unique(
            "contacts.yaml", tree, [(("groups", i), g.id) for i, g in enumerate(contacts.groups)], "group"
        )
        problems += unique(
            "contacts.yaml",
            tree,
            [
                (("groups", i, "contacts", j), c.id)
                for i, g in enumerate(contacts.groups)
                for j, c in enumerate(g.contacts)
            ],
            "contact",
        )
    if "contacts.yaml" in models:
        problems += _verified(models["contacts.yaml"], trees["contacts.yaml"])
        problems += _situations(models["contacts.yaml"], trees["contacts.yaml"])
    if guide and topic_ids is not None:
        problems += _guide(guide, trees["guide.yaml"], topic_ids)
    if "supervision.yaml" in models:
        groups = models["supervision.yaml"].groups
        problems += unique(
            "supervision.yaml",
            trees["supervision.yaml"],
            [(("groups", i), g.id) for i, g in enumerate(groups)],
            "group",
        )
    if "reflective_prompts.yaml" in models:
        prompts = models["reflective_prompts.yaml"].prompts
        problems += unique(
            "reflective_prompts.yaml",
            trees["reflective_prompts.yaml"],
            [(("prompts", i), p.id) for i, p in enumerate(prompts)],
            "prompt",
        )
    for name, instrument in instruments.items():
        problems += _instrument(name, instrument, trees[name])
    problems += unique_across(instruments, trees)
    if "rules.yaml" in models and len(instruments) == len([n for n in trees if n.startswith(INSTRUMENTS_DIR + "/")]):
        by_id = {m.id: m for m in instruments.values()}
        problems += _rules(models["rules.yaml"], trees["rules.yaml"], by_id, topic_ids)
    return problems


def unique(file: str, tree: Any, entries: Iterable[tuple[tuple, str]], what: str) -> list[Problem]:
    """A problem for each id used a second time."""
    seen: set[str] = set()
    problems = []
    for loc, ident in entries:
        if ident in seen:
            problems.append(
                Problem(file, line_of(tree, loc), f"{what} id '{ident}' is used twice. Each {what} needs its own id.")
            )
        seen.add(ident)
    return problems


def unique_across(instruments: dict[str, Any], trees: dict[str, Any]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for name, instrument in instruments.items():
        if instrument.id in seen:
            problems.append(
                Problem(
                    name,
                    line_of(trees[name], ("id",)),
                    f"instrument id '{instrument.id}' is "
                    f"also used by {seen[instrument.id]}. Each instrument needs its own id.",
                )
            )
        seen.setdefault(instrument.id, name)
    return problems


def _messages(messages, tree, topic_ids: set[str] | None) -> list[Problem]:
    problems = unique(
        "messages.yaml", tree, [(("commands", i), c.id) for i, c in enumerate(messages.commands)], "command"
    )
    problems += _commands(messages, tree)
    for key, value in message_texts(messages):
        # A notice's placeholders are the ones its use-case declares (known_notices checks them).
        problems += _placeholders(key, value, tree, None if key.startswith("notices.") else _table(key))
        if topic_ids is not None:
            problems += _topic_links(key, value, tree, topic_ids)
    return problems


def message_texts(model, prefix: str = "") -> Iterable[tuple[str, str]]:
    """Every text in messages.yaml with its dotted key, e.g. ('checkin.reminder', '...')."""
    for key in type(model).model_fields:
        value = getattr(model, key)
        if isinstance(value, str):
            yield prefix + key, value
        elif isinstance(value, dict):
            yield from ((f"{prefix}{key}.{k}", v) for k, v in value.items() if isinstance(v, str))
        elif hasattr(type(value), "model_fields") and key != "meta":
            yield from message_texts(value, f"{prefix}{key}.")


def is_placeholder(contact) -> bool:
    """True while any of a contact's details is still a <<placeholder>> the Trust must fill in."""
    return any(PLACEHOLDER.search(v) for v in contact.model_dump().values() if isinstance(v, str))


def _verified(contacts, tree) -> list[Problem]:
    """A real contact says when it was last checked; a placeholder cannot have been checked."""
    problems = []
    for i, group in enumerate(contacts.groups):
        for j, contact in enumerate(group.contacts):
            loc = ("groups", i, "contacts", j)
            placeholder = is_placeholder(contact)
            if placeholder and contact.last_verified is not None:
                problems.append(
                    Problem(
                        "contacts.yaml",
                        line_of(tree, (*loc, "last_verified")),
                        f"contact '{contact.id}' still has a <<placeholder>>, so it cannot have "
                        "been verified: remove last_verified until the details are filled in.",
                    )
                )
            elif not placeholder and contact.last_verified is None:
                problems.append(
                    Problem(
                        "contacts.yaml",
                        line_of(tree, loc),
                        f"contact '{contact.id}' has no last_verified date. Check it on the "
                        "service's own website and add the date.",
                    )
                )
    return problems


def _situations(contacts, tree) -> list[Problem]:
    """Every contact a situation names exists, and each situation keeps a route to a person now."""
    problems = []
    by_id = {c.id: c for g in contacts.groups for c in g.contacts}
    for name, ids in contacts.situations.model_dump().items():
        for i, contact_id in enumerate(ids):
            if contact_id not in by_id:
                problems.append(
                    Problem(
                        "contacts.yaml",
                        line_of(tree, ("situations", name, i)),
                        f"situation '{name}' names the contact '{contact_id}', which is not in any group. "
                        f"Use one of: {', '.join(sorted(by_id))}.",
                    )
                )
        real = [c for c in ids if c in by_id and not is_placeholder(by_id[c])]
        if ids and all(c in by_id for c in ids) and not real:
            problems.append(
                Problem(
                    "contacts.yaml",
                    line_of(tree, ("situations", name)),
                    f"situation '{name}' has no contact without a <<placeholder>>, so workers would see no "
                    "number at all. Put a real contact first (for example emergency).",
                )
            )
    return problems


def known_commands(messages, tree, known: Collection[str]) -> list[Problem]:
    """Every command in messages.yaml is one the code answers, and every one it answers has an entry."""
    problems = []
    ids = [c.id for c in messages.commands]
    for index, command in enumerate(messages.commands):
        if command.id not in known:
            problems.append(
                Problem(
                    "messages.yaml",
                    line_of(tree, ("commands", index)),
                    f"command '{command.id}' is not one the bot can do. Known commands: {', '.join(sorted(known))}.",
                )
            )
    for missing in sorted(set(known) - set(ids)):
        problems.append(
            Problem(
                "messages.yaml",
                line_of(tree, ("commands",)),
                f"command '{missing}' has no entry, so it would have no words or help text. Add it.",
            )
        )
    return problems


def known_notices(messages, tree, declared: Mapping[str, Collection[str]]) -> list[Problem]:
    """Every message the code starts itself (name -> the placeholders it fills) has words in `notices`,
    using only those placeholders, and there are no words for a message no code sends."""
    problems = []
    for name, text in messages.notices.items():
        loc = ("notices", name)
        if name not in declared:
            known = ", ".join(sorted(declared))
            problems.append(
                Problem(
                    "messages.yaml", line_of(tree, loc), f"notice '{name}' is not one the bot sends. Known: {known}."
                )
            )
            continue
        problems += _placeholders(f"notices.{name}", text, tree, declared[name])
    for missing in sorted(set(declared) - set(messages.notices)):
        problems.append(
            Problem(
                "messages.yaml",
                line_of(tree, ("notices",)),
                f"notice '{missing}' has no words under notices, so it could not be sent. Add it.",
            )
        )
    return problems


def _commands(messages, tree) -> list[Problem]:
    problems = []
    ids = {c.id for c in messages.commands}
    for index, button in enumerate(messages.help_buttons):
        if button not in ids:
            problems.append(
                Problem(
                    "messages.yaml",
                    line_of(tree, ("help_buttons", index)),
                    f"help_buttons names '{button}', which is not a command in this file.",
                )
            )
    for index, command in enumerate(messages.commands):
        if len(command.title) > BUTTON_MAX:
            problems.append(
                Problem(
                    "messages.yaml",
                    line_of(tree, ("commands", index, "title")),
                    f"command '{command.id}': its title is a button, so keep it to {BUTTON_MAX} "
                    "characters or fewer (Teams cuts longer ones).",
                )
            )
    menu = [(i, c) for i, c in enumerate(messages.commands) if c.menu]
    if len(menu) > MENU_MAX:
        problems.append(
            Problem(
                "messages.yaml",
                line_of(tree, ("commands", menu[MENU_MAX][0])),
                f"{len(menu)} commands have 'menu: true'; Teams shows at most {MENU_MAX}.",
            )
        )
    for index, command in menu:
        if normalise_command(command.title) not in command.words:
            problems.append(
                Problem(
                    "messages.yaml",
                    line_of(tree, ("commands", index, "words")),
                    f"command '{command.id}' is in the Teams menu, which sends its title "
                    f"'{command.title}' as a message: add it to its words.",
                )
            )
        if command.id in ADMIN_COMMANDS or not command.show_in_help:
            problems.append(
                Problem(
                    "messages.yaml",
                    line_of(tree, ("commands", index)),
                    f"command '{command.id}' cannot be in the Teams menu: it is hidden from help.",
                )
            )
        if len(command.title) > 32 or len(command.help) > 128:
            problems.append(
                Problem(
                    "messages.yaml",
                    line_of(tree, ("commands", index)),
                    f"command '{command.id}' is in the Teams menu, so its title must be 32 "
                    "characters or fewer and its help 128 or fewer.",
                )
            )
    owner: dict[str, str] = {}
    for index, command in enumerate(messages.commands):
        for word in command.words:
            if word in owner and owner[word] != command.id:
                problems.append(
                    Problem(
                        "messages.yaml",
                        line_of(tree, ("commands", index, "words")),
                        f"the words '{word}' are used by both '{owner[word]}' and '{command.id}'.",
                    )
                )
            owner.setdefault(word, command.id)
    return problems


def _table(key: str) -> frozenset[str]:
    return MESSAGE_PLACEHOLDERS.get(key) or MESSAGE_PLACEHOLDERS.get(key.rsplit(".", 1)[0] + ".*", frozenset())


def _placeholders(key: str, value: str, tree, allowed: Collection[str] | None) -> list[Problem]:
    """Braces that match, and (unless `allowed` is None) only the placeholders allowed."""
    loc = tuple(key.split("."))
    try:
        used = placeholders(TOPIC_LINK.sub("", value))
    except ValueError:
        return [
            Problem(
                "messages.yaml",
                line_of(tree, loc),
                f"'{key}' has an unmatched {{ or }}. Use {{{{ and }}}} for literal braces.",
            )
        ]
    if allowed is None:
        return []
    problems = []
    for name in sorted(used - set(allowed)):
        hint = (
            f"Available here: {', '.join('{' + a + '}' for a in sorted(allowed))}."
            if allowed
            else "This message takes no placeholders."
        )
        problems.append(
            Problem(
                "messages.yaml",
                line_of(tree, loc),
                f"'{key}' uses the placeholder {{{name}}}, which does not exist. {hint}",
            )
        )
    return problems


def _topic_links(key: str, value: str, tree, topic_ids: set[str]) -> list[Problem]:
    return [
        Problem(
            "messages.yaml",
            line_of(tree, tuple(key.split("."))),
            f"'{key}' links to the guide topic [[{ref}]], which is not in guide.yaml.",
        )
        for ref in TOPIC_LINK.findall(value)
        if ref not in topic_ids
    ]


def _guide(guide, tree, topic_ids: set[str]) -> list[Problem]:
    problems = unique("guide.yaml", tree, [(("topics", i), t.id) for i, t in enumerate(guide.topics)], "topic")
    for i, topic in enumerate(guide.topics):
        for ref in topic.related:
            if ref not in topic_ids or ref == topic.id:
                problems.append(
                    Problem(
                        "guide.yaml",
                        line_of(tree, ("topics", i, "related")),
                        f"topic '{topic.id}' lists '{ref}' as related, but "
                        + (
                            "a topic cannot be related to itself."
                            if ref == topic.id
                            else "there is no topic with that id."
                        ),
                    )
                )
        if len(topic.button or topic.title) > BUTTON_MAX:
            field = "button" if topic.button else "title"
            problems.append(
                Problem(
                    "guide.yaml",
                    line_of(tree, ("topics", i, field)),
                    f"topic '{topic.id}' needs a 'button' of {BUTTON_MAX} characters or fewer: Teams cuts "
                    f"longer button titles ('{(topic.button or topic.title)}' is {len(topic.button or topic.title)}).",
                )
            )
    return problems


def _instrument(name: str, instrument, tree) -> list[Problem]:
    problems = unique(name, tree, [(("items", i), it.id) for i, it in enumerate(instrument.items)], "item")
    adapted = instrument.published_instruction and instrument.intro != instrument.published_instruction
    if adapted and not instrument.adaptation.strip():
        problems.append(
            Problem(
                name,
                line_of(tree, ("intro",)),
                "'intro' differs from 'published_instruction': "
                "say in 'adaptation' what was changed and why, or use the published words.",
            )
        )
    seen: set[int] = set()
    for i, answer in enumerate(instrument.answers):
        if answer.value in seen:
            problems.append(
                Problem(
                    name,
                    line_of(tree, ("answers", i)),
                    f"the answer value {answer.value} is used twice. Each answer needs its own value.",
                )
            )
        seen.add(answer.value)
    return problems


def _rules(rules, tree, instruments: dict[str, Any], topic_ids: set[str] | None) -> list[Problem]:
    problems: list[Problem] = []

    def add(loc: tuple, message: str) -> None:
        problems.append(Problem("rules.yaml", line_of(tree, loc), message))

    main = instruments.get(rules.checkin.instrument)
    if main is None:
        add(
            ("checkin", "instrument"),
            f"'instrument' is '{rules.checkin.instrument}', but there is no such "
            f"instrument in instruments/. Known: {', '.join(sorted(instruments)) or 'none'}.",
        )
    if rules.checkin.pulse and rules.checkin.pulse not in instruments:
        add(
            ("checkin", "pulse"),
            f"'pulse' is '{rules.checkin.pulse}', but there is no such instrument in instruments/.",
        )
    if main is not None:
        low_end, high_end = main.score_range
        if not main.has_cut_offs:
            add(
                ("checkin", "instrument"),
                f"'{main.id}' has no published cut-offs (has_cut_offs: false), "
                "so it cannot be the main check-in that thresholds apply to.",
            )
        t = rules.thresholds
        for field in ("low", "very_low", "personal_low_min", "personal_low_max"):
            value = getattr(t, field)
            if not low_end <= value <= high_end:
                add(
                    ("thresholds", field),
                    f"'{field}' is {value}, outside {main.id}'s range of "
                    f"{low_end} to {high_end}. Use a number in that range.",
                )
        if t.very_low >= t.low:
            add(("thresholds", "very_low"), f"'very_low' ({t.very_low}) must be lower than 'low' ({t.low}).")
        if not t.personal_low_min <= t.low <= t.personal_low_max:
            add(
                ("thresholds", "low"),
                f"'low' ({t.low}) must lie between personal_low_min "
                f"({t.personal_low_min}) and personal_low_max ({t.personal_low_max}).",
            )
    r = rules.repeated_low
    if r.within > r.of_last:
        add(("repeated_low", "within"), f"'within' ({r.within}) cannot be more than 'of_last' ({r.of_last}).")
    needed = (min(r.consecutive, r.within) - 1) * r.counted_every_days
    if needed > r.window_weeks * 7:
        add(
            ("repeated_low", "window_weeks"),
            f"with one check-in counted every {r.counted_every_days} days, "
            f"{min(r.consecutive, r.within)} low check-ins take {needed} days, longer than 'window_weeks' "
            f"({r.window_weeks} weeks), so the rule could never apply. Make the window longer.",
        )
    if rules.cadence.default not in rules.cadence.allowed:
        add(("cadence", "default"), f"'default' is '{rules.cadence.default}', which is not in 'allowed'.")
    if rules.reminder_after_hours >= rules.expire_after_hours:
        add(
            ("reminder_after_hours",),
            "'reminder_after_hours' must be less than 'expire_after_hours', "
            "or the reminder would come after the check-in has expired.",
        )
    if topic_ids is not None:
        for field in ("after_ok", "after_low", "after_very_low"):
            ref = getattr(rules.topics, field)
            if ref not in topic_ids:
                add(("topics", field), f"'{field}' names the topic '{ref}', which is not in guide.yaml.")
    return problems
