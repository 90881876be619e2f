"""The Good Practice Guide: a topic, and a list of topics."""

from __future__ import annotations

from ..content.schema import Topic
from ..content.views import GuideWords
from .base import Card, action, card, choice_input, heading, help_now_action, open_url, text_block


def button_title(topic: Topic) -> str:
    """A topic's short title for buttons (Teams cuts long ones)."""
    return topic.button or topic.title


def topic_card(content: GuideWords, topic: Topic) -> Card:
    m = content.messages.guide
    body = [heading(topic.title, "Large"), text_block(topic.summary)]
    body += [text_block(f"- {point}") for point in topic.points]
    actions = [open_url(m.read_more_button, str(topic.link))]
    if topic.related:
        body.append(text_block(m.related, weight="Bolder", spacing="Medium"))
        actions += [action(button_title(content.topic(r)), "guide_open", topic=r) for r in topic.related[:2]]
    actions += [action(m.all_topics_button, "guide_list"), help_now_action(content)]
    fallback = "\n".join([topic.title, topic.summary, *topic.points, str(topic.link)])
    return card(body, actions, fallback)


def list_card(content: GuideWords, intro: str, topics: list[Topic]) -> Card:
    """A few topics as buttons; more as one list to pick from (Teams shows six buttons at most)."""
    fallback = intro + "\n" + "\n".join(t.title for t in topics)
    if len(topics) <= 4:
        actions = [action(button_title(t), "guide_open", topic=t.id) for t in topics] + [help_now_action(content)]
        return card([text_block(intro)], actions, fallback)
    m = content.messages.guide
    pick = choice_input("topic", m.pick_label, [(t.id, t.title) for t in topics], topics[0].id, expanded=True)
    return card([text_block(intro), *pick], [action(m.open_button, "guide_open"), help_now_action(content)], fallback)
