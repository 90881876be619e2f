"""Validated content, as the rest of the bot reads it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import TOPIC_LINK
from .schema import (
    Command,
    ContactsFile,
    CrisisEvalFile,
    CrisisExemplarsFile,
    CrisisFile,
    CrisisRoundFile,
    GuideFile,
    InstrumentFile,
    MessagesFile,
    PrivacyNoticeFile,
    PromptsFile,
    RulesFile,
    SupervisionFile,
    Topic,
    normalise_command,
)

PLURAL = re.compile(r"\{(\w+):([^{}|]*)\|([^{}]*)\}")


@dataclass(frozen=True)
class Content:
    """One consistent, validated set of content files."""

    messages: MessagesFile
    contacts: ContactsFile
    guide: GuideFile
    supervision: SupervisionFile
    prompts: PromptsFile
    crisis: CrisisFile
    crisis_eval: CrisisEvalFile
    crisis_exemplars: CrisisExemplarsFile
    crisis_rounds: dict[str, CrisisRoundFile]
    rules: RulesFile
    privacy_notice: PrivacyNoticeFile
    instruments: dict[str, InstrumentFile]
    folder: Path
    _words: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for command in self.messages.commands:
            for word in command.words:
                self._words.setdefault(normalise_command(word), command.id)

    def fill(self, words: str, /, **params: str) -> str:
        """`words` (reached by their path, e.g. content.messages.pause.paused) with the placeholders their
        field's Fills names filled in, {count:thing|things} chosen, and [[topic]] links made into links."""
        # {count:thing|things}: the first form when count is 1, else the second.
        chosen = PLURAL.sub(lambda m: m.group(2) if str(params.get(m.group(1))) == "1" else m.group(3), words)
        filled = chosen.format(**params)
        return TOPIC_LINK.sub(lambda m: self._topic_link(m.group(1)), filled)

    def _topic_link(self, topic_id: str) -> str:
        topic = self.topic(topic_id)
        return f"[{topic.title}]({topic.link})"

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.guide.topics if t.id == topic_id)

    def command_for(self, typed: str) -> str | None:
        """The command id whose words exactly match what was typed, or None."""
        return self._words.get(normalise_command(typed))

    def parse_command(self, typed: str) -> tuple[str | None, str]:
        """(command id, the words after it) for commands that take text, like 'guide boundaries'."""
        exact = self.command_for(typed)
        if exact:
            return exact, ""
        normal = normalise_command(typed)
        for command in self.messages.commands:
            if command.takes_text:
                for word in sorted(command.words, key=len, reverse=True):
                    if normal.startswith(word + " "):
                        return command.id, normal[len(word) + 1 :].strip()
        return None, ""

    def command(self, command_id: str) -> Command:
        return next(c for c in self.messages.commands if c.id == command_id)

    @property
    def help_commands(self) -> list[Command]:
        return [c for c in self.messages.commands if c.show_in_help]

    @property
    def version(self) -> str:
        """A short label of what is running, e.g. 'messages 1.2, contacts 1.0'."""
        return ", ".join(f"{name} {meta.version}" for name, meta in self.metas.items())

    @property
    def files(self) -> dict[str, Any]:
        """Each file's model, by its file name (instruments under instruments/)."""
        files: dict[str, Any] = {
            "messages.yaml": self.messages,
            "contacts.yaml": self.contacts,
            "guide.yaml": self.guide,
            "supervision.yaml": self.supervision,
            "reflective_prompts.yaml": self.prompts,
            "crisis.yaml": self.crisis,
            "crisis_exemplars.yaml": self.crisis_exemplars,
            "rules.yaml": self.rules,
            "privacy_notice.yaml": self.privacy_notice,
        }
        files.update({f"instruments/{k}.yaml": v for k, v in sorted(self.instruments.items())})
        return files

    @property
    def metas(self) -> dict:
        """Each file's sign-off, by a short name."""
        names = {
            "reflective_prompts.yaml": "prompts",
            "privacy_notice.yaml": "privacy notice",
            "crisis_exemplars.yaml": "crisis exemplars",
        }
        return {
            names.get(name, name.removesuffix(".yaml").replace("instruments/", "instrument ")): f.meta
            for name, f in self.files.items()
        }
