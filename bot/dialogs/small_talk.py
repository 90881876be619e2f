"""Greetings, thanks, "help me" and feelings get a short human answer, not "I didn't understand" and the
whole command list. The crisis guard has read the message first and adds help whatever is said here."""

from __future__ import annotations

from collections.abc import Callable

from ..cards.help import options_card
from ..content import normalise_command
from ..content.views import SupportWords
from ..conversation import Conversation
from .intent import Intent
from .registry import typed


def has_phrase(words: list[str], phrase: str) -> bool:
    """Whether the phrase's words appear together in `words` (whole words, linear in the message)."""
    wanted = phrase.split()
    n = len(wanted)
    return any(words[i : i + n] == wanted for i in range(len(words) - n + 1)) if n else False


class SmallTalkDialogs:
    def __init__(self, content: Callable[[], SupportWords]):
        self._content = content

    @typed
    async def small_talk(self, chat: Conversation, intent: Intent) -> bool:
        content = self._content()
        talk = content.messages.small_talk
        said = normalise_command(intent.text).replace("'", "").replace("\u2019", "")
        if said in {normalise_command(w) for w in talk.greetings}:
            await chat.send_card(options_card(content, talk.greeting_reply))
        elif said in {normalise_command(w) for w in talk.thanks}:
            await chat.send_text(talk.thanks_reply)
        elif said in {normalise_command(w) for w in talk.help_me}:
            await chat.send_card(options_card(content, talk.help_me_reply))
        else:
            words = "".join(c if c.isalnum() or c.isspace() else " " for c in said).split()
            if len(words) > talk.feelings_words_at_most:
                return False
            if not any(has_phrase(words, normalise_command(f)) for f in talk.feelings):
                return False
            await chat.send_card(options_card(content, talk.feelings_reply))
        return True
