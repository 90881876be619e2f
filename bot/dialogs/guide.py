"""The Good Practice Guide: browse topics, open one, search by keyword, follow related topics."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..cards.guide import list_card, topic_card
from ..content.schema import Topic
from ..content.views import GuideWords
from ..conversation import Conversation
from ..crisis import stem
from .intent import Intent
from .registry import card_action, command


def words(text: str) -> list[str]:
    """Word stems, so "boundary" finds "boundaries"."""
    return [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())]


def search(content: GuideWords, query: str) -> list[Topic]:
    """Topics matching the query's words, best first (id, title and keywords count most)."""
    wanted = set(words(query))
    if not wanted:
        return []
    scored = []
    for topic in content.guide.topics:
        strong = set(words(" ".join([topic.id.replace("_", " "), topic.title, *topic.keywords])))
        weak = set(words(topic.summary + " " + " ".join(topic.points)))
        score = 3 * len(wanted & strong) + len(wanted & weak)
        if score:
            scored.append((score, topic))
    best = max((s for s, _ in scored), default=0)
    return [t for s, t in sorted(scored, key=lambda x: -x[0]) if s >= best / 2]


class GuideDialogs:
    def __init__(self, content: Callable[[], GuideWords]):
        self._content = content

    @command("guide")
    async def show(self, chat: Conversation, intent: Intent) -> None:
        """'guide' lists the topics; 'guide <words>' opens the best match or lists the matches."""
        content = self._content()
        if not intent.argument:
            await chat.send_card(list_card(content, content.messages.guide.intro, content.guide.topics))
            return
        found = search(content, intent.argument)
        if len(found) == 1:
            await chat.send_card(topic_card(content, found[0]))
        elif found:
            await chat.send_card(
                list_card(content, content.fill(content.messages.guide.matches, words=intent.argument), found)
            )
        else:
            await chat.send_card(
                list_card(
                    content, content.fill(content.messages.guide.no_match, words=intent.argument), content.guide.topics
                )
            )

    @card_action("guide_open")
    async def open(self, chat: Conversation, intent: Intent) -> None:
        """Open the topic named on a button; an unknown id lists every topic."""
        content = self._content()
        topic = next((t for t in content.guide.topics if t.id == intent.values.get("topic")), None)
        if topic is None:
            await chat.send_card(list_card(content, content.messages.guide.intro, content.guide.topics))
        else:
            await chat.send_card(topic_card(content, topic))

    @card_action("guide_list")
    async def list(self, chat: Conversation) -> None:
        content = self._content()
        await chat.send_card(list_card(content, content.messages.guide.intro, content.guide.topics))
