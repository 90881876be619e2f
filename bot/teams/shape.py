"""The shape of an activity, checked before any turn: every field the bot or the SDK reads has the type
the Bot Framework protocol gives it, so a malformed request is a 400 and never an error inside a turn.

Only fields that are present are checked (the protocol makes most optional); unknown fields are left
alone. Each check is linear in the size of the request.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

MAX_ID = 512  # longest id accepted (Teams ids are far shorter)
MAX_URL = 2048
MAX_VALUES = 100  # inputs on one card submit (the largest card has about a dozen)
_NOT_IN_IDS = re.compile(r"[\x00-\x20\x7f]")
_LABEL = r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.?$")

# Plain text fields of the activity itself. (`name` is left out: only invokes and events carry one, it is
# only ever compared, and every invoke gets Teams' own error answer from the turn, whatever its shape.)
TEXT_FIELDS = (
    "type",
    "channelId",
    "text",
    "textFormat",
    "locale",
    "action",
    "timestamp",
    "localTimestamp",
    "localTimezone",
    "callerId",
    "inputHint",
    "importance",
    "deliveryMode",
    "summary",
    "speak",
    "topicName",
    "valueType",
    "label",
    "expiration",
    "attachmentLayout",
)
ID_FIELDS = ("id", "replyToId")
# Fields of from, recipient and conversation: (name, type). Ids are checked by `bad_id`.
PARTY_FIELDS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "role": str,
    "conversationType": str,
    "isGroup": bool,
}
LISTS_OF_PARTIES = ("membersAdded", "membersRemoved")


def bad_id(value: Any) -> bool:
    """An id the bot could not store or send to: not a string, too long, or with spaces or control codes."""
    return not isinstance(value, str) or len(value) > MAX_ID or bool(_NOT_IN_IDS.search(value))


def bad_service_url(value: Any) -> bool:
    """Not an http(s) address of a host the bot could send its replies to."""
    if not isinstance(value, str) or len(value) > MAX_URL or _NOT_IN_IDS.search(value):
        return True
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return True
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or "@" in parts.netloc or not host:
        return True
    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        return not _HOST.match(host)


def problem(body: dict[str, Any]) -> str | None:
    """The first thing wrong with the activity's shape, as a short reason for the log, or None."""
    missing = [k for k in ("type", "channelId", "serviceUrl") if not isinstance(body.get(k), str) or not body[k]]
    for owner in ("from", "conversation", "recipient"):
        part = body.get(owner)
        if not isinstance(part, dict) or not isinstance(part.get("id"), str) or not part["id"]:
            missing.append(f"{owner}.id")
    if missing:
        return "missing_fields:" + ",".join(missing)
    if bad_service_url(body["serviceUrl"]):
        return "bad_service_url"
    for field in TEXT_FIELDS:
        if body.get(field) is not None and not isinstance(body[field], str):
            return f"bad_{field}"
    for field in ID_FIELDS:
        if body.get(field) is not None and bad_id(body[field]):
            return f"bad_{field}"
    if body.get("deliveryMode") not in (None, "normal"):
        # Teams never asks for replies in the HTTP answer ("expectReplies") or streamed ("stream"); the two SDKs
        # treat those differently, and neither is a turn this bot takes.
        return "bad_deliveryMode"
    for owner in ("from", "recipient", "conversation"):
        reason = _party_problem(body[owner], owner)
        if reason:
            return reason
    return _channel_data_problem(body.get("channelData")) or _lists_problem(body) or _value_problem(body)


def _party_problem(part: dict[str, Any], owner: str) -> str | None:
    for key in ("id", "aadObjectId", "tenantId"):
        if part.get(key) is not None and bad_id(part[key]):
            return f"bad_{owner}_{key}"
    for key, kind in PARTY_FIELDS.items():
        if part.get(key) is not None and not isinstance(part[key], kind):
            return f"bad_{owner}_{key}"
    return None


def _channel_data_problem(data: Any) -> str | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        return "bad_channelData"
    tenant = data.get("tenant")
    if tenant is not None and (not isinstance(tenant, dict) or (tenant.get("id") is not None and bad_id(tenant["id"]))):
        return "bad_channelData_tenant"
    return None


def _lists_problem(body: dict[str, Any]) -> str | None:
    for field in LISTS_OF_PARTIES:
        items = body.get(field)
        if items is not None and (
            not isinstance(items, list) or any(not isinstance(m, dict) or bad_id(m.get("id")) for m in items)
        ):
            return f"bad_{field}"
    for field in ("entities", "attachments", "reactionsAdded", "reactionsRemoved"):
        items = body.get(field)
        if items is not None and (not isinstance(items, list) or not all(isinstance(i, dict) for i in items)):
            return f"bad_{field}"
    for entity in body.get("entities") or []:
        if not isinstance(entity.get("type"), str):  # the SDK reads every entity's type as text
            return "bad_entities"
        if entity.get("type") == "mention":
            mentioned = entity.get("mentioned")
            if not isinstance(mentioned, dict) or bad_id(mentioned.get("id")):
                return "bad_entities"
            if entity.get("text") is not None and not isinstance(entity["text"], str):
                return "bad_entities"
    return None


def _value_problem(body: dict[str, Any]) -> str | None:
    """A card submit's value is what the card's buttons and inputs hold: strings under string names.
    (Invokes are refused in the turn whatever their value, with Teams' own error answer.)"""
    value = body.get("value")
    if body.get("type") != "message" or value is None:
        return None
    if not isinstance(value, dict) or len(value) > MAX_VALUES:
        return "bad_value"
    if not all(v is None or isinstance(v, str) for v in value.values()):
        return "bad_value"
    return None
