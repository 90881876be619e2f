"""Teams-shaped activities, as the Bot Connector service posts them to /api/messages."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

TENANT = "11111111-2222-3333-4444-555555555555"
BOT_ID = "28:bot-app-id"
_seq = itertools.count(1)


@dataclass(frozen=True)
class Person:
    """A Teams user in a personal chat with the bot."""

    name: str
    aad_object_id: str
    user_id: str
    conversation_id: str

    @classmethod
    def make(cls, name: str) -> Person:
        aad = str(uuid.uuid4())
        return cls(name, aad, f"29:{uuid.uuid4().hex}", f"a:{uuid.uuid4().hex}")


def activity(person: Person, service_url: str, kind: str = "message", **fields: Any) -> dict[str, Any]:
    base = {
        "type": kind,
        "id": f"f:{next(_seq)}",
        "timestamp": "2026-11-25T10:00:00.000Z",
        "localTimestamp": "2026-11-25T10:00:00.000+00:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": person.user_id, "name": person.name, "aadObjectId": person.aad_object_id},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": person.conversation_id},
        "recipient": {"id": BOT_ID, "name": "Peer Wellbeing"},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }
    base.update(fields)
    return base


def message(person: Person, service_url: str, text: str) -> dict[str, Any]:
    return activity(person, service_url, "message", text=text, textFormat="plain")


def card_submit(person: Person, service_url: str, value: dict[str, Any], reply_to: str = "act-1") -> dict[str, Any]:
    return activity(person, service_url, "message", value=value, replyToId=reply_to)


def members_added(person: Person, service_url: str) -> dict[str, Any]:
    return activity(
        person,
        service_url,
        "conversationUpdate",
        membersAdded=[{"id": BOT_ID}],
        channelData={"tenant": {"id": TENANT}, "eventType": "teamMemberAdded"},
    )


def installation(person: Person, service_url: str, action: str) -> dict[str, Any]:
    return activity(person, service_url, "installationUpdate", action=action)
