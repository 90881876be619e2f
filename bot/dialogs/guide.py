"""The Good Practice Guide: browse topics, open one, search by keyword, follow related topics."""
from __future__ import annotations

import re
from typing import Callable

from botbuilder.core import TurnContext

from .. import cards
from ..content import Content
from ..content.schema import Topic
from ..crisis import stem
from .intent import Intent
from .replies import send_card


def words(text: str) -> list[str]:
    """Word stems, so "boundary" finds "boundaries"."""
    return [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())]


def search(content: Content, query: str) -> list[Topic]:
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


def topic_card(content: Content, topic: Topic) -> dict:
    m = content.messages.guide
    body = [cards.text_block(topic.title, size="Large", weight="Bolder", style="heading"),
            cards.text_block(topic.summary)]
    body += [cards.text_block(f"- {point}") for point in topic.points]
    actions = [cards.open_url(m.read_more_button, str(topic.link))]
    if topic.related:
        body.append(cards.text_block(m.related, weight="Bolder", spacing="Medium"))
        actions += [cards.action(content.topic(r).title, "guide_open", topic=r) for r in topic.related]
    actions += [cards.action(m.all_topics_button, "guide_list"), cards.help_now_action(content)]
    fallback = "\n".join([topic.title, topic.summary, *topic.points, str(topic.link)])
    return cards.card(body, actions, fallback)


def list_card(content: Content, intro: str, topics: list[Topic]) -> dict:
    actions = [cards.action(t.title, "guide_open", topic=t.id) for t in topics] + [cards.help_now_action(content)]
    return cards.card([cards.text_block(intro)], actions, intro + "\n" + "\n".join(t.title for t in topics))


class GuideDialogs:
    def __init__(self, content: Callable[[], Content]):
        self._content = content

    async def show(self, turn: TurnContext, intent: Intent) -> None:
        """'guide' lists the topics; 'guide <words>' opens the best match or lists the matches."""
        content = self._content()
        if not intent.argument:
            await send_card(turn, list_card(content, content.messages.guide.intro, content.guide.topics))
            return
        found = search(content, intent.argument)
        if len(found) == 1:
            await send_card(turn, topic_card(content, found[0]))
        elif found:
            await send_card(turn, list_card(content, content.text("guide.matches", words=intent.argument), found))
        else:
            await send_card(turn, list_card(content, content.text("guide.no_match", words=intent.argument),
                                            content.guide.topics))

    async def open(self, turn: TurnContext, intent: Intent) -> None:
        """Open the topic named on a button; an unknown id lists every topic."""
        content = self._content()
        topic_id = intent.values.get("topic")
        topic = next((t for t in content.guide.topics if t.id == topic_id), None)
        if topic is None:
            await send_card(turn, list_card(content, content.messages.guide.intro, content.guide.topics))
        else:
            await send_card(turn, topic_card(content, topic))

    async def list(self, turn: TurnContext, intent: Intent) -> None:
        content = self._content()
        await send_card(turn, list_card(content, content.messages.guide.intro, content.guide.topics))
